"""The insight page, its charts, JSON and CSV through the running console: coordinators only."""

from __future__ import annotations

import csv
import io

from helpdesk import counts
from helpdesk.database import session_scope
from tests.helpdesk.support import ADVISOR_PASSWORD, new_coordinator


def seed(url: str) -> None:
    """Seven searches for basic computer skills in Helmond over SMS (fitted), three too dear.

    Counted as the search action counts them: once, and once per theme.
    """
    with session_scope(url, write=True) as session:
        for detail, times in (("fitted", 7), ("price", 3)):
            for _ in range(times):
                counts.count_question(
                    session, ["computer_basics"], channel="sms", municipality="Helmond", detail=detail
                )


def test_a_coordinator_sees_the_page_charts_and_tables(helpdesk):
    seed(helpdesk.database_url)
    cora = new_coordinator(helpdesk)
    page = cora.get("/insight")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Vragen per thema" in page.text and "Basis computer" in page.text
    assert "Content-Security-Policy" in page.headers  # the console's headers cover the page too
    chart = cora.get("/api/insight/charts/questions?channel=sms")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert "Basis computer" in chart.text  # text stays text in the SVG
    assert cora.get("/api/insight/charts/nonsense").status_code == 404
    assert cora.get("/api/insight/charts/handoffs?channel=telegram").status_code == 404  # no figures

    # channel=sms: the sample database copy holds counts the action tests made (web, WhatsApp).
    figures = cora.get("/api/insight?municipality=Helmond&channel=sms").json()
    unmet = next(section for section in figures["sections"] if section["id"] == "unmet")
    assert unmet["rows"] == [["Basis computer", "Te duur", "Helmond", None]]  # 3: hidden
    assert cora.get("/api/insight?since=yesterday").status_code == 400


def test_the_csv_is_a_download_with_small_cells_hidden(helpdesk):
    seed(helpdesk.database_url)
    cora = new_coordinator(helpdesk)
    reply = cora.get("/api/insight.csv?section=unmet&channel=sms")
    assert reply.status_code == 200
    assert reply.headers["content-disposition"] == 'attachment; filename="leerwijzer-inzicht-unmet.csv"'
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0] == ["Thema", "Wat niet paste", "Gemeente", "Zoekvragen"]
    assert all(row[-1] == "<5" or int(row[-1]) >= 5 for row in rows[1:])
    everything = cora.get("/api/insight.csv").text
    assert everything.startswith("Vragen per thema") and "Leerambassadeurs" in everything
    assert cora.get("/api/insight.csv?section=people").status_code == 404


def test_a_bad_filter_on_the_page_shows_everything_and_says_why(helpdesk):
    cora = new_coordinator(helpdesk)
    page = cora.get("/insight?since=2026-13")
    assert page.status_code == 200 and "Filter niet gebruikt" in page.text


def test_advisors_and_strangers_do_not_see_the_insight(helpdesk):
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.get("/insight").status_code == 403
    for path in ("/api/insight", "/api/insight.csv", "/api/insight/charts/questions"):
        assert anna.get(path).status_code == 403
    stranger = helpdesk.console.client()
    away = stranger.get("/insight", follow_redirects=False)
    assert away.status_code in (302, 303) and away.headers["location"] == "/"
    assert stranger.get("/api/insight.csv").status_code == 401
