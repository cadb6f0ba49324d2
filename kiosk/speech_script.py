"""What the kiosk says for a screen: a pure function from a screen description to ordered utterances.

Every text comes from the same gettext catalogs as the screen (:mod:`kiosk.i18n`), in the member's
language, in the order the screen shows it (EN 301 549 §5.1.3.3): the screen's purpose (title), the
greeting, errors, the result lines (title, status, due date), amounts, then what to do next.

Two rules are applied here and again by every speech output (:mod:`drivers.speech`):

* Personal data — the member's name, item titles, amounts owed, and the ILS's own screen messages (they
  may name the member or a fee) — is spoken only on the **headset**. On the **loudspeaker** a line is
  spoken without its title, and the rest is replaced, once per screen, by "plug in headphones to hear the
  details" (§5.1.3.9).
* A PIN is never spoken: the PIN screen says how many digits were entered, each key press is a neutral
  tick (:func:`pin_tick`), never the digit (§5.1.3.8).

Desk referrals are replaced by the service mode's instruction (:class:`~kiosk.core.service_hours.ModePolicy`
``desk_texts``), so the unstaffed kiosk does not send anyone to an empty desk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from drivers.speech import Channel, SpeechText
from kiosk.core.service_hours import ModePolicy
from kiosk.i18n import Translator
from kiosk.i18n.formats import format_due

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Prompt:
    """A catalog message with its fields; ``ils_text`` is the ILS's own text, spoken after it."""

    key: str
    params: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    ils_text: str = ""


@dataclass(frozen=True)
class ResultLine:
    """One result line: the item's title (personal), its status key (``line.loan_done``), due date."""

    status_key: str
    title: str = ""
    due: str = ""  # ISO or SIP2 date, formatted as on screen
    notes: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class AmountLine:
    """An amount shown on screen under a label key with an ``{amount}`` field (``account.fee_total``)."""

    label_key: str
    amount: Decimal


@dataclass(frozen=True)
class ScreenSpeech:
    """What a screen shows that matters, as data; the lead builds it from the core's view."""

    screen: str  # the screen's id ("borrow"); not spoken, for logs and tests
    title_key: str
    title_params: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    name: str = ""  # the member's name for the greeting (personal)
    errors: tuple[Prompt, ...] = ()
    lines: tuple[ResultLine, ...] = ()
    amounts: tuple[AmountLine, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    pin_digits: int | None = None  # on a PIN screen: how many digits have been entered (never which)


def utterances(
    screen: ScreenSpeech,
    language: str,
    channel: Channel,
    policy: ModePolicy | None = None,
) -> tuple[SpeechText, ...]:
    """The ordered utterances for ``screen`` on ``channel`` in ``language``."""
    t = Translator(language)
    headset = channel is Channel.HEADSET
    said: list[SpeechText] = []
    withheld = False

    def key_of(key: str) -> str:
        return policy.text_key(key) if policy is not None else key

    def prompt(p: Prompt) -> None:
        nonlocal withheld
        said.append(SpeechText.public(t(key_of(p.key), **p.params)))
        if p.ils_text.strip():
            if headset:
                said.append(SpeechText.personal(p.ils_text.strip()))
            else:
                withheld = True

    said.append(SpeechText.public(t(screen.title_key, **screen.title_params)))
    if screen.name:
        if headset:
            said.append(SpeechText.personal(t("menu.greeting", name=screen.name)))
        else:
            said.append(SpeechText.public(t("menu.greeting_anonymous")))
    for error in screen.errors:
        prompt(error)
    for number, line in enumerate(screen.lines, start=1):
        parts = [t("speech.item", number=str(number))]
        if line.title and headset:
            parts.append(line.title)
        withheld = withheld or bool(line.title and not headset)
        parts.append(t(line.status_key))
        if line.due:
            parts.append(t("line.due", due=format_due(line.due, t.language)))
        text = ". ".join(p.strip().rstrip(".") for p in parts if p.strip()) + "."
        said.append(SpeechText.personal(text) if line.title and headset else SpeechText.public(text))
        for note in line.notes:
            prompt(note)
    for amount in screen.amounts:
        if headset:
            said.append(SpeechText.personal(t(amount.label_key, amount=spoken_amount(amount.amount, t))))
        else:
            withheld = True
    if screen.pin_digits is not None and screen.pin_digits > 0:
        said.append(SpeechText.public(t("speech.pin_count", count=str(screen.pin_digits))))
    for p in screen.prompts:
        prompt(p)
    if withheld:
        said.append(SpeechText.public(t("speech.headset_for_details")))
    return tuple(s for s in said if not s.blank)


def spoken_amount(amount: Decimal, t: Translator) -> str:
    """An amount as it is said ("2 euro 50"), not as it is written ("€ 2,50": a voice reads the sign)."""
    cents_total = int((abs(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    euros, cents = divmod(cents_total, 100)
    if cents == 0:
        return t("speech.amount_whole", euros=str(euros))
    return t("speech.amount", euros=str(euros), cents=f"{cents:02d}")


def pin_tick(language: str) -> SpeechText:
    """What a PIN key press says: the neutral tick word, never the digit."""
    return SpeechText.pin_tick(Translator(language)("speech.pin_tick"))


def idle_warning(seconds_left: int, language: str) -> tuple[SpeechText, ...]:
    """The idle warning as speech (the screen shows it, a sound plays too): question, time, extend."""
    t = Translator(language)
    return (
        SpeechText.public(t("idle.title")),
        SpeechText.public(t("idle.body", seconds=str(seconds_left))),
        SpeechText.public(t("speech.more_time")),
    )


def closing_warning(minutes_left: int, language: str) -> SpeechText:
    """The closing countdown as speech (the banner says the same)."""
    t = Translator(language)
    if minutes_left <= 1:
        return SpeechText.public(t("closing.one_minute"))
    return SpeechText.public(t("closing.countdown", minutes=str(minutes_left)))


def speech_on(language: str) -> SpeechText:
    """Said when speech mode starts: that it is on and how the keypad works."""
    return SpeechText.public(Translator(language)("speech.on"))


def focus(label_key: str, position: int, count: int, language: str) -> SpeechText:
    """Said when keypad focus moves to a button: its label and where it is ("2 of 5")."""
    t = Translator(language)
    return SpeechText.public(t("speech.focus", label=t(label_key), position=str(position), count=str(count)))
