"""Property: whatever names, titles, amounts and ILS messages a screen carries, nothing of them is said on
the loudspeaker, and all of it is said on the headset (bounded Hypothesis runs)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.speech import Channel, Privacy
from kiosk.i18n import Translator
from kiosk.speech_script import AmountLine, Prompt, ResultLine, ScreenSpeech, spoken_amount, utterances

# Personal data carries a marker no catalog text contains, so a leak cannot hide in ordinary words.
secret = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ÄÖÜéëï'-", min_size=1, max_size=20).map(
    lambda s: f"QX{s.strip()}QX"
)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
lines = st.lists(
    st.builds(
        ResultLine,
        st.sampled_from(["line.loan_done", "line.refused", "line.pending"]),
        secret,
        st.sampled_from(["", "2026-12-29", "20261229    235900"]),
    ),
    max_size=4,
)


@settings(max_examples=60)
@given(st.sampled_from(["nl", "en", "de", "tr"]), secret, lines, st.lists(amounts, max_size=2), secret)
def test_loudspeaker_says_none_of_it_headset_says_all_of_it(
    lang: str, name: str, result_lines: list[ResultLine], sums: list[Decimal], ils: str
) -> None:
    screen = ScreenSpeech(
        screen="account",
        title_key="account.title",
        name=name,
        lines=tuple(result_lines),
        amounts=tuple(AmountLine("account.fee_total", a) for a in sums),
        errors=(Prompt("patron.ils_message", ils_text=ils),),
    )
    loud = utterances(screen, lang, Channel.LOUDSPEAKER)
    spoken = " ".join(s.text for s in loud)
    assert "QX" not in spoken
    assert all(s.privacy is Privacy.PUBLIC for s in loud)
    t = Translator(lang)
    for a in sums:
        assert spoken_amount(a, t) not in spoken
    private = " ".join(s.text for s in utterances(screen, lang, Channel.HEADSET))
    for item in [name, ils, *(line.title for line in result_lines)]:
        assert item in private
    for a in sums:
        assert spoken_amount(a, t) in private
