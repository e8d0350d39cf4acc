"""Every table that holds personal data, and how the erase and the retention purge treat it.

This is the one list. `helpdesk.privacy` erases a conversation and purges old rows by walking
it; nothing else in the project knows which tables hold personal data.
`tests/helpdesk/test_privacy_registry.py` fails when a table appears in any of the project's
SQLAlchemy metadata (or in a migrated database) that is neither in `PERSONAL_TABLES` nor in
`NOT_PERSONAL`, so a new table forces a decision here.

Conversation ids are channel-qualified (`whatsapp:+31612345678`, `sms:+31687654321`,
`telegram:424242`, `web:<id>`, `rest:<id>`; see channels/identity.py), so every column holding
one may hold a phone number.

Order matters: rows are erased and purged in list order, so a table whose rows point at another
table's rows (a foreign key) comes before that table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

# Which database a table lives in.
APP = "app"  # LEERWIJZER_DATABASE_URL: catalogue, helpdesk, channels, intake records
TRACKER = "tracker"  # LEERWIJZER_TRACKER_DB: Rasa's tracker store

# What an erase key column holds.
CONVERSATION_ID = "conversation id"  # the channel-qualified id itself
HELPDESK_CONVERSATION = "hd_conversations.id"  # the helpdesk's row id of that conversation
SMS_NUMBER = "SMS number"  # the bare number inside an `sms:` conversation id

# When the retention purge deletes a row.
RETENTION = "retention"  # the time column is older than now - LEERWIJZER_RETENTION_DAYS
EXPIRED = "expired"  # the time column holds an expiry moment that has passed

# Rasa's SQLTrackerStore keeps every event in this table (rasa/core/tracker_store.py, SQLEvent).
TRACKER_EVENTS_TABLE = "events"


@dataclass(frozen=True)
class EraseKey:
    """A column that ties a row to one conversation."""

    column: str
    holds: str = CONVERSATION_ID


@dataclass(frozen=True)
class PurgeRule:
    """How the retention purge finds a table's old rows."""

    column: str
    when: str = RETENTION
    # The tracker keeps Unix timestamps (float seconds), every other table naive UTC datetimes.
    epoch_seconds: bool = False
    # "table.column" pairs pointing at this table's `id`: a row still pointed at stays.
    unless_referenced_by: Tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonalTable:
    """One table with personal data: what it holds, how erase and purge find its rows."""

    name: str
    holds: str
    erase: Tuple[EraseKey, ...]
    purge: PurgeRule
    database: str = APP
    # Why the erase cannot find this table's rows by conversation (required when erase is empty).
    not_erased_because: str = ""
    # A boolean column: rows where it is true are kept by both the erase and the purge.
    kept_while: str | None = None
    # Delivering the erase confirmation still needs these rows: the action leaves them, and
    # the delayed step deletes them after Rasa saved the new session start (or a timeout).
    needed_for_confirmation: bool = False

    def __post_init__(self) -> None:
        """Refuse an entry that neither erases by conversation nor says why not."""
        if not self.erase and not self.not_erased_because:
            raise ValueError(f"{self.name}: say why the erase does not touch this table")
        if self.database not in (APP, TRACKER):
            raise ValueError(f"{self.name}: unknown database {self.database!r}")

    def describe(self) -> str:
        """One line for people: erase key and purge rule."""
        if self.erase:
            erase = " or ".join(f"{key.column} = {key.holds}" for key in self.erase)
        else:
            erase = f"not per conversation ({self.not_erased_because})"
        when = "has passed" if self.purge.when == EXPIRED else "older than retention"
        purge = f"{self.purge.column} {when}"
        if self.purge.unless_referenced_by:
            purge += f", unless referenced by {', '.join(self.purge.unless_referenced_by)}"
        if self.kept_while:
            purge += f"; rows with {self.kept_while} true are kept"
        return f"{self.name}: erase {erase}; purge {purge}"


