"""The risk officers' admin: cases and what hangs on them (alerts, held payments, freezes,
unfreeze requests, customers' review requests), evaluations with their explanations, and the
rules, thresholds, block list, risk levels and step-up policy. Branch-scoped like every admin
(``_scope``); every change goes through a service that checks permission and scope and audits."""

from risk.admin import cases, rules  # noqa: F401
