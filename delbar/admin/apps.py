from django.contrib.admin.apps import AdminConfig


class DelbarAdminConfig(AdminConfig):
    """Django's admin with Delbar's site, which lets curators in by their role."""

    default_site = "delbar.admin.site.DelbarAdminSite"
