"""Owner-object factories of the inbox and lead routes for the authorization matrix
(tests/evidence/world.py): each creates an object of the owner and returns the URL kwargs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _inbox_item(owner: Any) -> dict[str, Any]:
    from tests.feedback.fixtures_messages import inbox_item

    item = inbox_item(owner.customer, title="机密：仅本人可见的通知")
    owner.secrets.update({str(item.public_id), "机密：仅本人可见的通知"})
    return {"public_id": item.public_id}


def _lead(owner: Any) -> dict[str, Any]:
    from tests.feedback.fixtures_messages import open_lead

    lead = open_lead(owner.customer)
    owner.secrets.add(str(lead.public_id))
    return {"public_id": lead.public_id}


MESSAGES_OBJECT_ROUTES: dict[str, Callable[[Any], dict[str, Any]]] = {
    r"^api/v1/inbox/<": _inbox_item,
    r"^api/v1/leads/<": _lead,
}