PERSONAL_TABLES: Tuple[PersonalTable, ...] = (
    PersonalTable(
        TRACKER_EVENTS_TABLE,
        holds="every message the user typed, the bot's answers and every slot value",
        database=TRACKER,
        erase=(EraseKey("sender_id"),),
        purge=PurgeRule("timestamp", epoch_seconds=True),
        # Rasa saves the tracker after the action; deleted before that, the old events would be
        # written back. The rows go once Rasa saved the new session start.
        needed_for_confirmation=True,
    ),
    PersonalTable(
        "development_questions",
        holds="intake answers: role, goal, topic, municipality, budget, interests, offers shown",
        erase=(EraseKey("sender_id"),),
        purge=PurgeRule("created_at"),
    ),
    PersonalTable(
        "hd_messages",
        holds="the transcript: what the user, the bot and advisors wrote",
        erase=(EraseKey("conversation_id", HELPDESK_CONVERSATION),),
        purge=PurgeRule("created_at"),
    ),
    PersonalTable(
        "hd_notes",
        holds="advisors' internal notes about the person",
        erase=(EraseKey("conversation_id", HELPDESK_CONVERSATION),),
        purge=PurgeRule("created_at"),
    ),
    PersonalTable(
        "hd_tasks",
        holds="call-back phone number, name if given, preferred time, appointment, intake summary",
        erase=(EraseKey("sender_id"), EraseKey("conversation_id", HELPDESK_CONVERSATION)),
        purge=PurgeRule("created_at"),
    ),
    PersonalTable(
        "hd_referrals",
        holds="which ambassador's link or code started the conversation, and how far it came",
        erase=(EraseKey("sender_id"),),
        # The monthly counts in hd_referral_counts stay: they hold no conversation.
        purge=PurgeRule("started_at"),
    ),
    PersonalTable(
        "hd_cases",
        holds="the case summary from the intake (role, goal, place, ...) and the outcome",
        erase=(EraseKey("conversation_id", HELPDESK_CONVERSATION),),
        # Open cases have no end time yet, so they stay until they end.
        purge=PurgeRule("ended_at"),
    ),
    PersonalTable(
        "hd_events",
        holds="the consoles' change feed: which conversation had which change when",
        erase=(EraseKey("conversation_id", HELPDESK_CONVERSATION),),
        purge=PurgeRule("created_at"),
    ),
    PersonalTable(
        "hd_conversations",
        holds="the conversation id (a phone number or Telegram id), channel, language, owner",
        erase=(EraseKey("sender_id"),),
        # Inactive, and nothing of it is left: an open case (or any row still inside the
        # retention period) keeps its conversation.
        purge=PurgeRule(
            "updated_at",
            unless_referenced_by=(
                "hd_cases.conversation_id",
                "hd_messages.conversation_id",
                "hd_notes.conversation_id",
                "hd_tasks.conversation_id",
            ),
        ),
    ),
    PersonalTable(
        "hd_seen_messages",
        holds="provider message ids (they lead to the message in the provider's own logs)",
        erase=(),
        not_erased_because="rows hold only channel and provider message id, no conversation",
        purge=PurgeRule("seen_at"),
    ),
    PersonalTable(
        "hd_login_failures",
        holds="console login failures keyed by username and client IP address",
        erase=(),
        not_erased_because="advisors' logins, not a citizen's conversation",
        purge=PurgeRule("attempted_at"),
    ),
    PersonalTable(
        "hd_sessions",
        holds="advisors' console sessions (advisor id, hashed token)",
        erase=(),
        not_erased_because="advisors' sessions, not a citizen's conversation",
        purge=PurgeRule("expires_at", when=EXPIRED),
    ),
    PersonalTable(
        "channel_button_offers",
        holds="the buttons last offered to a conversation (titles, choices)",
        erase=(EraseKey("recipient_id"),),
        purge=PurgeRule("offered_at"),
    ),
    PersonalTable(
        "channel_message_status",
        holds="who got which message when, and its delivery status",
        erase=(EraseKey("recipient_id"),),
        purge=PurgeRule("recorded_at"),
    ),
    PersonalTable(
        "channel_callback_payloads",
        holds="Telegram button payloads too long for callback_data (may carry a chosen value)",
        erase=(),
        not_erased_because="a payload is stored once under its hash and shared by every user shown it",
        purge=PurgeRule("created_at"),
    ),
    PersonalTable(
        "channel_inbox",
        holds="every inbound message as received (text, sender, media), kept after it was answered",
        erase=(EraseKey("conversation_id"),),
        # Deleting the row of the message still being answered is harmless: marking it done
        # then changes nothing, and the delayed step of the erase deletes any row kept since.
        purge=PurgeRule("received_at"),
    ),
    PersonalTable(
        "channel_last_inbound",
        holds="the conversation id and when the user last wrote",
        erase=(EraseKey("sender_id"),),
        purge=PurgeRule("last_inbound_at"),
        # WhatsApp only lets a free-form reply through within 24 hours of this moment: deleted
        # before the confirmation is sent, the confirmation fails and the erase never finished.
        needed_for_confirmation=True,
    ),
    PersonalTable(
        "channel_sms_opt_outs",
        holds="a bare phone number that sent STOP or START",
        erase=(EraseKey("phone", SMS_NUMBER),),
        purge=PurgeRule("updated_at"),
        # Kept on purpose: a STOP must be honoured for as long as the number exists, whatever
        # else is erased. A START row serves no purpose and goes like any other.
        kept_while="opted_out",
    ),
)

_CATALOGUE = "the public offer catalogue (providers, offers, places, search index): no citizen's data"

# Tables that hold no personal data of the people who chat, with the reason.
NOT_PERSONAL: Dict[str, str] = {
    "hd_advisors": (
        "staff accounts (username, display name, password hash) kept while the advisor works "
        "here; admins deactivate them in the console; no citizen's data"
    ),
    "hd_ambassadors": (
        "learning ambassadors (name, neighbourhood or employer, a contact for the coordinator), "
        "kept while they refer people; on request coordinators forget one (name, place and "
        "contact go, the counts stay); no citizen's data"
    ),
    "hd_pinned_events": "events coordinators pin (title, dates, place, themes): public information",
    "hd_referral_counts": "chats per ambassador, month and stage: counts only, no conversation",
    "hd_insight_counts": (
        "how often chats, searches, handoffs, waits and outcomes happened per month, channel, "
        "language, theme, municipality: counts only, no conversation"
    ),
    "hd_canned_replies": (
        "standard replies coordinators write for all advisors (title, text, who changed it last): "
        "no citizen's data"
    ),
    "alembic_version_catalogue": "migration bookkeeping",
    "alembic_version_helpdesk": "migration bookkeeping",
    **{
        name: _CATALOGUE
        for name in (
            "providers",
            "locations",
            "themes",
            "skills",
            "target_groups",
            "offers",
            "offerings",
            "offer_themes",
            "offer_skills",
            "offer_target_groups",
            "offer_search_terms",
            "search_vocabulary",
            "search_term_weights",
            "catalogue_meta",
        )
    },
}


def personal_table(name: str) -> PersonalTable:
    """The registry entry of a table (KeyError when it is not personal data)."""
    for table in PERSONAL_TABLES:
        if table.name == name:
            return table
    raise KeyError(name)


def tables_in(database: str) -> Tuple[PersonalTable, ...]:
    """The registry entries of one database, in erase and purge order."""
    return tuple(table for table in PERSONAL_TABLES if table.database == database)
