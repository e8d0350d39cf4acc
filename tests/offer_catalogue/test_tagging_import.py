"""Themes, schedules and language codes at import; migration 0003; retag and maintainer commands."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text, update

from offer_catalogue import cli
from offer_catalogue.csv_import import EXAMPLE_FILE, import_csv
from offer_catalogue.database import current_revision, downgrade, make_engine, make_session_factory, migrate
from offer_catalogue.importing import offer_theme_scores, remove_source, retag_all
from offer_catalogue.models import (
    CatalogueMeta,
    Offer,
    Offering,
    OfferSearchTerm,
    Provider,
    SearchTermWeight,
    Theme,
    offer_themes,
)
from offer_catalogue.ooapi import import_ooapi
from offer_catalogue.sample import load_sample_catalogue
from offer_catalogue.schedule import AFTERNOON, EVENING, MONDAY, MORNING, SATURDAY, THURSDAY, TUESDAY
from offer_catalogue.theme_tagging import WEIGHT_THEME, theme_term

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ooapi_schedule_themes"
HEAD = "0003_schedule_theme_scores"


def _offerings(sessions) -> dict[str, Offering]:
    """Offerings by source id (detached, attributes loaded)."""
    with sessions() as session:
        return {row.source_id: row for row in session.execute(select(Offering)).scalars()}


def _themes(sessions, source_id: str) -> list[tuple[str, float | None]]:
    """(theme code, score) of one offer."""
    with sessions() as session:
        offer = session.execute(select(Offer).where(Offer.source_id == source_id)).scalar_one()
        return offer_theme_scores(session, offer.id)


def _version(sessions) -> str:
    """The vocabulary version."""
    with sessions() as session:
        return session.get(CatalogueMeta, "vocabulary_version").value


def test_ooapi_import_stores_schedules_languages_and_themes(sqlite_sessions) -> None:
    """An ext schedule, single-session date-time, free text; 2-letter languages; scored themes."""
    report = import_ooapi(sqlite_sessions, FIXTURE)
    assert (report.created, report.rejected) == (5, [])
    rows = _offerings(sqlite_sessions)
    # ext schedule wins over "Start op maandag" in the description.
    assert (rows["sched-ext"].days_mask, rows["sched-ext"].day_parts) == (TUESDAY, EVENING)
    assert (rows["sched-single-session"].days_mask, rows["sched-single-session"].day_parts) == (
        SATURDAY,
        MORNING | AFTERNOON,
    )
    assert (rows["sched-text"].days_mask, rows["sched-text"].day_parts) == (THURSDAY, AFTERNOON)
    assert (rows["sched-none"].days_mask, rows["sched-none"].day_parts) == (None, None)
    assert (rows["sched-multi-day"].days_mask, rows["sched-multi-day"].day_parts) == (None, EVENING)
    assert {row.source_id: row.teaching_language for row in rows.values()} == {
        "sched-ext": "nl",
        "sched-single-session": "nl",
        "sched-text": "en",
        "sched-none": "nl",
        "sched-multi-day": "nl",
    }
    assert _themes(sqlite_sessions, "course-lassen") == [("welding", 1.0)]
    assert [code for code, _ in _themes(sqlite_sessions, "course-nt2-avond")] == ["dutch_second_language"]
    assert [code for code, _ in _themes(sqlite_sessions, "course-ehbo-weekend")] == ["first_aid"]
    assert [code for code, _ in _themes(sqlite_sessions, "course-computer-en")] == ["computer_basics"]
    assert _themes(sqlite_sessions, "course-bakken") == []
    with sqlite_sessions() as session:
        theme = session.execute(select(Theme).where(Theme.code == "first_aid")).scalar_one()
        assert (theme.name_nl, theme.name_en) == ("EHBO en reanimatie", "first aid")
        offer = session.execute(select(Offer).where(Offer.source_id == "course-ehbo-weekend")).scalar_one()
        assert [row.code for row in offer.themes] == ["first_aid"]
        terms = dict(
            session.execute(
                select(OfferSearchTerm.term, OfferSearchTerm.weight).where(
                    OfferSearchTerm.offer_id == offer.id
                )
            ).all()
        )
        assert terms[theme_term("first_aid")] == WEIGHT_THEME
        assert not any(term.startswith("#") and term != "#first_aid" for term in terms)
        weights = session.execute(
            select(SearchTermWeight.offer_count).where(
                SearchTermWeight.term == "#first_aid", SearchTermWeight.weight == WEIGHT_THEME
            )
        ).scalar_one()
        assert weights == 1


def test_reimport_keeps_one_row_per_theme_and_bumps_version(sqlite_sessions) -> None:
    """Re-importing updates themes in place and makes search caches refresh."""
    import_ooapi(sqlite_sessions, FIXTURE)
    first = _version(sqlite_sessions)
    before = _themes(sqlite_sessions, "course-nt2-avond")
    import_ooapi(sqlite_sessions, FIXTURE)
    assert _themes(sqlite_sessions, "course-nt2-avond") == before
    assert _version(sqlite_sessions) != first


def test_csv_and_sample_get_schedules_and_keep_old_labels(sqlite_sessions) -> None:
    """CSV and the sample loader parse their schedule text; old theme labels stay (score NULL)."""
    import_csv(sqlite_sessions, EXAMPLE_FILE)
    rows = _offerings(sqlite_sessions)
    assert (rows["vb-excel-2027-03"].days_mask, rows["vb-excel-2027-03"].day_parts) == (TUESDAY, EVENING)
    scored = dict(_themes(sqlite_sessions, "vb-excel"))
    assert scored["excel"] > 0.8 and scored["kantoor"] is None
    load_sample_catalogue(sqlite_sessions)
    rows = _offerings(sqlite_sessions)
    walk_in = rows["inloop-leren-werken-asten-1"]
    assert (walk_in.days_mask, walk_in.day_parts) == (MONDAY, AFTERNOON)
    with sqlite_sessions() as session:
        untagged = [
            offer.source_id
            for offer in session.execute(select(Offer).where(Offer.source == "sample")).scalars()
            if not any(score for _, score in offer_theme_scores(session, offer.id))
        ]
    # Only the two funding schemes have no subject theme.
    assert sorted(untagged) == ["regeling-slim", "regeling-stap-budget"]


def test_retag_restores_themes_and_schedules(sqlite_sessions) -> None:
    """After the migration (empty columns) `retag_all` fills themes, scores, schedules and terms."""
    import_csv(sqlite_sessions, EXAMPLE_FILE)
    with sqlite_sessions() as session, session.begin():
        session.execute(update(Offering).values(days_mask=None, day_parts=None))
        session.execute(update(offer_themes).values(score=None))
        session.execute(OfferSearchTerm.__table__.delete().where(OfferSearchTerm.term.like("#%")))
    version = _version(sqlite_sessions)
    report = retag_all(sqlite_sessions)
    assert report.offers == 2 and report.offerings_with_days >= 1
    assert _version(sqlite_sessions) != version
    rows = _offerings(sqlite_sessions)
    assert (rows["vb-excel-2027-03"].days_mask, rows["vb-excel-2027-03"].day_parts) == (TUESDAY, EVENING)
    scored = dict(_themes(sqlite_sessions, "vb-excel"))
    # Scores of NULL (from before migration 0003) on taxonomy ids count as given: 1.0 now.
    assert scored["excel"] == 1.0
    with sqlite_sessions() as session:
        assert (
            session.execute(
                select(OfferSearchTerm.weight).where(OfferSearchTerm.term == "#excel")
            ).scalar_one()
            == WEIGHT_THEME
        )


def test_remove_source_deletes_offers_providers_and_terms(sqlite_sessions) -> None:
    """Removing the sample leaves other sources and no orphaned rows of the sample."""
    load_sample_catalogue(sqlite_sessions)
    import_ooapi(sqlite_sessions, FIXTURE)
    assert remove_source(sqlite_sessions, "sample") >= 150
    with sqlite_sessions() as session:
        assert {row.source for row in session.execute(select(Offer)).scalars()} == {"ooapi"}
        assert {row.source for row in session.execute(select(Provider)).scalars()} == {"ooapi"}
        offer_ids = set(session.execute(select(Offer.id)).scalars())
        assert set(session.execute(select(OfferSearchTerm.offer_id).distinct()).scalars()) == offer_ids


def test_cli_replace_catalogue_themes_and_remove_sample(tmp_path, capsys) -> None:
    """replace-catalogue imports and removes the sample; themes --doubtful lists the doubtful."""
    url = f"sqlite:///{tmp_path}/cli.db"
    assert cli.main(["--database-url", url, "init"]) == 0
    assert cli.main(["--database-url", url, "replace-catalogue", "--ooapi", str(FIXTURE)]) == 0
    output = capsys.readouterr().out
    assert "ooapi: 5 created" in output and "offers removed" in output
    assert cli.main(["--database-url", url, "themes", "--doubtful"]) == 0
    output = capsys.readouterr().out
    assert "course-bakken" in output and "no theme found" in output
    assert "course-lassen" not in output and "(1 doubtful offers of 5)" in output
    assert cli.main(["--database-url", url, "themes"]) == 0
    assert "welding 1.00" in capsys.readouterr().out
    assert cli.main(["--database-url", url, "retag"]) == 0
    assert "5 offers re-tagged" in capsys.readouterr().out
    assert cli.main(["--database-url", url, "remove-sample"]) == 0
    assert "sample: 0 offers removed" in capsys.readouterr().out


def test_cli_replace_catalogue_keeps_sample_when_nothing_imports(tmp_path, capsys) -> None:
    """A feed that imports nothing does not leave people with an empty catalogue."""
    url = f"sqlite:///{tmp_path}/cli.db"
    cli.main(["--database-url", url, "init"])
    empty = tmp_path / "empty.csv"
    empty.write_text("offering_id,offer_id\n", encoding="utf-8")
    assert cli.main(["--database-url", url, "replace-catalogue", "--csv", str(empty)]) == 1
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.execute(select(Offer.id).where(Offer.source == "sample").limit(1)).first()
    engine.dispose()


def _columns(engine, table: str) -> set[str]:
    """Column names of a table."""
    return {column["name"] for column in inspect(engine).get_columns(table)}


def test_migration_0003_on_sqlite_with_existing_data(tmp_path) -> None:
    """Upgrading a 0002 database keeps its rows, adds the columns, and downgrades cleanly."""
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    try:
        migrate(engine, "0002_search_levels")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO providers (id, source, source_id, name, fictional) VALUES (1, 't', 'p', 'P', 0)",
                "INSERT INTO offers (id, source, source_id, provider_id, kind, title_nl, fictional) "
                "VALUES (1, 't', 'o', 1, 'course', 'Basiscursus lassen', 0)",
                "INSERT INTO offerings (id, source, source_id, offer_id, mode, schedule_text) "
                "VALUES (1, 't', 'r', 1, 'online', 'elke dinsdagavond')",
                "INSERT INTO themes (id, code, name_nl) VALUES (1, 'techniek', 'techniek')",
                "INSERT INTO offer_themes (offer_id, theme_id) VALUES (1, 1)",
            ):
                connection.execute(text(statement))
        migrate(engine)
        assert current_revision(engine) == HEAD
        assert {"days_mask", "day_parts"} <= _columns(engine, "offerings")
        assert "score" in _columns(engine, "offer_themes")
        sessions = make_session_factory(engine)
        retag_all(sessions)
        assert dict(_themes(sessions, "o")) == {"welding": 0.85, "technical_trades": 0.7, "techniek": None}
        assert (_offerings(sessions)["r"].days_mask, _offerings(sessions)["r"].day_parts) == (
            TUESDAY,
            EVENING,
        )
        downgrade(engine, "0002_search_levels")
        assert "days_mask" not in _columns(engine, "offerings")
        assert "score" not in _columns(engine, "offer_themes")
    finally:
        engine.dispose()


@pytest.fixture
def fresh_pg(pg_server):
    """A second, empty PostgreSQL database (the shared one must keep its schema)."""
    server = pg_server.rsplit("/", 1)[0] + "/"
    name = f"leerwijzer_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server + "postgres", isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migration_0003_and_import_on_postgresql(fresh_pg) -> None:
    """The migration and the tagged import work on PostgreSQL too."""
    engine = make_engine(fresh_pg)
    try:
        migrate(engine)
        assert current_revision(engine) == HEAD
        sessions = make_session_factory(engine)
        assert not import_ooapi(sessions, FIXTURE).rejected
        assert _themes(sessions, "course-lassen") == [("welding", 1.0)]
        assert (_offerings(sessions)["sched-ext"].days_mask, _offerings(sessions)["sched-ext"].day_parts) == (
            TUESDAY,
            EVENING,
        )
        assert retag_all(sessions).offers == 5
        downgrade(engine, "0002_search_levels")
        assert "score" not in _columns(engine, "offer_themes")
        migrate(engine)
        assert "days_mask" in _columns(engine, "offerings")
    finally:
        engine.dispose()


def test_init_tags_a_catalogue_imported_before_themes_existed(tmp_path, capsys) -> None:
    """`make run` on an older database: init migrates, then tags and indexes its offers once."""
    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    try:
        migrate(engine, "0002_search_levels")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO providers (id, source, source_id, name, fictional) VALUES (1, 't', 'p', 'P', 0)",
                "INSERT INTO offers (id, source, source_id, provider_id, kind, title_nl, fictional) "
                "VALUES (1, 't', 'o', 1, 'course', 'Basiscursus lassen', 0)",
                "INSERT INTO offerings (id, source, source_id, offer_id, mode, schedule_text) "
                "VALUES (1, 't', 'r', 1, 'online', 'elke dinsdagavond')",
            ):
                connection.execute(text(statement))
    finally:
        engine.dispose()
    assert cli.main(["--database-url", url, "init"]) == 0
    assert "themes:" in capsys.readouterr().out
    sessions = make_session_factory(make_engine(url))
    assert "welding" in dict(_themes(sessions, "o"))
    assert cli.main(["--database-url", url, "init"]) == 0
    assert "themes:" not in capsys.readouterr().out  # tagged once, not on every start


def test_the_offer_s_own_words_say_when_where_the_schedule_is_empty(sqlite_sessions) -> None:
    """The sample and CSV importers read the title and description for the time too, as OOAPI does.

    "Mantelzorgcafé Laarbeek" has no schedule, but its description starts "Een avond voor
    mensen die zorgen voor ...": it must not be shown to someone who can only come by day.
    """
    load_sample_catalogue(sqlite_sessions)
    rows = _offerings(sqlite_sessions)
    assert rows["mantelzorg-09-1"].day_parts == EVENING
    assert rows["mantelzorg-03-1"].day_parts is None  # nothing said: not "never"
