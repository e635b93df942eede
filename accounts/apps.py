from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import backends  # noqa: F401 -- connects the staff sign-in count reset
        from accounts.api import schema  # noqa: F401 -- registers the OpenAPI auth scheme
