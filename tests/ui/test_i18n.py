"""Catalogs: compiled files match their sources, Dutch and English are complete, every message key the
code can produce has a text, and placeholders agree between languages."""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.i18n import LANGUAGES, Translator, catalog_paths, language_from_sip2
from kiosk.i18n.catalog import compile_mo, parse_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = {lang: parse_po(path) for lang, path in catalog_paths().items()}
KEYS = {lang: {k for k in msgs if k} for lang, msgs in CATALOGS.items()}

# Message keys as the core and services write them: Message("x.y"...), reason="x.y", key = "x.y".
KEY_IN_CODE = re.compile(
    r"""(?:Message\(\s*|ActionResult\(\s*\w+,\s*|reason\s*(?::\s*str\s*)?=\s*|key\s*=\s*|\bt\(\s*)"""
    r""""([a-z_]+\.[a-z_.]+)\""""
)


def keys_used_in(*dirs: str) -> set[str]:
    found: set[str] = set()
    for d in dirs:
        base = ROOT / d
        for path in [base] if base.is_file() else base.rglob("*.py"):
            found |= set(KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_matches_po(lang: str) -> None:
    po = catalog_paths()[lang]
    mo = po.with_suffix(".mo")
    assert mo.read_bytes() == compile_mo(parse_po(po)), f"run `python -m kiosk.i18n` to recompile {lang}"
    with mo.open("rb") as fh:
        loaded = gettext.GNUTranslations(fh)
    catalog = loaded._catalog  # type: ignore[attr-defined]
    singular = {k: v for k, v in CATALOGS[lang].items() if "\0" not in k}
    assert {k: v for k, v in catalog.items() if isinstance(k, str)} == singular
    for key, forms in CATALOGS[lang].items():  # plurals: gettext keys them (msgid, form index)
        if "\0" in key:
            msgid = key.split("\0")[0]
            assert [catalog[(msgid, i)] for i in range(len(forms.split("\0")))] == forms.split("\0")


def test_dutch_and_english_are_complete() -> None:
    assert KEYS["nl"] == KEYS["en"]
    assert len(KEYS["en"]) > 100


@pytest.mark.parametrize("lang", ["de", "tr"])
def test_other_catalogs_have_no_stray_keys(lang: str) -> None:
    assert KEYS[lang] <= KEYS["en"]
    assert len(KEYS[lang]) >= 0.9 * len(KEYS["en"])


def test_every_key_in_the_code_has_a_text() -> None:
    used = keys_used_in(
        "kiosk/core",
        "kiosk/services",
        "kiosk/ui",
        "kiosk/maintenance",
        "kiosk/payments",
    )
    assert "error.pin_wrong" in used or not (ROOT / "kiosk/core").exists()
    assert used - KEYS["en"] == set()
    assert used - KEYS["nl"] == set()


def test_every_terminal_prompt_has_a_text() -> None:
    from drivers.payment.texts import TEXTS

    keys = {f"terminal.{key}" for key in TEXTS}
    assert keys - KEYS["en"] == set()
    assert keys - KEYS["nl"] == set()


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", ["nl", "de", "tr"])
def test_placeholders_agree_with_english(lang: str) -> None:
    for key in KEYS[lang]:
        assert fields(CATALOGS[lang][key]) == fields(CATALOGS["en"][key]), f"{lang} {key}"


def test_translator_fills_fields_and_falls_back() -> None:
    nl = Translator("nl")
    assert nl("line.due", due="12-03-2026") == "Inleveren uiterlijk 12-03-2026"
    assert nl("no.such.key") == "no.such.key"
    assert Translator("xx").language == "en"
    assert Translator("tr")("menu.borrow") == "Ödünç al"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("005", "nl"), ("001", "en"), ("003", "de"), ("000", "nl"), ("", "nl"), ("tr", "tr"), ("099", "nl")],
)
def test_sip2_language(code: str, expected: str) -> None:
    assert language_from_sip2(code, "nl") == expected


