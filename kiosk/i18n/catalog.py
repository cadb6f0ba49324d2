"""Read gettext ``.po`` files and write ``.mo`` files, in pure Python.

The gettext tools are not always installed on a kiosk build machine, so this module does what
CPython's ``Tools/i18n/msgfmt.py`` does for the subset of the PO format the kiosk uses: ``msgctxt`` is
not used, plural forms are supported (``msgid_plural`` / ``msgstr[n]``), fuzzy entries are skipped (as
``msgfmt`` does without ``--use-fuzzy``), and the output is byte-for-byte deterministic (keys sorted,
no hash table), so a test can check that every committed ``.mo`` matches its ``.po``.
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path

from kiosk.errors import ConfigError

MO_MAGIC = 0x950412DE  # "The magic number is 0x950412de" -- GNU gettext manual, "The Format of GNU MO Files"


def _unquote(text: str, path: Path, lineno: int) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ConfigError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError) as exc:
        raise ConfigError(f"{path}:{lineno}: bad string literal {text!r}: {exc}") from None
    if not isinstance(value, str):
        raise ConfigError(f"{path}:{lineno}: expected a string")
    return value


def parse_po(path: Path) -> dict[str, str]:
    """Parse a PO file into ``{msgid: msgstr}``; plurals are keyed ``msgid\\0msgid_plural`` with
    ``msgstr[0]\\0msgstr[1]...`` as value, as in the MO format. Untranslated and fuzzy entries are left
    out. The header (empty msgid) is kept.
    """
    messages: dict[str, str] = {}
    section: str | None = None
    msgid = msgid_plural = ""
    msgstr: dict[int, str] = {}
    fuzzy = pending_fuzzy = False

    def flush() -> None:
        nonlocal msgid, msgid_plural, msgstr, fuzzy
        if section is not None and not fuzzy:
            if msgid_plural:
                forms = [msgstr.get(i, "") for i in range(max(msgstr) + 1)] if msgstr else []
                if forms and all(forms):
                    messages[msgid + "\0" + msgid_plural] = "\0".join(forms)
            elif msgstr.get(0):
                if msgid in messages:
                    raise ConfigError(f"{path}: duplicate msgid {msgid!r}")
                messages[msgid] = msgstr[0]
        msgid, msgid_plural, msgstr, fuzzy = "", "", {}, False

    index = 0
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            pending_fuzzy = True
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid_plural"):
            msgid_plural = _unquote(line[len("msgid_plural") :], path, lineno)
            section = "msgid_plural"
        elif line.startswith("msgid"):
            if section in ("msgstr",):
                flush()
            fuzzy, pending_fuzzy = pending_fuzzy, False
            msgid = _unquote(line[len("msgid") :], path, lineno)
            section = "msgid"
        elif line.startswith("msgstr["):
            close = line.index("]")
            index = int(line[len("msgstr[") : close])
            msgstr[index] = _unquote(line[close + 1 :], path, lineno)
            section = "msgstr"
        elif line.startswith("msgstr"):
            index = 0
            msgstr[0] = _unquote(line[len("msgstr") :], path, lineno)
            section = "msgstr"
        elif line.startswith('"'):
            piece = _unquote(line, path, lineno)
            if section == "msgid":
                msgid += piece
            elif section == "msgid_plural":
                msgid_plural += piece
            elif section == "msgstr":
                msgstr[index] = msgstr.get(index, "") + piece
            else:
                raise ConfigError(f"{path}:{lineno}: string continuation outside an entry")
        else:
            raise ConfigError(f"{path}:{lineno}: cannot parse {line[:40]!r}")
    flush()
    return messages


def compile_mo(messages: dict[str, str]) -> bytes:
    """Serialise ``{msgid: msgstr}`` into the GNU MO format (little endian, no hash table)."""
    keys = sorted(messages)
    ids = b""
    strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key in keys:
        kb, vb = key.encode("utf-8"), messages[key].encode("utf-8")
        offsets.append((len(ids), len(kb), len(strs), len(vb)))
        ids += kb + b"\0"
        strs += vb + b"\0"
    # Layout: header (7 words), table of original strings, table of translations, then the strings.
    count = len(keys)
    key_table = 7 * 4
    value_table = key_table + count * 8
    key_start = value_table + count * 8
    value_start = key_start + len(ids)
    key_entries: list[int] = []
    value_entries: list[int] = []
    for key_off, key_len, val_off, val_len in offsets:
        key_entries += [key_len, key_start + key_off]
        value_entries += [val_len, value_start + val_off]
    header = struct.pack("<7I", MO_MAGIC, 0, count, key_table, value_table, 0, 0)
    return (
        header
        + struct.pack(f"<{len(key_entries)}I", *key_entries)
        + struct.pack(f"<{len(value_entries)}I", *value_entries)
        + ids
        + strs
    )


def compile_po_file(po_path: Path) -> Path:
    """Compile ``kiosk.po`` to ``kiosk.mo`` next to it; returns the ``.mo`` path."""
    mo_path = po_path.with_suffix(".mo")
    mo_path.write_bytes(compile_mo(parse_po(po_path)))
    return mo_path
