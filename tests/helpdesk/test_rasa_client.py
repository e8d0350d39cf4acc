"""The console's Rasa client against Rasa's own HTTP server app (routes, JWT check, Sanic 21.12).

Rasa's server is built with `rasa.server.create_app`, exactly as `rasa run --jwt-secret` builds
it; only the agent behind it is a recorder, since these tests are about what reaches it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, AsyncIterator, List, Tuple

import jwt
import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from helpdesk.rasa_client import RasaClient, RasaError
from tests.conftest import free_port
from tests.helpdesk.support import TEST_JWT_SECRET

# One id per channel, as channels/identity.py makes them.
CHANNEL_IDS = ["whatsapp:+31612345678", "sms:+31687654321", "telegram:424242", "web:abc"]


class RecordingProcessor:
    """Stands in for Rasa's MessageProcessor: records the conversation ids Rasa's routes pass on."""

    def __init__(self) -> None:
        self.seen: List[str] = []
        self.side_effects: List[Tuple[str, List[Any]]] = []

    async def fetch_tracker_with_initial_session(self, sender_id: str, output_channel: Any = None) -> Any:
        self.seen.append(sender_id)
        return DialogueStateTracker(sender_id, slots=[])

    async def fetch_tracker_and_update_session(
        self, sender_id: str, output_channel: Any = None, metadata: Any = None
    ) -> Any:
        self.seen.append(sender_id)
        return DialogueStateTracker(sender_id, slots=[])

    async def execute_side_effects(self, events: List[Any], tracker: Any, output_channel: Any) -> None:
        self.side_effects.append((tracker.sender_id, events))


class RecordingAgent:
    """Just enough of rasa.core.agent.Agent for the tracker-events and trigger_intent routes."""

    def __init__(self) -> None:
        self.domain = Domain.from_dict({"intents": ["handed_back"]})
        self.processor = RecordingProcessor()
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(self.domain)
        self.triggered: List[Tuple[str, str]] = []

    def is_ready(self) -> bool:
        return True

    async def trigger_intent(
        self, intent_name: str, entities: Any, output_channel: Any, tracker: Any
    ) -> None:
        self.triggered.append((tracker.sender_id, intent_name))


@pytest.fixture()
async def rasa_api() -> AsyncIterator[Tuple[str, RecordingAgent]]:
    """Rasa's HTTP API app with JWT auth (HS256, our secret), listening on loopback."""
    import rasa.server

    Sanic.test_mode = True  # several apps named "rasa_server" in one test process
    agent = RecordingAgent()
    app = rasa.server.create_app(agent=agent, jwt_secret=TEST_JWT_SECRET, jwt_method="HS256")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}", agent
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()


async def test_channel_ids_reach_rasa_exactly_as_the_channels_made_them(rasa_api):
    url, agent = rasa_api
    client = RasaClient(url, TEST_JWT_SECRET)
    for sender in CHANNEL_IDS:
        await client.send_message(sender, "Hoi", "Anna")
        await client.resume(sender)
        await client.trigger_intent(sender, "handed_back")
    # Each id arrives unchanged: not "whatsapp%3A%2B31612345678", a phantom conversation.
    assert agent.processor.seen == [sender for sender in CHANNEL_IDS for _ in range(3)]
    assert [sender for sender, _ in agent.processor.side_effects] == CHANNEL_IDS  # the messages
    assert agent.triggered == [(sender, "handed_back") for sender in CHANNEL_IDS]
    assert sorted(await agent.tracker_store.keys()) == sorted(CHANNEL_IDS)


async def test_rasa_refuses_a_token_signed_with_another_secret(rasa_api):
    url, agent = rasa_api
    with pytest.raises(RasaError, match="401"):
        await RasaClient(url, "another-secret-that-rasa-does-not-know-0123").resume("web:abc")
    assert agent.processor.seen == []


@pytest.mark.parametrize(
    "sender", ["web:a/b", "web:a%2Fb", "sms:+31 6", "web:a?token=x", "..", ".", "", "web:" + "x" * 300]
)
async def test_ids_that_need_encoding_are_refused_before_any_request(sender):
    # Port 9 (discard) is never contacted: the id is refused first.
    client = RasaClient("http://127.0.0.1:9", TEST_JWT_SECRET)
    with pytest.raises(RasaError, match="cannot address"):
        await client.send_message(sender, "Hoi", "Anna")


def test_the_bearer_token_is_an_admin_jwt_that_expires_within_five_minutes():
    client = RasaClient("http://rasa", TEST_JWT_SECRET)
    now = dt.datetime.now(dt.timezone.utc)
    claims = jwt.decode(client.bearer_token(now), TEST_JWT_SECRET, algorithms=["HS256"])
    assert claims["user"] == {"username": "leerwijzer-console", "role": "admin"}
    assert claims["exp"] == int((now + dt.timedelta(minutes=5)).timestamp())


def test_a_client_without_a_jwt_secret_cannot_be_made():
    with pytest.raises(ValueError, match="RASA_JWT_SECRET"):
        RasaClient("http://rasa", None)
