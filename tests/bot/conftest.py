"""Shared fixtures for the tests of bot/: the domain and the stories as live-like conversations."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    DefinePrevUserUtteredFeaturization,
    Event,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Domain:
    """The bot's domain."""
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture(scope="session")
def story_conversations(domain: Domain) -> List[List[Event]]:
    """Every test story and training story as the event list a live chat would have."""
    reader = YAMLStoryReader(domain)
    folders = (ROOT / "tests" / "stories", ROOT / "data" / "stories")
    files = [path for folder in folders for path in sorted(folder.glob("*.yml"))]
    conversations = []
    for path in files:
        for step in reader.read_from_file(str(path)):
            events: List[Event] = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted()]
            for event in step.explicit_events(domain):
                if isinstance(event, UserUttered):
                    events.append(ActionExecuted(ACTION_LISTEN_NAME))
                    events.append(event)
                    # what the policy ensemble adds after each user message in a live chat
                    events.append(DefinePrevUserUtteredFeaturization(False))
                else:
                    events.append(event)
            conversations.append(events)
    return conversations
