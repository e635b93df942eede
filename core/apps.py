from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
    default = True
    default_auto_field = "django.db.models.BigAutoField"


class TongbaoAdminConfig(admin_apps.AdminConfig):
    """The admin, served by a site that requires a verified TOTP device (django-otp)."""

    default = False
    default_site = "core.admin_site.TongbaoAdminSite"
