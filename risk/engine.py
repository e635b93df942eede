"""Rules as safe typed expressions (the ``rule-engine`` library: its own grammar, parsed and
type-checked against ``risk.features.FEATURES``; nothing is ever passed to ``eval``).

``rule_compile`` refuses an expression that does not parse, names an unknown feature, mixes types
or is not a yes/no question (``RuleInvalid``, with the library's reason). Compiled rules are cached
per process by their text (a version's text never changes)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rule_engine
from django.utils.translation import gettext as _

from risk.errors import RuleInvalid
from risk.features import feature_context, features_jsonable

__all__ = ["RuleRun", "explanation_render", "rule_compile", "rule_run"]

_MAX_LENGTH = 2000


@lru_cache(maxsize=1024)
def rule_compile(expression: str) -> rule_engine.Rule:
    if not isinstance(expression, str) or not expression.strip():
        raise RuleInvalid(_("Write the rule's condition."))
    if len(expression) > _MAX_LENGTH:
        raise RuleInvalid(_("The condition is too long."))
    try:
        rule = rule_engine.Rule(expression, context=feature_context())
    except rule_engine.errors.SymbolResolutionError as exc:
        raise RuleInvalid(
            _("Unknown name in the condition: %(name)s.") % {"name": exc.symbol_name},
            details={"symbol": exc.symbol_name},
        ) from None
    except rule_engine.errors.EngineError as exc:
        raise RuleInvalid(
            _("The condition is not valid: %(reason)s.") % {"reason": exc.message}, details={"reason": exc.message}
        ) from None
    result_type = rule.statement.expression.result_type
    if result_type != rule_engine.DataType.BOOLEAN:
        raise RuleInvalid(
            _("The condition must be a yes/no question (it gives %(type)s).") % {"type": result_type.name},
            details={"result_type": result_type.name},
        )
    return rule


@dataclass(frozen=True)
class RuleRun:
    fired: bool
    inputs: dict[str, Any]
    duration_us: int
    error: str = ""


@lru_cache(maxsize=1024)
def _symbols(text: str) -> tuple[str, ...]:
    """The feature names the expression reads (its inputs, stored with the result)."""
    return tuple(sorted({name for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if name in _known()}))


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    from risk.features import FEATURES

    return frozenset(FEATURES)


def rule_run(expression: str, features: dict[str, Any]) -> RuleRun:
    """Evaluate one rule on the features; a runtime error is recorded (the rule did not fire)."""
    started = time.perf_counter_ns()
    try:
        rule = rule_compile(expression)
        inputs = features_jsonable({name: features[name] for name in _symbols(rule.text)})
        fired = bool(rule.matches(features))
        error = ""
    except Exception as exc:  # noqa: BLE001 - a broken rule must not stop the others; recorded
        inputs, fired, error = {}, False, f"{type(exc).__name__}: {exc}"[:300]
    return RuleRun(fired=fired, inputs=inputs, duration_us=(time.perf_counter_ns() - started) // 1000, error=error)


_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


def explanation_render(template: str, inputs: dict[str, Any]) -> str:
    """Fill ``{feature}`` placeholders with the values seen (plain names only: no attribute or
    index access, unlike ``str.format``); an unknown name stays as written."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in inputs:
            return match.group(0)
        shown = inputs[name]
        if isinstance(shown, bool):
            return _("yes") if shown else _("no")
        text = str(shown)
        return text[:-3] if text.endswith(".00") else text

    return _PLACEHOLDER.sub(value, template)