def test_parser_handles_continuations_plurals_and_fuzzy(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr "Language: nl\\n"\n\n'
        'msgid "a.long"\nmsgstr ""\n"first "\n"second \\"q\\""\n\n'
        '#, fuzzy\nmsgid "a.fuzzy"\nmsgstr "skip me"\n\n'
        'msgid "a.untranslated"\nmsgstr ""\n\n'
        'msgid "one item"\nmsgid_plural "{n} items"\nmsgstr[0] "een item"\nmsgstr[1] "{n} items"\n',
        encoding="utf-8",
    )
    parsed = parse_po(po)
    assert parsed["a.long"] == 'first second "q"'
    assert "a.fuzzy" not in parsed and "a.untranslated" not in parsed
    assert parsed["one item\0{n} items"] == "een item\0{n} items"
    mo = tmp_path / "x.mo"
    mo.write_bytes(compile_mo(parsed))
    with mo.open("rb") as fh:
        loaded = gettext.GNUTranslations(fh)
    assert loaded.ngettext("one item", "{n} items", 3) == "{n} items"
    assert loaded.gettext("a.long") == 'first second "q"'


def test_parser_reports_file_and_line(tmp_path: Path) -> None:
    po = tmp_path / "bad.po"
    po.write_text('msgid "a"\nmsgstr "b"\nwhat is this\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.po:3"):
        parse_po(po)


def plural_count(lang: str) -> int:
    """nplurals from the catalog's Plural-Forms header."""
    header = CATALOGS[lang][""]
    match = re.search(r"nplurals\s*=\s*(\d+)", header)
    assert match, f"{lang}: no Plural-Forms header"
    return int(match.group(1))


def raw_entries(lang: str) -> dict[str, list[str]]:
    """Every entry of a catalog as msgid (``key`` or ``key\\0key.plural``) → its msgstr forms, including
    untranslated and incomplete ones (which ``parse_po`` leaves out)."""
    entries: dict[str, list[str]] = {}
    msgid, forms, plural = None, {}, ""
    text = catalog_paths()[lang].read_text(encoding="utf-8") + "\n"
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("msgid_plural"):
            plural = line[len("msgid_plural") :].strip().strip('"')
        elif line.startswith("msgid "):
            msgid, forms, plural = line[6:].strip()[1:-1], {}, ""
        elif line.startswith("msgstr[") and msgid is not None:
            forms[int(line[7 : line.index("]")])] = line[line.index("]") + 1 :].strip()[1:-1]
        elif line.startswith("msgstr ") and msgid is not None:
            forms[0] = line[7:].strip()[1:-1]
        elif not line and msgid:
            key = f"{msgid}\0{plural}" if plural else msgid
            entries[key] = [forms.get(i, "") for i in range(max(forms) + 1 if forms else 1)]
            msgid = None
    return entries


PLURAL_CALL = re.compile(r"""\.n\(\s*"([a-z_]+\.[a-z_.]+)\"""")


def test_no_message_lacks_a_translation_and_no_plural_lacks_its_forms() -> None:
    """A msgid without Dutch or English text, or a plural without all of its language's forms, fails."""
    every = set()
    for lang in LANGUAGES:
        every |= set(raw_entries(lang))
    every.discard("")
    plural_used = set()
    for path in (ROOT / "kiosk").rglob("*.py"):
        plural_used |= set(PLURAL_CALL.findall(path.read_text(encoding="utf-8")))
    assert plural_used >= {"pin.tries_left", "lines.count", "receipt.summary", "menu.holds_ready"}
    for key in plural_used:
        every.add(f"{key}\0{key}.plural")
    problems = []
    for lang in LANGUAGES:
        entries, wanted = raw_entries(lang), plural_count(lang)
        for key in sorted(every):
            forms = entries.get(key)
            if forms is None:
                if lang in ("nl", "en"):
                    problems.append(f"{lang}: {key!r} has no translation")
                continue
            if "\0" in key and (len(forms) != wanted or not all(forms)):
                problems.append(f"{lang}: plural {key.split(chr(0))[0]!r} needs {wanted} forms, has {forms}")
            elif not all(forms):
                problems.append(f"{lang}: {key!r} is empty")
    assert problems == []


def test_catalog_plural_rules_match_cldr() -> None:
    from babel import Locale

    for lang in LANGUAGES:
        assert plural_count(lang) == len(Locale.parse(lang).plural_form.tags | {"other"}), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_babel_reads_the_catalogs_as_we_do(lang: str) -> None:
    """The catalogs are standard PO: Babel (and so Poedit, Weblate) reads the same messages."""
    from babel.messages.pofile import read_po

    with catalog_paths()[lang].open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    assert catalog.num_plurals == plural_count(lang)
    ours = {k: v for k, v in CATALOGS[lang].items() if k}
    theirs = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            theirs["\0".join(message.id)] = "\0".join(message.string)
        elif message.string:
            theirs[message.id] = message.string
    assert theirs == ours
