"""Drill-only Django app (installed by ``tools/drill_settings.py`` only, never in production settings).

* ``tasks.py``: the drill's own outbox consumers. Each appends one row per handling to the
  ``drill_effect`` table, which has NO unique key, so a duplicated effect shows there whatever
  ``ConsumedEvent`` says: the drills count duplicates from it.
* ``hooks.py``: a risk pre-check that refuses everything (``DRILL_REFUSE_ALL=1``).
* ``DRILL_BREAK_IDEMPOTENCY=1``: ``apps.DrillAppConfig.ready`` replaces ``core.outbox.consume`` so the
  drill consumers skip their idempotency check. A deliberately broken build: the drills must fail.
"""
