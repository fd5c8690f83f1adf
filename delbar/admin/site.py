from django.contrib import admin
from django.urls import path

from delbar.accounts.roles import roles_of
from delbar.ops.views import operations


class DelbarAdminSite(admin.AdminSite):
    """Django's admin, open to curators and admins by their Delbar role, not only to staff.

    Curators get the models that curation needs (see CuratorAccess); admins get everything.
    """

    site_header = "Delbar"
    site_title = "Delbar"
    index_template = "admin/delbar_index.html"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_staff or roles_of(user).is_curator)

    def get_urls(self):
        # The operations page (queue, search index, this process), for administrators (ops/views.py).
        return [path("operations/", self.admin_view(lambda request: operations(request, self)), name="operations"),
                *super().get_urls()]

    def index(self, request, extra_context=None):
        return super().index(request, {"show_operations": roles_of(request.user).is_admin, **(extra_context or {})})


class CuratorReadOnly:
    """ModelAdmin mixin: curators may look these up (and pick them in autocompletes), not change them."""

    def has_module_permission(self, request):
        return roles_of(request.user).is_curator or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return roles_of(request.user).is_curator or super().has_view_permission(request, obj)


class CuratorAccess:
    """ModelAdmin mixin: curators may view and change these objects; deleting stays with admins."""

    def _is_curator(self, request) -> bool:
        return roles_of(request.user).is_curator

    def has_module_permission(self, request):
        return self._is_curator(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_curator(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_curator(request) or super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._is_curator(request) or super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return roles_of(request.user).is_admin or super().has_delete_permission(request, obj)


class DelbarAdminOnly:
    """ModelAdmin mixin: only Delbar's administrators (not curators) see and change these objects: who
    holds which role is granted here or by the organization's own administrators (accounts/access.py)."""

    def _is_admin(self, request) -> bool:
        return roles_of(request.user).is_admin

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request, *args):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)
