"""SMS through Twilio: channel "sms", webhooks at /webhooks/sms/...

credentials.yml key: `channels.sms.SmsInput`. STOP / START / HELP (and Dutch STOP, START,
HULP, INFO) are handled before the bot: the opt-out is recorded, the carrier-style reply is
sent, and nothing else is ever sent to an opted-out number. Long texts are split on
sentence boundaries (≤320 GSM-7 characters per part, ≤201 when UCS-2 is needed).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Dict, List

from rasa.core.channels.channel import OutputChannel

from channels.delivery import DeliveryError
from channels.formatting import fold_text, split_sms
from channels.identity import provider_address
from channels.inbound import Receipt, RouteOutcome
from channels.twilio_common import TwilioInputBase, TwilioOutputBase
from leerwijzer.redact import mask_id

logger = logging.getLogger(__name__)

# Twilio's own opt-out words plus Dutch ones; matched on the whole message.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "STOPPEN", "AFMELDEN"})
START_WORDS = frozenset({"START", "UNSTOP", "AANMELDEN"})
HELP_WORDS = frozenset({"HELP", "HULP", "INFO"})

# Twilio error 21610: the recipient replied STOP (Twilio blocks the number itself).
TWILIO_UNSUBSCRIBED = 21610

KEYWORD_REPLIES = {
    "stop": (
        "Je bent afgemeld. Je krijgt geen sms meer van Leerwijzer. "
        "Wil je weer berichten? Stuur START.\n"
        "You are unsubscribed. Leerwijzer will not text you again. Reply START to subscribe."
    ),
    "start": (
        "Je bent weer aangemeld bij Leerwijzer. Stel je vraag maar. Stoppen? Stuur STOP.\n"
        "You are subscribed to Leerwijzer again. Ask your question. Reply STOP to stop."
    ),
    "help": (
        "Leerwijzer helpt je met leren en werk in de regio Eindhoven. Stuur je vraag per sms. "
        "Stoppen? Stuur STOP.\n"
        "Leerwijzer helps you with learning and work in the Eindhoven region. Text your "
        "question. Reply STOP to stop."
    ),
}


def sms_keyword(text: str) -> str | None:
    """Return "stop", "start" or "help" when the whole message is such a keyword."""
    word = fold_text(text or "").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


class SmsOutput(TwilioOutputBase):
    """Sends SMS via Twilio; splits long texts and never texts an opted-out number."""

    channel_name: ClassVar[str] = "sms"

    def split(self, text: str) -> List[str]:
        """Split on sentence boundaries within SMS-friendly sizes."""
        return split_sms(text)

    async def plan(self, recipient_id: str, text: str, media_url: str | None = None) -> List[Dict[str, Any]]:
        """Nothing for opted-out numbers; images go as a link (no MMS in most of Europe)."""
        if await self.store.is_opted_out(self.address(recipient_id)):
            logger.info("SMS to %s not sent: the number opted out (STOP).", mask_id(recipient_id))
            return []
        if media_url:
            text = f"{text}\n{media_url}".strip()
        return await super().plan(recipient_id, text)

    async def post(self, recipient_id: str, params: Dict[str, Any]) -> Dict[str, Any]:
        """Send; when Twilio says the number unsubscribed, record the opt-out as well."""
        try:
            return await super().post(recipient_id, params)
        except DeliveryError as exc:
            if str(exc.code) == str(TWILIO_UNSUBSCRIBED):
                await self.store.set_opt_out(self.address(recipient_id), True, "twilio-21610")
            raise

    async def send_keyword_reply(self, recipient_id: str, keyword: str) -> None:
        """Send the STOP/START/HELP confirmation, also to a number that just opted out."""
        for params in await TwilioOutputBase.plan(self, recipient_id, KEYWORD_REPLIES[keyword]):
            try:
                await TwilioOutputBase.post(self, recipient_id, params)
            except DeliveryError as exc:
                # With Twilio's Advanced Opt-Out, Twilio replies itself and refuses ours.
                logger.info("SMS %s reply to %s not sent: %s", keyword, mask_id(recipient_id), exc)
                return


class SmsInput(TwilioInputBase):
    """Receives SMS and delivery statuses from Twilio; handles STOP/START/HELP first."""

    channel_name: ClassVar[str] = "sms"
    output_class = SmsOutput

    def clean_body(self, raw: str) -> str:
        """Some carriers turn "@" into "¡"; undo that before the usual cleaning."""
        return super().clean_body((raw or "").replace("¡", "@"))

    async def before_bot(self, receipt: Receipt, output: OutputChannel) -> bool:
        """Keywords (always honoured, even in an advisor's chat), and silence after STOP."""
        message = receipt.message
        phone = provider_address(self.name(), message.sender_id)
        keyword = sms_keyword(message.text)
        if keyword is None:
            if receipt.outcome is RouteOutcome.TO_BOT and await self.store.is_opted_out(phone):
                # After STOP the bot must not run: its replies could never be sent, yet would
                # be stored. START (or the advisor) brings the conversation back.
                logger.info("SMS from opted-out %s not given to the bot", mask_id(message.sender_id))
                return True
            return False
        if keyword == "stop":
            await self.store.set_opt_out(phone, True, message.text[:32])
        elif keyword == "start":
            await self.store.set_opt_out(phone, False, message.text[:32])
        assert isinstance(output, SmsOutput)
        await output.send_keyword_reply(message.sender_id, keyword)
        return True
