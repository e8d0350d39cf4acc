"""Text helpers shared by the connectors: numbered buttons, splitting, SMS encoding."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable, Dict, Iterable, List

# GSM 03.38 basic character set (without the escape character) and its extension table;
# extension characters take two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

# Twilio advises at most 320 characters per SMS; a UCS-2 text (emoji, curly quotes, ...)
# costs 67 characters per segment, so we keep it to three segments (201 characters).
SMS_PART_LIMIT_GSM7 = 320
SMS_PART_LIMIT_UCS2 = 3 * 67
WHATSAPP_PART_LIMIT = 1600
TELEGRAM_PART_LIMIT = 4096

# Where a long text may be cut, best first: paragraph, line, sentence end.
_BOUNDARY = re.compile(r"(\n\s*\n+|\n|(?<=[.!?…])[\"')\]]*\s+)")
_WORD = re.compile(r"(\s+)")
_CHOICE_NUMBER = re.compile(r"^\s*(?:optie|option|nr\.?|no\.?|#)?\s*(\d{1,2})\s*[.):]?\s*$", re.I)


def is_gsm7(text: str) -> bool:
    """Return True when the text fits the GSM-7 alphabet (else it goes out as UCS-2)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def gsm7_length(text: str) -> int:
    """Length in septets: extension characters count twice."""
    return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)


def ucs2_length(text: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    """How many SMS segments a text costs (160/153 GSM-7, 70/67 UCS-2)."""
    if is_gsm7(text):
        length, single, multi = gsm7_length(text), 160, 153
    else:
        length, single, multi = ucs2_length(text), 70, 67
    if length <= single:
        return 1
    return -(-length // multi)


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> List[str]:
    """Split a text into parts of at most `limit`, cutting at paragraph, line or sentence ends.

    A sentence longer than the limit is cut between words, a word longer than the limit
    is cut hard. Parts are packed greedily, so short sentences share a part.
    """
    text = (text or "").strip()
    if not text:
        return []
    if measure(text) <= limit:
        return [text]
    atoms = _atoms(text, limit, measure)
    parts: List[str] = []
    current = ""
    for atom, separator in atoms:
        candidate = current + atom
        if current and measure(candidate.strip()) > limit:
            parts.append(current.strip())
            candidate = atom
        current = candidate + separator
    if current.strip():
        parts.append(current.strip())
    return [part for part in parts if part]


def _atoms(text: str, limit: int, measure: Callable[[str], int]) -> List[tuple]:
    """Cut text into (piece, following separator) pairs, each piece within the limit."""
    pieces = _BOUNDARY.split(text)
    pairs = []
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        separator = pieces[index + 1] if index + 1 < len(pieces) else ""
        if not piece and not separator:
            continue
        if measure(piece) <= limit:
            pairs.append((piece, separator))
            continue
        words = _WORD.split(piece)
        for windex in range(0, len(words), 2):
            word = words[windex]
            wsep = words[windex + 1] if windex + 1 < len(words) else separator
            while measure(word) > limit:
                cut = _hard_cut(word, limit, measure)
                pairs.append((word[:cut], ""))
                word = word[cut:]
            pairs.append((word, wsep))
    return pairs


def _hard_cut(word: str, limit: int, measure: Callable[[str], int]) -> int:
    """Longest prefix length of `word` within the limit (never splits a surrogate pair)."""
    cut = min(len(word), limit)
    while cut > 1 and measure(word[:cut]) > limit:
        cut -= 1
    return max(cut, 1)


def split_sms(text: str) -> List[str]:
    """Split a text for SMS: ≤320 GSM-7 characters per part, ≤201 when UCS-2 is needed."""
    if is_gsm7(text):
        return split_text(text, SMS_PART_LIMIT_GSM7, gsm7_length)
    return split_text(text, SMS_PART_LIMIT_UCS2, ucs2_length)


def button_title(button: Dict[str, Any]) -> str:
    """The text shown for a Rasa button."""
    return str(button.get("title") or button.get("payload") or "").strip()


def numbered_list(text: str, buttons: Iterable[Dict[str, Any]], first: int = 1) -> str:
    """Render text plus buttons as ONE message: the text, a blank line, "1. Ja", "2. Nee".

    `first`: the number of the first button (a turn of several messages numbers on).
    """
    lines = [f"{number}. {button_title(button)}" for number, button in enumerate(buttons, first)]
    body = "\n".join(lines)
    text = (text or "").strip()
    return f"{text}\n\n{body}" if text and body else (text or body)


def offered_buttons(buttons: Iterable[Dict[str, Any]]) -> List[Dict[str, str]]:
    """Reduce Rasa buttons to what we store: title and payload (title doubles as payload)."""
    offered = []
    for button in buttons:
        title = button_title(button)
        payload = str(button.get("payload") or title)
        offered.append({"title": title, "payload": payload})
    return offered


def fold_text(text: str) -> str:
    """Normalise a reply for comparison: no accents, emoji or punctuation, lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [ch for ch in decomposed if unicodedata.category(ch)[0] in ("L", "N") or ch.isspace()]
    return " ".join("".join(kept).lower().split())


def match_button_reply(reply: str, buttons: List[Dict[str, str]]) -> Dict[str, str] | None:
    """Map a typed reply ("1", "2.", "optie 2" or a button's words) to the offered button."""
    if not reply or not buttons:
        return None
    number = _CHOICE_NUMBER.match(reply)
    if number:
        index = int(number.group(1))
        return buttons[index - 1] if 1 <= index <= len(buttons) else None
    folded = fold_text(reply)
    if not folded:
        return None
    same = [button for button in buttons if fold_text(button.get("title", "")) == folded]
    # Three walk-in hours each end in "Hier wil ik heen": the words alone do not say which.
    return same[0] if len(same) == 1 else None
