"""The personal-data registry is complete, and erase and purge reach every table on it.

The first tests fail when a table with (possible) personal data appears anywhere in the
project without a decision in helpdesk/personal_data.py. The others fill every personal table
that exists with rows of two conversations, generically from the real table definitions (so a
table added later is filled too), and check erase and purge on real SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

import actions.records
import channels.store
import helpdesk.models
import offer_catalogue.models
from helpdesk.database import engine_for
from helpdesk.personal_data import (
    APP,
    CONVERSATION_ID,
    EXPIRED,
    HELPDESK_CONVERSATION,
    NOT_PERSONAL,
    PERSONAL_TABLES,
    SMS_NUMBER,
    TRACKER,
    TRACKER_EVENTS_TABLE,
    PersonalTable,
    personal_table,
)
from helpdesk.privacy import erase_conversation, purge_expired, tracker_engine, tracker_store_url
from leerwijzer.settings import PROJECT_ROOT, Settings
from tests.helpdesk.support import copy_sample_database, throwaway_postgres

# Every SQLAlchemy metadata of the project, by the module that defines it, plus Rasa's.
PROJECT_METADATA = {
    "offer_catalogue.models": offer_catalogue.models.Base.metadata,
    "helpdesk.models": helpdesk.models.Base.metadata,
    "channels.store": channels.store.metadata,
    "actions.records": actions.records.metadata,
}
RASA_METADATA = SQLTrackerStore.SQLEvent.metadata

RETENTION_DAYS = 30
NOW = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
OLD = NOW - dt.timedelta(days=RETENTION_DAYS + 10)
FRESH = NOW - dt.timedelta(days=1)

ANNA = "sms:+31611111111"
BERT = "sms:+31622222222"
CARL = "whatsapp:+31644444444"
MARK = {ANNA: "ANNA", BERT: "BERT", CARL: "CARL"}


def all_tables() -> Dict[str, sa.Table]:
    """Every table of every metadata, by name."""
    tables: Dict[str, sa.Table] = {}
    for metadata in (*PROJECT_METADATA.values(), RASA_METADATA):
        tables.update(metadata.tables)
    return tables


# The registry is complete.


def test_every_table_is_personal_or_explicitly_not():
    """Each table of each metadata has a decision: on the registry, or not personal with a reason."""
    personal = {entry.name for entry in PERSONAL_TABLES}
    undecided = sorted(set(all_tables()) - personal - set(NOT_PERSONAL))
    assert not undecided, (
        f"tables without a privacy decision: {undecided}; add them to PERSONAL_TABLES "
        "(erase key, purge rule) or to NOT_PERSONAL (with the reason) in helpdesk/personal_data.py"
    )
    assert not personal & set(NOT_PERSONAL)
    assert all(reason.strip() for reason in NOT_PERSONAL.values())
    assert len(personal) == len(PERSONAL_TABLES), "a table is on the registry twice"


def test_no_module_defines_tables_outside_the_known_metadata():
    """A new MetaData, declarative base or Table elsewhere would escape the check above."""
    definition = re.compile(r"\b(MetaData|declarative_base|registry|Table)\(")
    known = {PROJECT_ROOT.joinpath(*name.split(".")).with_suffix(".py") for name in PROJECT_METADATA}
    found = []
    for folder in ("actions", "bot", "catalogue", "channels", "helpdesk", "leerwijzer"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts or path in known:
                continue
            if definition.search(path.read_text(encoding="utf-8")):
                found.append(str(path.relative_to(PROJECT_ROOT)))
    assert not found, f"tables defined outside PROJECT_METADATA (add the module there): {found}"


def test_migrated_databases_hold_only_decided_tables(tmp_path, sample_database_url):
    """Tables made by migrations or by Rasa (not only by metadata) have a decision too."""
    app_url = copy_sample_database(sample_database_url, tmp_path)
    engine = engine_for(app_url)
    channels.store.metadata.create_all(engine)
    actions.records.metadata.create_all(engine)
    SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    decided = {entry.name for entry in PERSONAL_TABLES} | set(NOT_PERSONAL)
    try:
        for bind in (engine, tracker):
            undecided = set(sa.inspect(bind).get_table_names()) - decided
            assert not undecided, f"{bind.url}: tables without a privacy decision: {sorted(undecided)}"
        assert TRACKER_EVENTS_TABLE in sa.inspect(tracker).get_table_names()
    finally:
        tracker.dispose()


def test_registry_names_real_columns_of_the_right_type():
    """Every erase key, time column and keep flag exists; a rename must update the registry."""
    tables = all_tables()
    assert set(RASA_METADATA.tables) == {TRACKER_EVENTS_TABLE}
    for entry in PERSONAL_TABLES:
        assert entry.name in tables, f"{entry.name} is on the registry but defined nowhere"
        table = tables[entry.name]
        assert (entry.database == TRACKER) == (table.metadata is RASA_METADATA), entry.name
        for key in entry.erase:
            assert key.column in table.c, f"{entry.name}.{key.column}"
        time_type = sa.Float if entry.purge.epoch_seconds else sa.DateTime
        assert isinstance(table.c[entry.purge.column].type, time_type), f"{entry.name}.{entry.purge.column}"
        if entry.kept_while:
            assert isinstance(table.c[entry.kept_while].type, sa.Boolean), f"{entry.name}.{entry.kept_while}"
        for reference in entry.purge.unless_referenced_by:
            name, column = reference.split(".")
            assert column in tables[name].c, reference
            assert any(fk.column is table.c.id for fk in tables[name].c[column].foreign_keys), reference


def test_rows_pointing_at_a_personal_table_are_erased_first_and_keep_it_from_the_purge():
    """Foreign keys: children come first on the list, and the purge never orphans them."""
    order = {entry.name: index for index, entry in enumerate(PERSONAL_TABLES)}
    for table in all_tables().values():
        for fk in table.foreign_keys:
            target = fk.column.table.name
            if target not in order:
                continue
            assert table.name in order, f"{table.name} points at personal data in {target}"
            assert order[table.name] < order[target], f"{table.name} must come before {target}"
            reference = f"{table.name}.{fk.parent.name}"
            assert reference in personal_table(target).purge.unless_referenced_by, reference


# Erase and purge over every table.


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path) -> Iterator[Settings]:
    """Fresh app and tracker databases with every table made: SQLite files or PostgreSQL."""
    if request.param == "sqlite":
        yield make_tables(
            Settings(
                database_url=f"sqlite:///{tmp_path / 'app.db'}",
                tracker_store_db=str(tmp_path / "tracker.db"),
                retention_days=RETENTION_DAYS,
            )
        )
        return
    with throwaway_postgres() as app_url, throwaway_postgres() as tracker_url:
        yield make_tables(
            Settings(database_url=app_url, tracker_store_db=tracker_url, retention_days=RETENTION_DAYS)
        )


def make_tables(settings: Settings) -> Settings:
    """Create the helpdesk (by migration), channel, record and tracker tables."""
    engine = engine_for(settings.database_url)
    channels.store.metadata.create_all(engine)
    actions.records.metadata.create_all(engine)
    tracker = tracker_engine(tracker_store_url(settings))
    RASA_METADATA.create_all(tracker)
    tracker.dispose()
    return settings


class Filler:
    """Writes rows into any personal table, every column filled from its type."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tables = all_tables()
        self.counter = itertools.count(1)
        self.helpdesk_ids: Dict[str, int] = {}
        with self.engine(APP).begin() as connection:
            self.advisor_id = connection.execute(
                helpdesk.models.Advisor.__table__.insert().values(
                    username="eva", display_name="Eva", password_hash="x", role="advisor", created_at=NOW
                )
            ).inserted_primary_key[0]
            # Referrals point at an ambassador (not personal data of the people who chat).
            self.ambassador_id = connection.execute(
                helpdesk.models.Ambassador.__table__.insert().values(
                    code="ABCDEFGH", name="Fatima", place="De Kastanje", active=True, created_at=NOW
                )
            ).inserted_primary_key[0]

    def engine(self, database: str) -> sa.engine.Engine:
        """The engine of the app or the tracker database."""
        if database == APP:
            return engine_for(self.settings.database_url)
        return tracker_engine(tracker_store_url(self.settings))

    def present(self) -> List[Tuple[PersonalTable, sa.Table]]:
        """Every registry entry with its table definition."""
        return [(entry, self.tables[entry.name]) for entry in PERSONAL_TABLES]

    def value(self, entry: PersonalTable, column: sa.Column, conversation: str, moment: dt.datetime) -> Any:
        """The value of one column in a row of `conversation` written at `moment`."""
        keys = {key.column: key.holds for key in entry.erase}
        if column.name in keys:
            holds = keys[column.name]
            if holds == CONVERSATION_ID:
                return conversation
            if holds == HELPDESK_CONVERSATION:
                return self.helpdesk_ids[conversation]
            assert holds == SMS_NUMBER
            return conversation.removeprefix("sms:")
        if column.name == entry.purge.column and entry.purge.when == EXPIRED:
            moment = NOW - dt.timedelta(days=1) if moment < FRESH else NOW + dt.timedelta(days=1)
        targets = {fk.column.table.name for fk in column.foreign_keys}
        if "hd_advisors" in targets:
            return self.advisor_id
        if "hd_ambassadors" in targets:
            return self.ambassador_id
        if "hd_conversations" in targets:
            return self.helpdesk_ids[conversation]
        kind = column.type
        if isinstance(kind, sa.Boolean):
            return False
        if isinstance(kind, sa.DateTime):
            return moment
        if isinstance(kind, sa.Float):
            return moment.replace(tzinfo=dt.timezone.utc).timestamp()
        if isinstance(kind, sa.Integer):
            return next(self.counter)
        if isinstance(kind, sa.JSON):
            return {"text": MARK[conversation]}
        if isinstance(kind, sa.String):  # Text too
            text = f"{MARK[conversation]}{next(self.counter)}"
            return text[: kind.length] if kind.length else f"{text} {conversation} woont in Mierlo"
        raise AssertionError(f"{entry.name}.{column.name}: teach the filler type {kind!r}")

    def row(
        self, entry: PersonalTable, table: sa.Table, conversation: str, moment: dt.datetime, **fixed: Any
    ) -> Any:
        """Insert one row; returns its primary key."""
        values = dict(fixed)
        for column in table.columns:
            if column.name in values:
                continue
            generated = column.primary_key and column.autoincrement is not False
            if generated and isinstance(column.type, sa.Integer):
                continue
            values[column.name] = self.value(entry, column, conversation, moment)
        engine = self.engine(entry.database)
        try:
            with engine.begin() as connection:
                return connection.execute(table.insert().values(**values)).inserted_primary_key
        finally:
            if entry.database == TRACKER:
                engine.dispose()

    def conversation(self, conversation: str, moment: dt.datetime, **fixed: Any) -> None:
        """The helpdesk conversation row first (others point at it)."""
        entry = personal_table("hd_conversations")
        key = self.row(entry, self.tables[entry.name], conversation, moment, **fixed)
        self.helpdesk_ids[conversation] = key[0]

    def everything(self, conversation: str, moment: dt.datetime) -> None:
        """One row of `conversation` in every personal table, parents before children."""
        self.conversation(conversation, moment)
        for entry, table in reversed(self.present()):
            if entry.name != "hd_conversations":
                self.row(entry, table, conversation, moment)

    def rows(self, entry: PersonalTable, table: sa.Table) -> List[tuple]:
        """All rows of a table, as tuples of text."""
        engine = self.engine(entry.database)
        try:
            with engine.connect() as connection:
                return sorted(tuple(map(str, row)) for row in connection.execute(sa.select(table)))
        finally:
            if entry.database == TRACKER:
                engine.dispose()

    def rows_of(self, conversation: str) -> Dict[str, List[tuple]]:
        """Per table, the rows that hold the conversation's mark or phone number."""
        signs = (MARK[conversation], conversation.removeprefix("sms:"))
        return {
            entry.name: [row for row in self.rows(entry, table) if any(s in v for v in row for s in signs)]
            for entry, table in self.present()
        }


