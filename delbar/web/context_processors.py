from django.conf import settings
from django.utils.functional import SimpleLazyObject

from delbar.accounts.roles import roles_of
from delbar.cases import access as case_access
from delbar.needs import access as need_access


def navigation(request):
    roles = roles_of(request.user)
    context = {"is_curator": roles.is_curator, "is_editor": roles.is_editor,
               "is_supplier": bool(roles.supplier_org_ids), "oidc_providers": settings.OIDC_PROVIDERS,
               "is_admin": roles.is_admin, "member_org_ids": SimpleLazyObject(lambda: roles.member_org_ids),
               # Offered only to those the pages let in: a network's editors curate, they write no cases.
               "can_write_case": case_access.can_create(request.user),
               "can_post_need": need_access.can_create(request.user)}
    if request.user.is_authenticated:
        # Read only when the header is drawn: one indexed count.
        context["unread_notifications"] = SimpleLazyObject(
            lambda: request.user.notifications.filter(read_at=None).count())
    return context
