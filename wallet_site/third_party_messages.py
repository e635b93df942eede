"""Messages of Django and third-party templates whose own zh-hans catalogues lack them.

Never imported: ``makemessages`` extracts these msgids into our catalogue (``locale/``), which Django
searches before the apps' catalogues, so the Simplified Chinese back office shows them translated.
Keep each with the template that uses it; drop one when the upstream catalogue gains it.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

THIRD_PARTY_MESSAGES = (
    # django/contrib/admin/templates/admin/app_list.html (Django 5.2): visually hidden header of each app's table
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