def test_erase_leaves_no_row_of_the_conversation_in_any_table_and_keeps_the_other(settings):
    """Every table with an erase key loses all of Anna's rows; Bert's stay exactly as they were."""
    filler = Filler(settings)
    filler.everything(ANNA, FRESH)
    filler.everything(BERT, FRESH)
    anna_before, bert_before = filler.rows_of(ANNA), filler.rows_of(BERT)
    assert all(anna_before.values()) and all(bert_before.values()), "precondition: every table filled"

    deleted = erase_conversation(ANNA, settings)

    anna_after = filler.rows_of(ANNA)
    for entry, _table in filler.present():
        if entry.erase:
            assert anna_after[entry.name] == [], f"{entry.name}: rows of the erased conversation left"
            assert deleted[entry.name] == len(anna_before[entry.name]), entry.name
        else:  # no key ties these rows to a conversation: only the purge removes them
            assert anna_after[entry.name] == anna_before[entry.name], entry.name
    assert filler.rows_of(BERT) == bert_before, "another conversation's rows changed"


def test_erase_keeps_an_sms_stop(settings):
    """A STOP must be honoured as long as the number exists, even after an erase."""
    filler = Filler(settings)
    opt_outs = personal_table("channel_sms_opt_outs")
    filler.everything(ANNA, FRESH)
    erase_conversation(ANNA, settings)
    filler.row(opt_outs, filler.tables[opt_outs.name], ANNA, FRESH, opted_out=True)

    erase_conversation(ANNA, settings)

    assert [row[0] for row in filler.rows(opt_outs, filler.tables[opt_outs.name])] == ["+31611111111"]


