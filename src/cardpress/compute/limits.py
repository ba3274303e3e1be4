"""Comparing a computed figure with a limit, beyond floating-point noise.

A figure computed in floating point lands a last bit away from the exact value it stands for:
60/100 ÷ 75/100 is 0.7999999999999999, 55/100 − 50/100 is 0.050000000000000044, and
(Σw)²/Σw² of a hundred weights of 0.1 is not exactly 100. Compared bare, such a figure broke a
limit it meets exactly (a four-fifths ratio "0.8000 ⚠ below 0.8" beside the rule "exactly 0.8
passes"; a gate failing "difference 0.05 (limit: ≤ 0.05)"). A figure breaks a limit only when it
is beyond it by more than :data:`TOLERANCE` of the limit's size: far below any shown digit.
"""

from __future__ import annotations

TOLERANCE = 1e-12  # relative; float64 noise of a few operations is ~1e-16


def _slack(limit: float) -> float:
    return TOLERANCE * max(1.0, abs(limit))


def below(value: float, limit: float) -> bool:
    """``value < limit`` by more than noise (NaN is never below)."""
    return value < limit - _slack(limit)


def above(value: float, limit: float) -> bool:
    """``value > limit`` by more than noise (NaN is never above)."""
    return value > limit + _slack(limit)
