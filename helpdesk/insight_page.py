"""The insight page and its CSV, made from `insight.report` on the server: no script needed.

Each section shows its chart as an image (/api/insight/charts/<id>, same filters) with an
alternative text naming the biggest bars, and the same figures as a table under "Tabel".
Every text is escaped; a CSV cell that a spreadsheet would run as a formula is made plain text.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from string import Template
from typing import Any, Dict
from urllib.parse import urlencode

from helpdesk.insight import MIN_SHOWN, Filters

PAGE = Path(__file__).resolve().parent / "data" / "insight.html"
HIDDEN = f"<{MIN_SHOWN}"


def cell(value: Any) -> str:
    """A table or CSV value: "<5" for a hidden count."""
    return HIDDEN if value is None else str(value)


def alt_text(section: Dict[str, Any]) -> str:
    """What a screen reader hears for the chart: its title and its three biggest bars."""
    pairs = list(zip(section["chart"]["labels"], section["chart"]["values"], strict=True))
    if not pairs:
        return f"{section['title']}: nog geen cijfers."
    biggest = ", ".join(f"{label}: {cell(value)}" for label, value in pairs[:3])
    return f"Staafdiagram {section['title']}. Grootste: {biggest}. Alle cijfers staan in de tabel."


def _table(section: Dict[str, Any]) -> str:
    head = "".join(f'<th scope="col">{html.escape(name)}</th>' for name in section["columns"])
    rows = []
    for row in section["rows"]:
        first, *rest = [html.escape(cell(value)) for value in row]
        rows.append(
            f'<tr><th scope="row">{first}</th>' + "".join(f"<td>{value}</td>" for value in rest) + "</tr>"
        )
    body = "".join(rows) or f'<tr><td colspan="{len(section["columns"])}">Nog geen cijfers.</td></tr>'
    caption = html.escape(section["title"])
    return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section_html(section: Dict[str, Any], filters: Filters) -> str:
    key = html.escape(section["id"])
    title = html.escape(section["title"])
    if section["chart"]["labels"]:
        src = html.escape(f"/api/insight/charts/{section['id']}{_query(filters)}")
        chart = f'<img class="chart" src="{src}" alt="{html.escape(alt_text(section))}">'
    else:
        chart = '<p class="empty">Nog geen cijfers voor deze keuze.</p>'
    csv_href = html.escape("/api/insight.csv?" + urlencode({"section": section["id"], **filters.as_args()}))
    return (
        f'<section id="{key}" aria-labelledby="{key}-title"><h2 id="{key}-title">{title}</h2>'
        f'<p class="note">{html.escape(section["note"])}</p>{chart}'
        f"<details><summary>Tabel</summary>{_table(section)}"
        f'<p><a href="{csv_href}">Deze tabel als CSV</a></p></details></section>'
    )


def _query(filters: Filters) -> str:
    """The filters as a query string ("" or "?since=2026-01&...")."""
    return ("?" + urlencode(filters.as_args())) if filters.as_args() else ""


def _options(values: Dict[str, str], chosen: str | None, everything: str) -> str:
    options = [f'<option value="">{html.escape(everything)}</option>']
    for value, label in values.items():
        selected = " selected" if value == chosen else ""
        options.append(f'<option value="{html.escape(value)}"{selected}>{html.escape(label)}</option>')
    return "".join(options)


def render_page(report: Dict[str, Any], filters: Filters, options: Dict[str, Any], problem: str = "") -> str:
    """The whole page: filters, CSV link, one section per block of the report."""
    places = {
        name: ("Buiten de regio" if name == "elsewhere" else name) for name in options["municipalities"]
    }
    first, last = report["months"]["first"], report["months"]["last"]
    span = f"Cijfers van {first} tot en met {last}." if first else "Er zijn nog geen cijfers."
    return Template(PAGE.read_text(encoding="utf-8")).substitute(
        since=html.escape(filters.since or ""),
        until=html.escape(filters.until or ""),
        municipalities=_options(places, filters.municipality, "Alle gemeenten"),
        channels=_options(options["channels"], filters.channel, "Alle kanalen"),
        csv_link=html.escape(f"/api/insight.csv{_query(filters)}"),
        span=html.escape(span),
        problem=f'<p class="problem" role="alert">{html.escape(problem)}</p>' if problem else "",
        min_shown=MIN_SHOWN,
        sections="".join(_section_html(section, filters) for section in report["sections"]),
    )


def _plain(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs (an ambassador's name "=HYPERLINK(...)")."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render_csv(report: Dict[str, Any], section_id: str | None = None) -> str:
    """One section's table as CSV (its own header), or every table one after another.

    All sections: each starts with a row naming it, then its header, then its rows.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for section in report["sections"]:
        if section_id and section["id"] != section_id:
            continue
        if not section_id:
            writer.writerow([section["title"]])
        writer.writerow(section["columns"])
        for row in section["rows"]:
            writer.writerow([_plain(cell(value)) for value in row])
    return buffer.getvalue()
