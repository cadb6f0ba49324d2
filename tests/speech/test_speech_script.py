"""Spoken texts for screens: order, catalog languages, the privacy rule (personal data on the headset only),
PIN digits never spoken, desk referrals replaced in unstaffed hours — and a whole borrowing session spoken
through fake://, on the headset and on the loudspeaker."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from drivers.speech import Channel, FakeSpeech, Privacy, SpeechText, open_speech
from kiosk.core.schedule import Staffing
from kiosk.core.service_hours import parse_service_hours
from kiosk.i18n import Translator
from kiosk.speech_script import (
    AmountLine,
    Prompt,
    ResultLine,
    ScreenSpeech,
    closing_warning,
    focus,
    idle_warning,
    pin_tick,
    speech_on,
    spoken_amount,
    utterances,
)

LIMIT = 30.0
NAME, TITLE_1, TITLE_2 = "Mevr. J. Jansen", "De avonden", "Het diner"
PIN = "4711"

BORROWING = ScreenSpeech(
    screen="borrowing",
    title_key="borrow.title",
    lines=(
        ResultLine("line.loan_done", TITLE_1, "2026-12-29"),
        ResultLine("line.refused", TITLE_2, notes=(Prompt("item.on_hold"),)),
    ),
    prompts=(Prompt("borrow.prompt"),),
)


def texts(said: tuple[SpeechText, ...]) -> list[str]:
    return [s.text for s in said]


def test_borrowing_screen_on_the_headset_in_order() -> None:
    said = utterances(BORROWING, "nl", Channel.HEADSET)
    assert texts(said) == [
        "Lenen",
        "Item 1. De avonden. Geleend. Inleveren uiterlijk 29-12-2026.",
        "Item 2. Het diner. Niet gelukt.",
        Translator("nl")("item.on_hold"),
        "Scan de streepjescode van elk materiaal, één voor één.",
    ]
    assert [s.privacy for s in said][1:3] == [Privacy.PERSONAL, Privacy.PERSONAL]


def test_the_loudspeaker_gets_no_titles_and_a_hint_to_plug_in_headphones() -> None:
    said = utterances(BORROWING, "nl", Channel.LOUDSPEAKER)
    assert texts(said) == [
        "Lenen",
        "Item 1. Geleend. Inleveren uiterlijk 29-12-2026.",
        "Item 2. Niet gelukt.",
        Translator("nl")("item.on_hold"),
        "Scan de streepjescode van elk materiaal, één voor één.",
        "Sluit een koptelefoon aan om de gegevens te horen.",
    ]
    assert all(s.privacy is Privacy.PUBLIC for s in said)


def test_name_amounts_and_ils_messages_are_headset_only() -> None:
    account = ScreenSpeech(
        screen="account",
        title_key="account.title",
        name=NAME,
        errors=(Prompt("patron.ils_message", ils_text="Jansen, u heeft een boete van 3 euro"),),
        amounts=(AmountLine("account.fee_total", Decimal("3.50")),),
    )
    private = texts(utterances(account, "nl", Channel.HEADSET))
    assert "Hallo Mevr. J. Jansen" in private and "Totaal 3 euro 50" in private
    assert "Jansen, u heeft een boete van 3 euro" in private
    public = " ".join(texts(utterances(account, "nl", Channel.LOUDSPEAKER)))
    assert "Jansen" not in public and "3" not in public
    assert Translator("nl")("menu.greeting_anonymous") in public and "koptelefoon" in public


@pytest.mark.parametrize(
    ("amount", "nl", "en"),
    [
        (Decimal("2.50"), "2 euro 50", "2 euros 50"),
        (Decimal("3"), "3 euro", "3 euros"),
        (Decimal("0.05"), "0 euro 05", "0 euros 05"),
        (Decimal("12.345"), "12 euro 35", "12 euros 35"),
    ],
)
def test_amounts_are_said_not_read(amount: Decimal, nl: str, en: str) -> None:
    assert spoken_amount(amount, Translator("nl")) == nl
    assert spoken_amount(amount, Translator("en")) == en


def test_pin_screen_says_how_many_digits_never_which() -> None:
    screen = ScreenSpeech(screen="pin", title_key="pin.title", pin_digits=3, prompts=(Prompt("pin.hint"),))
    said = texts(utterances(screen, "nl", Channel.LOUDSPEAKER))
    assert said == [
        "Voer je pincode in",
        "3 cijfers ingevoerd",
        "Je pincode wordt niet op het scherm getoond",
    ]
    tick = pin_tick("nl")
    assert tick.masked and tick.text == "cijfer"
    assert [pin_tick(lang).text for lang in ("en", "de", "tr")] == ["digit", "Ziffer", "rakam"]


def test_unstaffed_hours_replace_the_desk_referral() -> None:
    hours = parse_service_hours({})
    unstaffed = parse_service_hours({"schedule": {}}).policy(Staffing.UNSTAFFED)
    notice = ScreenSpeech(
        screen="notice",
        title_key="notice.title",
        errors=(Prompt("error.blocked"),),
        prompts=(Prompt("notice.desk"),),
    )
    staffed_text = texts(utterances(notice, "nl", Channel.HEADSET, hours.policy(Staffing.STAFFED)))
    open_plus = texts(utterances(notice, "nl", Channel.HEADSET, unstaffed))
    assert staffed_text[-1] == "Vraag een medewerker om hulp."
    assert open_plus[-1] == "Er is nu geen medewerker. Kom terug tijdens de bemande uren."
    assert "medewerker om hulp" not in " ".join(open_plus)


@pytest.mark.parametrize("lang", ["nl", "en", "de", "tr"])
def test_every_language_speaks_from_its_catalog(lang: str) -> None:
    t = Translator(lang)
    said = texts(utterances(BORROWING, lang, Channel.HEADSET))
    assert said[0] == t("borrow.title")
    assert not any(re.fullmatch(r"[a-z_]+\.[a-z_.]+", s) for s in said), "an untranslated key is spoken"
    assert idle_warning(20, lang)[1].text == t("idle.body", seconds="20")
    assert closing_warning(5, lang).text == t("closing.countdown", minutes="5")
    assert closing_warning(1, lang).text == t("closing.one_minute")
    assert speech_on(lang).text == t("speech.on")
    assert focus("menu.borrow", 1, 5, lang).text == t(
        "speech.focus", label=t("menu.borrow"), position="1", count="5"
    )


def session(channel: Channel) -> list[str]:
    """A whole borrowing session, screen by screen, as the wiring will speak it: each new screen
    interrupts the last; PIN key presses tick."""
    out = open_speech("fake://")
    assert isinstance(out, FakeSpeech)
    lang = "nl"
    try:
        out.reset()  # a new member
        out.say(speech_on(lang), channel=channel, interrupt=True)
        out.wait_idle(LIMIT)
        screens = [
            ScreenSpeech("pin", "pin.title", prompts=(Prompt("pin.hint"),)),
            None,  # the member types the PIN
            ScreenSpeech("menu", "menu.question", name=NAME),
            ScreenSpeech("borrowing", "borrow.title", prompts=(Prompt("borrow.prompt"),)),
            BORROWING,
            ScreenSpeech(
                "account", "account.title", amounts=(AmountLine("account.fee_total", Decimal("1.20")),)
            ),
            ScreenSpeech("ending", "receipt.title"),
            ScreenSpeech("idle", "goodbye.title", prompts=(Prompt("goodbye.body"),)),
        ]
        for screen in screens:
            if screen is None:
                for _digit in PIN:
                    out.say(pin_tick(lang), channel=channel)
            else:
                out.say(utterances(screen, lang, channel), channel=channel, interrupt=True)
            assert out.wait_idle(LIMIT)
        assert out.errors == 0
        return out.texts()
    finally:
        out.close()


def test_a_whole_borrowing_session_on_the_headset() -> None:
    spoken = session(Channel.HEADSET)
    assert spoken[:2] == [Translator("nl")("speech.on"), "Voer je pincode in"]
    assert spoken.count("cijfer") == 4
    assert "Hallo Mevr. J. Jansen" in spoken
    assert "Item 1. De avonden. Geleend. Inleveren uiterlijk 29-12-2026." in spoken
    assert "Totaal 1 euro 20" in spoken
    assert spoken[-2:] == ["Bedankt en tot ziens!", "Vergeet je pas en je materialen niet."]
    assert not any(d in " ".join(spoken) for d in ("4711", "4 7 1 1"))


def test_a_whole_borrowing_session_on_the_loudspeaker_leaks_nothing() -> None:
    spoken = session(Channel.LOUDSPEAKER)
    for secret in (NAME, "Jansen", TITLE_1, TITLE_2, "1 euro 20", PIN):
        assert not any(secret in s for s in spoken), secret
    assert spoken.count("cijfer") == 4  # one tick per key press, nothing else said for the PIN
    assert not any(re.fullmatch(r"\W*\d\W*", s) for s in spoken)  # no lone digit ever
    assert "Item 1. Geleend. Inleveren uiterlijk 29-12-2026." in spoken
    assert spoken.count("Sluit een koptelefoon aan om de gegevens te horen.") == 2  # borrowing, account
