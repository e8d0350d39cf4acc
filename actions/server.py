"""The action server: rasa_sdk's app, on loopback, answering only Rasa.

`rasa run actions` binds 0.0.0.0 and runs any action for anyone who posts a tracker, so a
hand-made tracker could erase another user's records. `python -m actions.server` builds the
same app (rasa_sdk.endpoint.create_app, the same actions) but:

- listens on LEERWIJZER_HOST (loopback by default) and LEERWIJZER_ACTION_PORT;
- answers 401 on every route but /health unless the request carries the shared secret
  LEERWIJZER_ACTION_SECRET in the header X-Leerwijzer-Action-Secret (compared in constant
  time). Rasa sends it: see `action_endpoint.headers` in bot/endpoints.yml;
- redacts secrets and phone numbers from every log line (leerwijzer.redact).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Any, Awaitable, Callable, List

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.response import HTTPResponse

from leerwijzer.redact import install_log_redaction
from leerwijzer.settings import get_settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Leerwijzer-Action-Secret"
# The launcher's health check needs no secret; it says nothing but "ok".
OPEN_PATHS = frozenset({"/health"})


def secret_matches(given: str | None, expected: str) -> bool:
    """True when `given` equals the (non-empty) shared secret; constant time, so no timing hints."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def require_secret(secret: str) -> Callable[[Any], Awaitable[HTTPResponse | None]]:
    """Sanic request middleware: 401 for any request without the secret, except OPEN_PATHS."""
    if not secret:
        raise ValueError("the action server needs a non-empty shared secret")

    async def check_secret(request: Any) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if secret_matches(request.headers.get(SECRET_HEADER), secret):
            return None
        return response.json({"error": "unauthorized"}, status=401)

    return check_secret


def build_app(secret: str, package: str = "actions") -> Sanic:
    """rasa_sdk's action app for `package`, guarded by the shared secret, without CORS."""
    # No browser ever calls the action server: no CORS origins at all.
    app = create_app(package, cors_origins=None)
    app.register_middleware(require_secret(secret), "request")
    return app



def main(argv: List[str] | None = None) -> None:
    """Run the action server until it is stopped."""
    install_log_redaction()
    parser = argparse.ArgumentParser(description="Leerwijzer's action server (loopback, shared secret).")
    parser.add_argument("--actions", default="actions", help="package with the custom actions")
    args = parser.parse_args(argv)

    settings = get_settings()
    secret = (settings.action_secret or "").strip()
    if not secret:
        raise SystemExit(
            "LEERWIJZER_ACTION_SECRET is not set: the action server would run actions for anyone. "
            "Start it with `make run`, which makes one, or set it yourself."
        )
    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()

    app = build_app(secret, args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server on http://%s:%s (shared secret required)", settings.host, settings.action_port)
    app.run(settings.host, settings.action_port, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
