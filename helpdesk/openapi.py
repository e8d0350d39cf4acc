"""OpenAPI 3.0 description of the console's JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any, Dict, List

from helpdesk.models import OUTCOMES, OWNERS, REPLY_LANGUAGES, ROLES, TASK_OUTCOMES


def _op(
    summary: str,
    tag: str,
    body: Dict[str, Any] | None = None,
    params: List[Dict] | None = None,
    public: bool = False,
    responses: Dict[str, str] | None = None,
) -> Dict[str, Any]:
    operation: Dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "responses": {"200": {"description": "OK"}},
    }
    for code, text in (responses or {}).items():
        operation["responses"][code] = {"description": text}
    if not public:
        operation["responses"]["401"] = {"description": "Not logged in"}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        operation["parameters"] = params
    if public:
        operation["security"] = []
    return operation


def _obj(**props: Any) -> Dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props)}


STR = {"type": "string"}
CONV_ID = [{"name": "conversation_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
TASK_ID = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
AMBASSADOR_ID = [{"name": "ambassador_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
DATE = {"type": "string", "format": "date"}
EVENT_ID = [{"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
MONTH = {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "example": "2026-12"}
INSIGHT_FILTERS = [
    {"name": "since", "in": "query", "schema": MONTH, "description": "First month (inclusive)"},
    {"name": "until", "in": "query", "schema": MONTH, "description": "Last month (inclusive)"},
    {"name": "municipality", "in": "query", "schema": STR, "description": "Searches in this municipality"},
    {
        "name": "channel",
        "in": "query",
        "schema": STR,
        "description": "whatsapp, sms, telegram, webchat, rest",
    },
]
INSIGHT_SECTION = {
    "type": "string",
    "enum": ["questions", "months", "unmet", "handoffs", "waiting", "outcomes", "channels", "referrals"],
}
PINNED_EVENT = {
    "type": "object",
    "required": ["title", "place", "starts_on"],
    "properties": {
        "title": STR,
        "title_en": STR,
        "place": STR,
        "starts_on": DATE,
        "ends_on": DATE,
        "municipality": STR,
        "themes": {"type": "array", "items": STR},
        "link": STR,
    },
}
QR_FORMAT = {"type": "string", "enum": ["png", "svg"]}
REPLY_ID = [{"name": "reply_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
REPLY_LANGUAGE = {"type": "string", "enum": list(REPLY_LANGUAGES)}
ADVISOR_ID = [{"name": "advisor_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
REPLY = {
    "type": "object",
    "required": ["language", "title", "text"],
    "properties": {"language": REPLY_LANGUAGE, "title": STR, "text": STR},
}
WRITE = {
    "403": "CSRF token missing or wrong, or not allowed",
    "409": "The conversation is not in a state for this",
}


def openapi_spec() -> Dict[str, Any]:
    """The API description; unsafe methods need the X-CSRF-Token header from /api/me."""
    c = "conversations"
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Leerwijzer advisor console API",
            "version": "1.0",
            "description": (
                "Used by the console page itself. Log in with POST /api/login; the session is an "
                "HttpOnly cookie. Every POST except login needs the X-CSRF-Token header "
                "(returned by /api/login and /api/me). Live changes stream from /api/events "
                f"(server-sent events). Owners: {', '.join(OWNERS)}."
            ),
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "lw_console"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            }
        },
        "security": [{"session": [], "csrf": []}],
        "paths": {
            "/api/login": {
                "post": _op(
                    "Log in (failures are limited per account and address, and per address)",
                    "session",
                    _obj(username=STR, password=STR),
                    public=True,
                    responses={"401": "Wrong username or password", "429": "Too many failed logins"},
                )
            },
            "/api/logout": {"post": _op("Log out", "session")},
            "/api/me": {"get": _op("Who am I, CSRF token, office hours", "session")},
            "/api/me/password": {
                "post": _op(
                    "Change your own password; every session of yours ends and this one is renewed "
                    "(new cookie and CSRF token)",
                    "session",
                    _obj(current_password=STR, new_password=STR),
                    responses={
                        "400": "New password too short or too long",
                        "403": "Current password wrong (counts as a failed login), or CSRF token missing",
                        "429": "Too many failed logins",
                    },
                )
            },
            "/api/queue": {
                "get": _op(
                    "Waiting conversations (longest wait first) and active ones. Each has "
                    "`waiting_seconds`; a waiting one has `waiting_too_long` once it waited longer than "
                    "`wait_warning_minutes`; after `wait_timeout_minutes` it goes back to the bot.",
                    c,
                )
            },
            "/api/conversations/{conversation_id}": {
                "get": _op("Case summary, transcript and notes", c, params=CONV_ID)
            },
            "/api/conversations/{conversation_id}/claim": {
                "post": _op(
                    "Claim a waiting conversation (exactly one advisor wins); the user is told who "
                    "took over (`notice_sent` says whether that message went out)",
                    c,
                    params=CONV_ID,
                    responses=WRITE,
                )
            },
            "/api/conversations/{conversation_id}/messages": {
                "post": _op(
                    "Send a message to the user on their channel",
                    c,
                    _obj(text=STR),
                    CONV_ID,
                    responses={**WRITE, "502": "Delivery failed"},
                )
            },
            "/api/conversations/{conversation_id}/offers": {
                "post": _op(
                    "Send an offer from the catalogue",
                    c,
                    _obj(offer_id={"type": "integer"}),
                    CONV_ID,
                    responses=WRITE,
                )
            },
            "/api/conversations/{conversation_id}/notes": {
                "post": _op("Add an internal note", c, _obj(text=STR), CONV_ID, responses=WRITE)
            },
            "/api/conversations/{conversation_id}/handback": {
                "post": _op(
                    "Hand the conversation back to the bot (Rasa resumes first; the bot says it is back)",
                    c,
                    params=CONV_ID,
                    responses={**WRITE, "502": "Rasa did not resume the conversation; nothing changed"},
                )
            },
            "/api/conversations/{conversation_id}/close": {
                "post": _op(
                    "Close with an outcome (the user gets a closing message, then the bot resumes)",
                    c,
                    _obj(outcome={"type": "string", "enum": list(OUTCOMES)}),
                    CONV_ID,
                    responses={**WRITE, "502": "Rasa did not resume the conversation; nothing changed"},
                )
            },
            "/api/conversations/{conversation_id}/release": {
                "post": _op(
                    "Give a waiting or advisor-owned chat back to the bot (admin); the user is told",
                    c,
                    params=CONV_ID,
                    responses={**WRITE, "502": "Rasa did not resume the conversation; nothing changed"},
                )
            },
            "/api/offers": {
                "get": _op(
                    "Search the catalogue",
                    "catalogue",
                    params=[
                        {"name": "q", "in": "query", "schema": STR},
                        {"name": "municipality", "in": "query", "schema": STR},
                        {
                            "name": "language",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["nl", "en"]},
                        },
                    ],
                )
            },
            "/api/tasks": {
                "get": _op(
                    "Call-backs and walk-in appointments",
                    "tasks",
                    params=[
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["open", "done"]},
                        }
                    ],
                )
            },
            "/api/tasks/{task_id}/phone": {
                "post": _op(
                    "The task's full phone number (the list shows it masked); who opened it is kept",
                    "tasks",
                    params=TASK_ID,
                    responses={"404": "No such task, or it has no number"},
                )
            },
            "/api/tasks/{task_id}/done": {
                "post": _op(
                    "Mark a task done, with how it ended",
                    "tasks",
                    _obj(outcome={"type": "string", "enum": list(TASK_OUTCOMES)}),
                    TASK_ID,
                    responses={**WRITE, "400": "Missing or unknown outcome"},
                )
            },
            "/api/ambassadors": {
                "get": _op(
                    "Learning ambassadors with their links and chats counted per stage (coordinator)",
                    "ambassadors",
                    responses={"403": "Coordinators and admins only"},
                ),
                "post": _op(
                    "Register an ambassador; they get a new code (coordinator)",
                    "ambassadors",
                    {
                        "type": "object",
                        "required": ["name", "place"],
                        "properties": {"name": STR, "place": STR, "contact": STR},
                    },
                    responses={"400": "Missing or too long field", "403": "Coordinators and admins only"},
                ),
            },
            "/api/ambassadors/{ambassador_id}": {
                "post": _op(
                    "Switch an ambassador's code on or off (coordinator)",
                    "ambassadors",
                    _obj(active={"type": "boolean"}),
                    AMBASSADOR_ID,
                    responses={"403": "Coordinators and admins only", "404": "No such ambassador"},
                )
            },
            "/api/ambassadors/{ambassador_id}/forget": {
                "post": _op(
                    "Forget an ambassador: name, place and contact go, the code is off for good, "
                    "the counts stay (coordinator)",
                    "ambassadors",
                    params=AMBASSADOR_ID,
                    responses={"403": "Coordinators and admins only", "404": "No such ambassador"},
                )
            },
            "/api/ambassadors/{ambassador_id}/qr": {
                "get": _op(
                    "The QR code of the ambassador's link, PNG or SVG, to print (coordinator)",
                    "ambassadors",
                    params=[*AMBASSADOR_ID, {"name": "format", "in": "query", "schema": QR_FORMAT}],
                    responses={"403": "Coordinators and admins only", "404": "No such ambassador"},
                )
            },
            "/api/ambassadors/{ambassador_id}/flyer": {
                "get": _op(
                    "A printable flyer (HTML) with the QR code and links (coordinator)",
                    "ambassadors",
                    params=AMBASSADOR_ID,
                    responses={"403": "Coordinators and admins only", "404": "No such ambassador"},
                )
            },
            "/api/pinned-events": {
                "get": _op(
                    "Pinned events and campaigns that have not ended (coordinator)",
                    "events",
                    responses={"403": "Coordinators and admins only"},
                ),
                "post": _op(
                    "Pin an event for a municipality (or the region) and themes (or any) (coordinator)",
                    "events",
                    PINNED_EVENT,
                    responses={"400": "A field is missing or wrong", "403": "Coordinators and admins only"},
                ),
            },
            "/api/insight": {
                "get": _op(
                    "Insight: each section's chart and table; counts under 5 are null (coordinator)",
                    "insight",
                    params=INSIGHT_FILTERS,
                    responses={
                        "400": "A filter is not a month, municipality or channel",
                        "403": "Coordinators and admins only",
                    },
                )
            },
            "/api/insight.csv": {
                "get": _op(
                    "The insight's tables as CSV (one section, or all); counts under 5 as <5 (coordinator)",
                    "insight",
                    params=[*INSIGHT_FILTERS, {"name": "section", "in": "query", "schema": INSIGHT_SECTION}],
                    responses={
                        "400": "A filter is wrong",
                        "403": "Coordinators and admins only",
                        "404": "No such section",
                    },
                )
            },
            "/api/insight/charts/{section_id}": {
                "get": _op(
                    "One section's bar chart as SVG (coordinator)",
                    "insight",
                    params=[
                        {"name": "section_id", "in": "path", "required": True, "schema": INSIGHT_SECTION},
                        *INSIGHT_FILTERS,
                    ],
                    responses={
                        "403": "Coordinators and admins only",
                        "404": "No such section, or no figures",
                    },
                )
            },
            "/api/pinned-events/options": {
                "get": _op(
                    "Municipalities and themes an event can be pinned for (coordinator)",
                    "events",
                    responses={"403": "Coordinators and admins only"},
                )
            },
            "/api/pinned-events/{event_id}/unpin": {
                "post": _op(
                    "Stop mentioning a pinned event (coordinator)",
                    "events",
                    params=EVENT_ID,
                    responses={"403": "Coordinators and admins only", "404": "No such event"},
                )
            },
            "/api/replies": {
                "get": _op(
                    "Standard replies, optionally in one language",
                    "replies",
                    params=[{"name": "language", "in": "query", "schema": REPLY_LANGUAGE}],
                ),
                "post": _op(
                    "Add a standard reply (coordinator or admin)",
                    "replies",
                    REPLY,
                    responses={"400": "Missing or too long field", "403": "Coordinators and admins only"},
                ),
            },
            "/api/replies/{reply_id}": {
                "post": _op(
                    "Change a standard reply (coordinator or admin)",
                    "replies",
                    REPLY,
                    REPLY_ID,
                    responses={"403": "Coordinators and admins only", "404": "No such reply"},
                ),
                "delete": _op(
                    "Delete a standard reply (coordinator or admin)",
                    "replies",
                    params=REPLY_ID,
                    responses={"403": "Coordinators and admins only", "404": "No such reply"},
                ),
            },
            "/api/advisors": {
                "get": _op("List advisors (admin)", "advisors", responses={"403": "Admins only"}),
                "post": _op(
                    "Create an advisor (admin)",
                    "advisors",
                    {
                        "type": "object",
                        "required": ["username", "password"],
                        "properties": {
                            "username": STR,
                            "display_name": STR,
                            "password": STR,
                            "role": {"type": "string", "enum": list(ROLES)},
                        },
                    },
                    responses={"403": "Admins only"},
                ),
            },
            "/api/advisors/{advisor_id}": {
                "post": _op(
                    "Change role, active flag or password (admin); a new password or switching the "
                    "account off ends all its sessions",
                    "advisors",
                    {
                        "type": "object",
                        "properties": {
                            "role": {"type": "string", "enum": list(ROLES)},
                            "active": {"type": "boolean"},
                            "password": STR,
                        },
                    },
                    ADVISOR_ID,
                    responses={"403": "Admins only"},
                )
            },
            "/api/events": {"get": _op("Server-sent events: one `change` event per change", "live")},
            "/api/openapi.json": {"get": _op("This document", "meta", public=True)},
        },
    }
