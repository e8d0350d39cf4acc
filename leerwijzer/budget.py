"""One bucketing of amounts into the intake's budget codes, for the NLU and the actions."""

from __future__ import annotations


def budget_code(euros: float) -> str:
    """The budget code of an amount in euros: free, up_to_100, up_to_500 or more."""
    if euros <= 0:
        return "free"
    if euros <= 100:
        return "up_to_100"
    if euros <= 500:
        return "up_to_500"
    return "more"
