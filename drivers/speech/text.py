"""What may be spoken: :class:`SpeechText`, the only thing a speech output accepts.

Two rules of EN 301 549 are built into the type, so a caller cannot break them by accident:

* §5.1.3.8 masked entry: a PIN digit is never spoken. :meth:`SpeechText.pin_tick` takes no digit at all,
  only the neutral word to say instead (the catalog's "cijfer"), and refuses a "word" that holds a digit.
  :func:`redact_digits` turns any text into ticks, for a caller that only has the entered text.
* §5.1.3.9 private access to personal data: a text made with :meth:`SpeechText.personal` (a name, a
  title, an amount owed) is marked :attr:`Privacy.PERSONAL`; every output plays it on the headset only
  and drops it on the loudspeaker (:func:`allowed_on`).

The text itself never appears in logs (``repr`` shows its length and privacy, not its words).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

_DIGIT = re.compile(r"\d")


class Channel(enum.Enum):
    """Where speech is heard: the member's own headset, or the kiosk's loudspeaker."""

    HEADSET = "headset"
    LOUDSPEAKER = "loudspeaker"


class Privacy(enum.Enum):
    """Whether a text may be heard by bystanders."""

    PUBLIC = "public"  # screen purpose, prompts, statuses, due dates, errors without personal data
    PERSONAL = "personal"  # names, titles, amounts owed: headset only


@dataclass(frozen=True, slots=True)
class SpeechText:
    """One utterance. Build it with :meth:`public`, :meth:`personal` or :meth:`pin_tick`."""

    text: str = field(repr=False)
    privacy: Privacy = Privacy.PUBLIC
    masked: bool = False  # a tick for a masked entry (PIN digit)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError("SpeechText.text must be a str")
        if self.masked and _DIGIT.search(self.text):
            raise ValueError("a masked-entry tick must not contain a digit")

    def __repr__(self) -> str:
        tick = ", masked" if self.masked else ""
        return f"SpeechText(<{len(self.text)} chars>, {self.privacy.value}{tick})"

    @classmethod
    def public(cls, text: str) -> SpeechText:
        """A text anyone near the kiosk may hear (screen purpose, prompt, status, due date)."""
        return cls(text, Privacy.PUBLIC)

    @classmethod
    def personal(cls, text: str) -> SpeechText:
        """A text with personal data (name, title, amount owed): played on the headset only."""
        return cls(text, Privacy.PERSONAL)

    @classmethod
    def pin_tick(cls, word: str) -> SpeechText:
        """The neutral tick spoken for one PIN digit (``word`` is e.g. "cijfer"); never the digit."""
        return cls(word, Privacy.PUBLIC, masked=True)

    @property
    def blank(self) -> bool:
        """True when there is nothing to say."""
        return not self.text.strip()


def redact_digits(entered: str, word: str) -> SpeechText:
    """Speak masked input (a PIN as typed so far) as one tick ``word`` per character, never a digit."""
    count = len(entered)
    return SpeechText(" ".join([word] * count), Privacy.PUBLIC, masked=True)


def allowed_on(text: SpeechText, channel: Channel) -> bool:
    """The privacy rule: personal texts only through the headset, never the loudspeaker."""
    return text.privacy is Privacy.PUBLIC or channel is Channel.HEADSET


def parse_channel(value: str | Channel) -> Channel:
    """``"headset"`` / ``"loudspeaker"`` (or a :class:`Channel`) → :class:`Channel`; else ValueError."""
    if isinstance(value, Channel):
        return value
    try:
        return Channel(value)
    except ValueError:
        raise ValueError(f"speech channel {value!r}; expected 'headset' or 'loudspeaker'") from None
