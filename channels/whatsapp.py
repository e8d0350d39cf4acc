"""WhatsApp through Twilio: channel "whatsapp", webhooks at /webhooks/whatsapp/...

credentials.yml key: `channels.whatsapp.WhatsAppInput`. Sender ids carry the `whatsapp:`
prefix. Free-form replies are only allowed within 24 hours of the user's last message;
after that the configured template (ContentSid + ContentVariables {"1": text}) is sent,
or `OutsideWhatsAppWindow` is raised when no template is configured.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, ClassVar, Dict, List

from channels.delivery import DeliveryError
from channels.formatting import WHATSAPP_PART_LIMIT
from channels.store import utcnow
from channels.twilio_common import TwilioInputBase, TwilioOutputBase

WHATSAPP_PREFIX = "whatsapp:"
WHATSAPP_WINDOW = timedelta(hours=24)
# WhatsApp template variables may not hold newlines or tabs and should stay short.
TEMPLATE_VARIABLE_LIMIT = 1024


def with_prefix(address: str) -> str:
    """Add the `whatsapp:` prefix when it is missing."""
    address = address.strip()
    return address if address.startswith(WHATSAPP_PREFIX) else WHATSAPP_PREFIX + address


class OutsideWhatsAppWindow(DeliveryError):
    """A free-form WhatsApp message after the 24-hour window, with no template configured."""

    def __init__(self, recipient_id: str, last_inbound_at: datetime | None) -> None:
        """Explain what happened in English (logs) and Dutch B1 (advisor console)."""
        when = f"{last_inbound_at:%Y-%m-%d %H:%M} UTC" if last_inbound_at else "never"
        super().__init__(
            f"WhatsApp 24-hour window is closed for {recipient_id} (last message from the "
            f"user: {when}). WhatsApp refuses free-form messages now; set "
            "TWILIO_WHATSAPP_TEMPLATE_SID to send an approved template, or wait until the "
            "user writes again."
        )
        self.recipient_id = recipient_id
        self.last_inbound_at = last_inbound_at
        self.advisor_text = {
            "nl": (
                "Dit bericht is niet verstuurd. De gebruiker heeft langer dan 24 uur niet "
                "via WhatsApp geschreven. WhatsApp laat dan alleen een goedgekeurd "
                "sjabloon toe. Wacht tot de gebruiker weer schrijft, of vraag de beheerder "
                "om een sjabloon in te stellen."
            ),
            "en": (
                "This message was not sent. The user has not written on WhatsApp for more "
                "than 24 hours, so WhatsApp only allows an approved template. Wait until "
                "the user writes again, or ask the administrator to set up a template."
            ),
        }


def template_variable(text: str) -> str:
    """Flatten text for a template variable: no newlines/tabs, bounded length."""
    flat = " ".join((text or "").split())
    if len(flat) > TEMPLATE_VARIABLE_LIMIT:
        flat = flat[: TEMPLATE_VARIABLE_LIMIT - 1].rstrip() + "…"
    return flat


class WhatsAppOutput(TwilioOutputBase):
    """Sends WhatsApp messages via Twilio, respecting the 24-hour customer-service window."""

    channel_name: ClassVar[str] = "whatsapp"
    part_limit: ClassVar[int] = WHATSAPP_PART_LIMIT

    async def window_closes_at(self, recipient_id: str) -> datetime | None:
        """When free-form messaging to this user ends (naive UTC); None if never opened."""
        last = await self.store.last_inbound_at(self.name(), self.address(recipient_id))
        return last + WHATSAPP_WINDOW if last else None

    async def window_open(self, recipient_id: str) -> bool:
        """True while free-form messages are allowed."""
        closes = await self.window_closes_at(recipient_id)
        return bool(closes and utcnow() < closes)

    async def plan(self, recipient_id: str, text: str, media_url: str | None = None) -> List[Dict[str, Any]]:
        """Free-form inside the window; one template message (or an error) outside it."""
        if await self.window_open(recipient_id):
            return await super().plan(recipient_id, text, media_url)
        if not self.config.template_sid:
            last = await self.store.last_inbound_at(self.name(), self.address(recipient_id))
            raise OutsideWhatsAppWindow(self.address(recipient_id), last)
        body = text or (media_url or "")
        params = self.base_params(recipient_id)
        params["ContentSid"] = self.config.template_sid
        params["ContentVariables"] = json.dumps({"1": template_variable(body)}, ensure_ascii=False)
        return [params]


class WhatsAppInput(TwilioInputBase):
    """Receives WhatsApp messages and delivery statuses from Twilio."""

    channel_name: ClassVar[str] = "whatsapp"
    output_class = WhatsAppOutput

    @classmethod
    def normalise_from(cls, number: str) -> str:
        """The sending number needs the prefix (a Messaging Service SID does not)."""
        number = number.strip()
        return number if number.startswith("MG") else with_prefix(number)
