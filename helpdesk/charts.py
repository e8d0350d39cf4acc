"""Horizontal bar charts as SVG, drawn by matplotlib on the server (it is in the lock through Rasa).

A hidden value ("<5", see helpdesk/insight.py) is drawn as an empty bar labelled "<5". Text stays
text in the SVG (svg.fonttype "none"), so it is sharp, searchable and small; the page gives every
chart an alternative text and the same figures as a table.
"""

from __future__ import annotations

import io
from typing import List, Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server; must come before the figure import

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "leerwijzer"  # the same figures give the same file
# Dark blue on white: contrast above 7:1 for the bars and the labels.
BAR_COLOUR = "#1d4e89"
TEXT_COLOUR = "#1a1a1a"
HIDDEN = "<5"
MAX_BARS = 15
MAX_LABEL = 40


def _short(label: str) -> str:
    """The label cut to MAX_LABEL, with "$" escaped: matplotlib reads "$...$" as a formula."""
    short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
    return short.replace("$", r"\$")


def bar_chart_svg(labels: Sequence[str], values: Sequence[int | None]) -> str:
    """An SVG bar chart, biggest first as given, at most MAX_BARS bars; "" when there is nothing."""
    pairs = list(zip(labels, values, strict=True))[:MAX_BARS]
    if not pairs:
        return ""
    names: List[str] = [_short(str(label)) for label, _ in pairs]
    numbers = [value or 0 for _, value in pairs]
    figure = Figure(figsize=(9, 0.5 * len(pairs) + 0.8), dpi=96)
    axes = figure.add_subplot()
    positions = list(range(len(pairs)))
    axes.barh(positions, numbers, color=BAR_COLOUR, height=0.6)
    axes.set_yticks(positions, labels=names, fontsize=12, color=TEXT_COLOUR)
    axes.invert_yaxis()  # the first (biggest) on top
    axes.tick_params(axis="x", colors=TEXT_COLOUR, labelsize=11)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 2.5 searches
    widest = max(numbers) or 1
    axes.set_xlim(0, widest * 1.15)
    for position, (_, value) in zip(positions, pairs, strict=True):
        text = HIDDEN if value is None else str(value)
        axes.text((value or 0) + widest * 0.01, position, text, va="center", fontsize=11, color=TEXT_COLOUR)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    # matplotlib quotes the generic family ('sans-serif'), which makes it a font name no browser
    # has, so the text fell back to a serif font: unquoted it is the browser's sans-serif.
    return buffer.getvalue().replace("'sans-serif'", "sans-serif")
