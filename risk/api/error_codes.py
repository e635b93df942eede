"""Error codes the risk API raises ad hoc (a ``DomainError`` with ``code=``), with their meaning, for
the docs (``core.api_docs``). Codes of ``DomainError`` subclasses (risk/errors.py: ``step_up_expired``,
``step_up_used``) are documented from the class."""

from __future__ import annotations

from core.api_docs import register_error_codes

register_error_codes(
    {
        "review_already_open": (409, "A review of this notice is already open; the answer will appear here."),
    }
)
