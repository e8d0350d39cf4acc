"""actions.server: only callers with the shared secret reach the actions; /health stays open."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from actions.server import SECRET_HEADER, build_app, require_secret, secret_matches

SECRET = "shared-secret-for-tests-0123456789"


def request(path: str, secret: str | None = None) -> SimpleNamespace:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return SimpleNamespace(path=path, headers=headers)


def test_secret_matches_only_the_exact_secret():
    assert secret_matches(SECRET, SECRET)
    for wrong in (None, "", SECRET[:-1], SECRET + "x", SECRET.upper()):
        assert not secret_matches(wrong, SECRET)
    assert not secret_matches("", "")  # an unset secret never opens the door


@pytest.mark.parametrize("path", ["/webhook", "/actions", "/anything"])
@pytest.mark.parametrize("given", [None, "", "wrong-secret"])
async def test_requests_without_the_secret_get_401(path, given):
    answer = await require_secret(SECRET)(request(path, given))
    assert answer is not None and answer.status == 401


@pytest.mark.parametrize("path", ["/webhook", "/actions"])
async def test_requests_with_the_secret_pass(path):
    assert await require_secret(SECRET)(request(path, SECRET)) is None


async def test_the_health_check_needs_no_secret():
    assert await require_secret(SECRET)(request("/health")) is None


def test_an_empty_secret_is_refused():
    with pytest.raises(ValueError):
        require_secret("")


def test_the_app_has_rasa_sdk_routes_behind_the_check(app_settings):
    app = build_app(SECRET)
    assert {route.path for route in app.router.routes} == {"health", "webhook", "actions"}
    assert [m.__name__ for m in app.request_middleware] == ["check_secret"]


def test_rasa_sends_the_header_the_server_checks(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    from leerwijzer.settings import PROJECT_ROOT

    scale_env = {
        "LEERWIJZER_PG_HOST": "h",
        "LEERWIJZER_PG_PORT": "5432",
        "LEERWIJZER_PG_TRACKER_DB": "t",
        "LEERWIJZER_PG_USER": "u",
        "LEERWIJZER_PG_PASSWORD": "p",
        "LEERWIJZER_REDIS_HOST": "h",
        "LEERWIJZER_REDIS_PORT": "6379",
        "LEERWIJZER_REDIS_LOCK_DB": "1",
        "LEERWIJZER_RABBITMQ_HOST": "h",
        "LEERWIJZER_RABBITMQ_USER": "u",
        "LEERWIJZER_RABBITMQ_PASSWORD": "p",
    }
    for name, value in {
        "LEERWIJZER_ACTION_URL": "http://127.0.0.1:5055/webhook",
        "LEERWIJZER_ACTION_SECRET": SECRET,
        "LEERWIJZER_TRACKER_DB": "tracker.db",
        **scale_env,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("endpoints.yml", "endpoints.scale.yml"):
        endpoint = read_endpoint_config(str(PROJECT_ROOT / "bot" / name), "action_endpoint")
        assert endpoint.headers == {SECRET_HEADER: SECRET}, name
