"""Template tags of the branch desk: panels that other apps render into pages ``accounts`` owns.

Panels are registered by dotted path in settings (``ACCOUNTS_CUSTOMER_PAGE_PANELS``,
``ADMIN_HOME_PANELS``) so ``accounts`` imports no other domain app (see ``payments/desk.py``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def panels_render(setting_name: str, *, request: Any, customer: Any = None) -> SafeString:
    """Call each panel named in ``settings.<setting_name>`` and join their HTML."""
    parts = []
    for dotted in getattr(settings, setting_name, []):
        html = import_string(dotted)(request=request, customer=customer)
        if html:
            parts.append(str(html))
    return mark_safe("\n".join(parts))  # noqa: S308 -- each panel returns template-rendered (escaped) HTML


@register.simple_tag(takes_context=True)
def desk_panels(context: dict[str, Any], setting_name: str, customer: Any = None) -> SafeString:
    request = context.get("request")
    if request is None:
        return mark_safe("")
    return panels_render(setting_name, request=request, customer=customer)


@register.simple_tag
def desk_is_development() -> bool:
    """True outside production: the home page links the development SMS codes page."""
    return not getattr(settings, "IS_PRODUCTION", True)


@register.simple_tag(takes_context=True)
def desk_may_read_dev_sms(context: dict[str, Any]) -> bool:
    """Outside production, for superusers and administrators only: link the SMS codes page."""
    from accounts.selectors import staff_may_read_dev_sms

    request = context.get("request")
    return request is not None and desk_is_development() and staff_may_read_dev_sms(request.user)
