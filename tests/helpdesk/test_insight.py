"""The library's insight: counted when it happens, kept after the purge, never a figure under 5."""

from __future__ import annotations

import csv
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
from sqlalchemy import select, update

from helpdesk import ambassadors, auth, charts, counts, insight, insight_page, store, tasks
from helpdesk.database import engine_for, session_scope
from helpdesk.models import Case, Conversation, InsightCount
from helpdesk.privacy import erase_conversation, purge_expired
from leerwijzer.settings import Settings
from tests.helpdesk.support import throwaway_postgres


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        tracker_store_db=str(tmp_path / "tracker.db"),
        retention_days=30,
    )


def add(settings: Settings, times: int, metric: str = "search", **dimensions: str) -> None:
    """Count `times`; a "search" with a theme is counted as the search action does (once, and per theme)."""
    without_theme = {key: value for key, value in dimensions.items() if key != "theme"}
    with session_scope(settings.database_url, write=True) as session:
        for _ in range(times):
            if metric == "search":
                counts.count_question(
                    session, [dimensions["theme"]] if "theme" in dimensions else [], **without_theme
                )
            else:
                counts.count(session, metric, **dimensions)


def every_figure(value: object) -> list:
    """Every number anywhere in a report (lists and dicts walked)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        return [number for item in value.values() for number in every_figure(item)]
    if isinstance(value, list):
        return [number for item in value for number in every_figure(item)]
    return []


def report(settings: Settings, **filters: str) -> dict:
    with session_scope(settings.database_url) as session:
        return {
            section["id"]: section
            for section in insight.report(session, insight.Filters(**filters))["sections"]
        }


def counted(settings: Settings) -> dict:
    with session_scope(settings.database_url) as session:
        return {
            (row.metric, row.detail): row.count for row in session.execute(select(InsightCount)).scalars()
        }


def test_a_count_is_one_row_per_month_and_dimensions(settings):
    add(settings, 3, "chat", municipality="Helmond", detail="fitted", channel="sms")
    add(settings, 1, "chat", municipality="Helmond", detail="price", channel="sms")
    with session_scope(settings.database_url) as session:
        rows = session.execute(select(InsightCount)).scalars().all()
    assert sorted((row.detail, row.count) for row in rows) == [("fitted", 3), ("price", 1)]
    assert {row.month for row in rows} == {Settings().local_time().strftime("%Y-%m")}
    assert {row.language for row in rows} == {""}  # not given: "" (part of the key, never NULL)


def test_unknown_metrics_and_dimensions_are_refused(settings):
    with session_scope(settings.database_url) as session:
        with pytest.raises(ValueError):
            counts.count(session, "sender_id")
        with pytest.raises(ValueError):
            counts.count(session, "search", sender_id="whatsapp:+31611111111")


def test_the_month_is_the_helpdesks_not_utcs():
    # 23:30 UTC on 31 December is already 1 January in Eindhoven.
    new_year = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.timezone.utc)
    assert counts.current_month(new_year) == "2027-01"


@pytest.mark.parametrize(
    ("minutes", "band"),
    [
        (0.5, "under_2"),
        (2, "2_to_10"),
        (9.9, "2_to_10"),
        (29, "10_to_30"),
        (119, "30_to_120"),
        (500, "over_120"),
    ],
)
def test_waits_fall_in_bands(minutes, band):
    assert counts.wait_band(dt.timedelta(minutes=minutes)) == band


def test_no_figure_under_five_reaches_the_report_csv_or_json(settings):
    add(settings, 5, theme="computer_basics", municipality="Helmond", detail="fitted")
    add(settings, 4, theme="dutch_language", municipality="Eindhoven", detail="price")
    sections = report(settings)
    questions = sections["questions"]
    assert questions["chart"]["values"] == [5, None]
    assert [row[-1] for row in questions["rows"]] == [5, None]
    assert sections["unmet"]["chart"] == {"labels": ["Te duur"], "values": [None]}
    with session_scope(settings.database_url) as session:
        whole = insight.report(session, insight.Filters())
    figures = [n for n in every_figure([section["chart"]["values"] for section in whole["sections"]])]
    figures += every_figure([section["rows"] for section in whole["sections"]])
    assert figures and all(n == 0 or (n >= 5 and n % 5 == 0) for n in figures)  # no 4, no 9
    for row in csv.reader(io.StringIO(insight_page.render_csv(whole))):
        assert not row or not row[-1].isdigit() or int(row[-1]) in (0, 5, 10, 15, 20), row


def test_a_hidden_cell_cannot_be_worked_out_from_a_total(settings):
    # Helmond 5 and Asten 2: the chart's total for the theme minus the shown Helmond cell would
    # give Asten's 2 exactly; with every figure rounded to 5 it gives 0, the same as for 0 or 1.
    add(settings, 5, theme="computer_basics", municipality="Helmond", detail="fitted")
    add(settings, 2, theme="computer_basics", municipality="Asten", detail="fitted")
    questions = report(settings)["questions"]
    helmond = next(row[-1] for row in questions["rows"] if row[1] == "Helmond")
    assert questions["chart"]["values"] == [5] and helmond == 5
    assert insight.shown(8) == 10 and insight.shown(12) == 10 and insight.shown(13) == 15


def test_filters_pick_months_channel_and_municipality(settings):
    add(settings, 6, theme="computer_basics", municipality="Helmond", detail="fitted", channel="sms")
    add(settings, 9, theme="computer_basics", municipality="Eindhoven", detail="fitted", channel="whatsapp")
    add(settings, 8, "chat", channel="whatsapp", language="en")
    with session_scope(settings.database_url, write=True) as session:
        session.execute(update(InsightCount).where(InsightCount.channel == "sms").values(month="2026-01"))
    assert report(settings)["questions"]["chart"]["values"] == [15]
    assert report(settings, channel="sms")["questions"]["chart"]["values"] == [5]
    assert report(settings, since="2026-02")["questions"]["chart"]["values"] == [10]
    assert report(settings, until="2026-01")["questions"]["chart"]["values"] == [5]
    assert report(settings, municipality="Eindhoven")["questions"]["chart"]["values"] == [10]
    assert report(settings, municipality="Eindhoven")["months"]["rows"][-1][-1] == 10
    # Only searches know a place: the channel mix is the same with or without one.
    mix = report(settings, municipality="Helmond")["channels"]
    assert mix["rows"] == [["WhatsApp", "Engels", 10]]


def test_a_question_about_two_themes_is_one_search_a_month(settings):
    with session_scope(settings.database_url, write=True) as session:
        for _ in range(5):
            counts.count_question(
                session, ["computer_basics", "english"], municipality="Helmond", detail="fitted"
            )
    sections = report(settings)
    assert sections["months"]["chart"]["values"] == [5]
    assert sections["questions"]["chart"]["values"] == [5, 5]


@pytest.mark.parametrize(
    "args",
    [
        {"since": "2026-13"},
        {"since": "december"},
        {"since": "2026-05", "until": "2026-01"},
        {"municipality": "Amsterdam"},
        {"channel": "fax"},
    ],
)
def test_filters_that_the_page_does_not_offer_are_refused(args):
    with pytest.raises(insight.FilterError):
        insight.Filters.from_args(args)


def test_the_path_of_a_handoff_is_counted_in_the_store(settings):
    with session_scope(settings.database_url, write=True) as session:
        anna = auth.create_advisor(session, "anna", "Anna", "a-long-password", "advisor", rounds=4).id
        result = store.request_handoff(
            session, "whatsapp:+31611111111", "whatsapp", "asked_for_person", {}, "en"
        )
        # Asking again while waiting is the same handoff.
        store.request_handoff(session, "whatsapp:+31611111111", "whatsapp", "asked_for_person", {}, "en")
        session.execute(
            update(Case)
            .where(Case.id == result.case_id)
            .values(requested_at=dt.datetime.utcnow() - dt.timedelta(minutes=12))
        )
        assert store.claim(session, result.conversation_id, anna)
        store.end_case(session, result.conversation_id, anna, "closed", "advice_given")
        task = tasks.create_task(session, "callback", "sms:+31622222222", "sms", "nl", phone="+31622222222")
        tasks.finish_task(session, task.id, anna, outcome="not_reached")
    assert counted(settings) == {
        ("handoff", "asked_for_person"): 1,
        ("wait", "10_to_30"): 1,
        ("outcome", "advice_given"): 1,
        ("handoff", "callback"): 1,
        ("outcome", "not_reached"): 1,
    }


def test_counts_stay_when_the_conversations_are_erased_and_purged(settings):
    with session_scope(settings.database_url, write=True) as session:
        store.request_handoff(session, "sms:+31611111111", "sms", "asked_for_person", {}, "nl")
        store.request_handoff(session, "sms:+31633333333", "sms", "intake", {}, "nl")
        # The second one ended 40 days ago: past the retention period, so the purge takes it.
        long_ago = dt.datetime.utcnow() - dt.timedelta(days=40)
        session.execute(update(Case).values(ended_at=long_ago, requested_at=long_ago, end_kind="timed_out"))
        session.execute(update(Conversation).values(updated_at=long_ago, owner="bot", created_at=long_ago))
    before = counted(settings)
    erase_conversation("sms:+31611111111", settings)
    purge_expired(settings)
    with session_scope(settings.database_url) as session:
        assert (
            session.execute(select(Conversation).where(Conversation.sender_id.like("sms:%"))).first() is None
        )
    assert counted(settings) == before == {("handoff", "asked_for_person"): 1, ("handoff", "intake"): 1}


def test_referrals_per_ambassador_hide_small_stages_and_follow_the_months(settings):
    with session_scope(settings.database_url, write=True) as session:
        fatima = ambassadors.create_ambassador(session, "Fatima", "buurthuis De Kastanje", "", None)
        for number in range(6):
            ambassadors.start_referral(session, fatima["code"], f"webchat:{number}", "webchat")
        ambassadors.mark_stage(session, "webchat:0", "offer_shown")
        # Another Fatima at the same place is another ambassador, with her own counts.
        other = ambassadors.create_ambassador(session, "Fatima", "buurthuis De Kastanje", "", None)
        for number in range(8):
            ambassadors.start_referral(session, other["code"], f"webchat:other-{number}", "webchat")
    section = report(settings)["referrals"]
    assert section["rows"] == [
        # 0 is shown (nobody); 1 to 4 are not.
        ["Fatima", "buurthuis De Kastanje", 10, 0, 0, 0],
        ["Fatima", "buurthuis De Kastanje", 5, 0, None, 0],
    ]
    assert section["chart"]["values"] == [10, 5]
    assert report(settings, since="2099-01")["referrals"]["rows"] == []


def test_the_page_escapes_names_and_the_csv_never_runs_a_formula(settings):
    with session_scope(settings.database_url, write=True) as session:
        evil = ambassadors.create_ambassador(session, "=HYPERLINK(1)", "<script>alert(1)</script>", "", None)
        for number in range(5):
            ambassadors.start_referral(session, evil["code"], f"webchat:{number}", "webchat")
        whole = insight.report(session, insight.Filters())
    page = insight_page.render_page(whole, insight.Filters(), insight.filter_options())
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    csv_text = insight_page.render_csv(whole, "referrals")
    assert csv_text.splitlines()[1].startswith("'=HYPERLINK(1)")


def test_every_chart_has_an_alternative_text_naming_its_biggest_bars(settings):
    add(settings, 9, theme="computer_basics", municipality="Helmond", detail="fitted")
    with session_scope(settings.database_url) as session:
        whole = insight.report(session, insight.Filters())
    page = insight_page.render_page(whole, insight.Filters(), insight.filter_options())
    assert 'src="/api/insight/charts/questions"' in page
    assert (
        'alt="Staafdiagram Vragen per thema. Grootste: Basis computer: 10. Alle cijfers staan in de tabel."'
        in page
    )
    # A section without figures has no chart (and so no image without a meaning).
    assert "/api/insight/charts/handoffs" not in page


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request, tmp_path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh database on the machine's PostgreSQL (the scale-out store)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    with throwaway_postgres() as url:
        yield url


def test_processes_counting_the_same_row_at_once_lose_nothing(any_database):
    engine_for(any_database)  # migrated once, before the threads start

    def count_many(_: int) -> None:
        for _ in range(20):
            with session_scope(any_database, write=True) as session:
                counts.count(session, "chat", channel="whatsapp", language="nl")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(count_many, range(4)))
    with session_scope(any_database) as session:
        assert session.execute(select(InsightCount.count)).scalars().all() == [80]


def test_a_chart_keeps_its_words_as_text_and_hides_small_bars():
    svg = charts.bar_chart_svg(["Basis computer", "Gebarentaal"], [12, None])
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "Basis computer" in svg and "Gebarentaal" in svg and "&lt;5" in svg
    assert "'sans-serif'" not in svg  # a quoted generic family is a font no browser has
    assert charts.bar_chart_svg([], []) == ""
    # "$" starts a formula in matplotlib: a name with two of them is drawn as written.
    assert "Piet $5 en $10" in charts.bar_chart_svg(["Piet $5 en $10", r"Jan $\frac$"], [5, 5])
