"""From a card to a pass number: UID rules, the NDEF text record, a lookup table — then validation.

Libraries that register chip passes by UID usually took the number from a keyboard-emulating reader,
which types the UID in one of a few forms; the rule names say which:

* ``hex`` — UID bytes in reader order, upper-case hex (``04A1B2C3D4E580``);
* ``hex-reversed`` — bytes reversed (many readers send the UID least significant byte first);
* ``decimal`` / ``decimal-reversed`` — the same bytes read as one unsigned big-endian integer, in
  decimal, zero-padded to the width of the largest value of that many bytes (4 bytes → 10 digits, the
  familiar "0012345678" of wedge readers);
* ``ndef`` — the first NDEF text record on the card (where the library writes the pass number);
* ``table`` — a file mapping UID (hex) to pass number, the last resort.

Rules may be chained, ``"ndef,table"``: the first that yields a number wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from drivers.errors import DeviceConfigurationError
from drivers.passnumber import PassCheck, validate_pass_number

UID_RULES = ("hex", "hex-reversed", "decimal", "decimal-reversed")
RULES = (*UID_RULES, "ndef", "table")


def uid_to_number(uid: bytes, rule: str) -> str:
    """Turn a UID into the number a keyboard-emulating reader would have typed, by ``rule``."""
    if rule not in UID_RULES:
        raise DeviceConfigurationError(f"UID rule {rule!r}; expected one of {', '.join(UID_RULES)}")
    data = uid[::-1] if rule.endswith("-reversed") else uid
    if rule.startswith("hex"):
        return data.hex().upper()
    width = len(str(256 ** len(data) - 1))
    return str(int.from_bytes(data, "big")).zfill(width)


def is_random_uid(uid: bytes) -> bool:
    """ISO 14443-3 A random ID: 4 bytes, first byte 08h — bank cards and phones, never a fixed pass."""
    return len(uid) == 4 and uid[0] == 0x08


def load_uid_table(path: Path) -> dict[str, str]:
    """Read a UID table: one ``UID,pass_number`` per line (hex UID; ``#`` comments, blank lines ok).

    Raises DeviceConfigurationError naming the file and line of anything malformed.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DeviceConfigurationError(f"UID table {path}: {exc.strerror or exc}") from None
    table: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise DeviceConfigurationError(f"UID table {path}, line {number}: expected UID,pass_number")
        uid = parts[0].replace(":", "").replace(" ", "").upper()
        try:
            bytes.fromhex(uid)
        except ValueError:
            raise DeviceConfigurationError(f"UID table {path}, line {number}: UID is not hex") from None
        if uid in table:
            raise DeviceConfigurationError(f"UID table {path}, line {number}: UID listed twice")
        table[uid] = parts[1]
    return table


@dataclass(frozen=True)
class Mapped:
    """A card mapped to a pass number (``rule`` names the rule that produced it)."""

    number: str
    rule: str
    check: PassCheck


@dataclass(frozen=True)
class Refused:
    """A card that gave no acceptable pass number; ``reason`` is short and shows no card data."""

    reason: str


NdefReader = Callable[[], "str | None"]


@dataclass(frozen=True)
class PassMapping:
    """How this site turns cards into pass numbers, and how strictly it checks them."""

    rules: tuple[str, ...] = ("hex",)
    table: Mapping[str, str] = field(default_factory=dict)
    validation: str = "off"
    legacy_lengths: tuple[int, ...] = ()
    reject_invalid: bool = True

    @classmethod
    def from_settings(
        cls,
        rule: str | Iterable[str] = "hex",
        table_file: str | Path | None = None,
        validation: str = "off",
        legacy_lengths: Iterable[int] = (),
        reject_invalid: bool = True,
    ) -> PassMapping:
        """Build from configuration values (``[passes] uid_rule``, ``uid_table_file``, ``validation``…)."""
        names = [r.strip() for r in (rule.split(",") if isinstance(rule, str) else rule) if r.strip()]
        if not names:
            raise DeviceConfigurationError(f"no pass rule given; expected one of {', '.join(RULES)}")
        for name in names:
            if name not in RULES:
                raise DeviceConfigurationError(f"pass rule {name!r}; expected one of {', '.join(RULES)}")
        table: dict[str, str] = {}
        if "table" in names:
            if not table_file:
                raise DeviceConfigurationError("pass rule 'table' needs a UID table file (uid_table_file)")
            table = load_uid_table(Path(table_file))
        try:
            validate_pass_number("0", validation)
        except ValueError as exc:
            raise DeviceConfigurationError(str(exc)) from None
        return cls(tuple(names), table, validation, tuple(legacy_lengths), reject_invalid)

    def map_card(self, uid: bytes | None, read_ndef: NdefReader) -> Mapped | Refused:
        """Apply the rules in order to a card's UID (``None`` if it gave none) and NDEF reader."""
        reasons: list[str] = []
        for rule in self.rules:
            number: str | None = None
            if rule == "ndef":
                try:
                    number = read_ndef()
                except Exception:  # a broken tag is "not a pass", never a crash of the reader thread
                    reasons.append("the card's data could not be read")
                    continue
                if not number:
                    reasons.append("no pass number in the card's data")
                    continue
            elif uid is None:
                reasons.append("the card gave no UID")
                continue
            elif is_random_uid(uid):
                reasons.append("the card has a random UID (a bank card or phone?)")
                continue
            elif rule == "table":
                number = self.table.get(uid.hex().upper())
                if number is None:
                    reasons.append("card not registered in the pass table")
                    continue
            else:
                number = uid_to_number(uid, rule)
            check = validate_pass_number(number, self.validation, self.legacy_lengths)
            if not check.valid and self.reject_invalid:
                reasons.append(f"not a valid library pass number ({check.reason})")
                continue
            return Mapped(check.number, rule, check)
        return Refused(reasons[-1] if len(reasons) == 1 else "; ".join(dict.fromkeys(reasons)))
