from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Customer feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Messages, articles and products (docs/feedback-messages.md) keep their admin and tasks in
        # their own modules: register them here (admin autodiscovery and Celery look at admin.py and
        # tasks.py only).
        from feedback import admin_messages, tasks_messages  # noqa: F401
