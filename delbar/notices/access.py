"""Who may do what with notices. Notices are public records: everyone reads them. Curators review
discoveries; editors of the notice's buyer may start a case from it."""

from delbar.accounts.roles import roles_of
from delbar.notices.models import Notice


def can_review(user) -> bool:
    return roles_of(user).is_curator


def can_start_case(user, notice: Notice) -> bool:
    roles = roles_of(user)
    return notice.organization_id is not None and notice.organization_id in roles.editor_org_ids