def test_erase_in_two_steps_leaves_only_what_the_confirmation_needs(settings):
    """The action's step keeps last-inbound, the message in flight and the tracker; step 2 takes them."""
    filler = Filler(settings)
    filler.everything(ANNA, FRESH)
    kept = {entry.name for entry, _table in filler.present() if entry.needed_for_confirmation}
    assert kept == {"channel_last_inbound", TRACKER_EVENTS_TABLE}

    erase_conversation(ANNA, settings, keep_for_confirmation=True)

    left = {name for name, rows in filler.rows_of(ANNA).items() if rows and personal_table(name).erase}
    assert left == kept

    erase_conversation(ANNA, settings)

    assert not any(rows for name, rows in filler.rows_of(ANNA).items() if personal_table(name).erase)


def test_purge_deletes_old_rows_from_every_table_and_keeps_fresh_ones(settings):
    """Anna's rows are past retention, Bert's are not; open cases and STOPs stay."""
    filler = Filler(settings)
    filler.everything(ANNA, OLD)
    filler.everything(BERT, FRESH)
    # An old conversation whose case is still open, and an old STOP.
    waiting = CARL
    filler.conversation(waiting, OLD, owner="waiting")
    cases = personal_table("hd_cases")
    filler.row(cases, filler.tables[cases.name], waiting, OLD, ended_at=None)
    opt_outs = personal_table("channel_sms_opt_outs")
    stop = {"opted_out": True, "keyword": "STOP"}
    filler.row(opt_outs, filler.tables[opt_outs.name], "sms:+31655555555", OLD, **stop)
    bert_before = filler.rows_of(BERT)

    report = purge_expired(settings, now=NOW)

    assert {name: rows for name, rows in filler.rows_of(ANNA).items() if rows} == {}
    assert filler.rows_of(BERT) == bert_before
    still_waiting = filler.rows_of(waiting)
    assert len(still_waiting["hd_cases"]) == 1 and len(still_waiting["hd_conversations"]) == 1
    assert [row[0] for row in filler.rows(opt_outs, filler.tables[opt_outs.name])] == [
        "+31622222222",
        "+31655555555",
    ]
    assert all(report.deleted[entry.name] >= 1 for entry, _table in filler.present())
    assert report.cutoff == NOW - dt.timedelta(days=RETENTION_DAYS)


def test_purge_skips_tables_a_database_does_not_have(tmp_path):
    """A tracker Rasa never wrote is not an error (app databases are migrated to head first)."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        tracker_store_db=str(tmp_path / "no-tracker-yet.db"),
        retention_days=RETENTION_DAYS,
    )
    report = purge_expired(settings, now=NOW)

    # Since helpdesk migration 0002 every app table exists once the database is opened.
    assert "hd_messages" in report.deleted and "channel_last_inbound" in report.deleted
    assert not Path(settings.tracker_store_db).exists()
    assert erase_conversation(ANNA, settings).get("hd_conversations") == 0
