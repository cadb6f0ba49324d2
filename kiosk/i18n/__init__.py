"""Translations of the kiosk screens through gettext catalogs.

The core's view state carries message *keys* (``"borrow.title"``, ``"refused.hold_for_other"``), never
translated text. The catalogs in ``locale/<lang>/LC_MESSAGES/kiosk.po`` map those keys to text in each
language; English is a catalog like the others, so no patron-visible sentence lives in the code.
Values use ``str.format`` fields (``{title}``, ``{due}``) that the UI fills in.

Compile after editing a ``.po`` file: ``python -m kiosk.i18n`` (pure Python, no gettext tools needed).
"""

from __future__ import annotations

import gettext
import logging
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
LANGUAGES = ("nl", "en", "de", "tr")
FALLBACK = "en"

# SIP2 2.00 language codes (field "language", 3 digits) for the languages we have catalogs for.
# Turkish has no SIP2 code; the patron chooses it on the attract screen.
SIP2_LANGUAGES = {"001": "en", "003": "de", "005": "nl", "024": "en"}

# The name of each language in itself, for the language buttons.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "de": "Deutsch", "tr": "Türkçe"}


def language_from_sip2(code: str | None, default: str) -> str:
    """Map a SIP2 language code (``"005"``) or a plain code (``"nl"``) to a catalog language."""
    if not code:
        return default
    code = code.strip().lower()
    if code in LANGUAGES:
        return code
    return SIP2_LANGUAGES.get(code, default)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog for ``language``, falling back to English for a missing key."""
    try:
        primary: gettext.NullTranslations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    except OSError:
        log.warning("no catalog for language %s, using %s", language, FALLBACK)
        primary = gettext.NullTranslations()
    if language != FALLBACK:
        try:
            primary.add_fallback(gettext.translation(DOMAIN, LOCALE_DIR, languages=[FALLBACK]))
        except OSError:
            pass
    return primary


class Translator:
    """Turns message keys into text in one language: ``t("borrow.due", due="12-03")``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else FALLBACK
        self._catalog = translations(self.language)

    def __call__(self, key: str, **fields: Any) -> str:
        """Translate ``key`` and fill in its ``{fields}``; an unknown key is shown as itself."""
        text = self._catalog.gettext(key)
        if fields:
            try:
                text = text.format(**fields)
            except (KeyError, IndexError, ValueError):
                log.error("catalog %s: bad fields in message %s", self.language, key)
        return text

    def n(self, key: str, count: int, **fields: Any) -> str:
        """The plural form of ``key`` for ``count`` (the catalog's own plural rule; msgid_plural is
        ``key.plural``), with ``{count}`` and the other fields filled in."""
        text = self._catalog.ngettext(key, f"{key}.plural", count)
        try:
            return text.format(count=count, **fields)
        except (KeyError, IndexError, ValueError):
            log.error("catalog %s: bad fields in plural message %s", self.language, key)
            return text

    def raw(self, key: str) -> str:
        """The catalog text of ``key`` without filling in fields."""
        return self._catalog.gettext(key)

    def has(self, key: str) -> bool:
        """True when ``key`` has a translation in this language (not via the fallback)."""
        return key in getattr(self._catalog, "_catalog", {})


def catalog_paths() -> dict[str, Path]:
    """The ``.po`` file of every language."""
    return {lang: LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for lang in LANGUAGES}
