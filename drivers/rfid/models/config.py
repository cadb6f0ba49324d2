"""Small readers for configuration tables (TOML → dict) that say which key is wrong and what was expected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from drivers.rfid.models.core import TagModelConfigError


class Table:
    """A config table being read: every key must be taken, the rest is reported as unknown."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise TagModelConfigError(f"{where}: expected a table, got {type(raw).__name__}")
        self.raw: Mapping[str, Any] = raw
        self.where = where
        self.taken: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted path of ``name`` for messages."""
        return f"{self.where}.{name}" if self.where else name

    def _get(self, name: str) -> object:
        self.taken.add(name)
        return self.raw.get(name)

    def has(self, name: str) -> bool:
        """True when the table sets ``name`` (``name`` counts as a known key)."""
        self.taken.add(name)
        return name in self.raw

    def string(self, name: str, default: str | None = None, *, choices: Sequence[str] = ()) -> str:
        """A string value (one of ``choices`` when given)."""
        value = self._get(name)
        if value is None:
            if default is None:
                raise TagModelConfigError(f"{self.key(name)}: missing (expected a string)")
            return default
        if not isinstance(value, str):
            raise TagModelConfigError(f"{self.key(name)}: expected a string, got {value!r}")
        if choices and value not in choices:
            raise TagModelConfigError(f"{self.key(name)}: {value!r} is not one of {', '.join(choices)}")
        return value

    def integer(
        self, name: str, default: int | None = None, *, minimum: int = 0, maximum: int = 1 << 16
    ) -> int:
        """An integer in ``minimum``–``maximum``."""
        value = self._get(name)
        if value is None:
            if default is None:
                raise TagModelConfigError(f"{self.key(name)}: missing (expected an integer)")
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise TagModelConfigError(
                f"{self.key(name)}: expected an integer from {minimum} to {maximum}, got {value!r}"
            )
        return value

    def boolean(self, name: str, default: bool) -> bool:
        """``true`` or ``false``."""
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise TagModelConfigError(f"{self.key(name)}: expected true or false, got {value!r}")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        """A string or a list of strings."""
        value = self._get(name)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise TagModelConfigError(f"{self.key(name)}: expected a string or a list of strings, got {value!r}")

    def item(self, name: str) -> object:
        """The raw value (for nested tables and lists)."""
        return self._get(name)

    def done(self) -> None:
        """Raise for keys nobody asked for (a typo must not be ignored silently)."""
        unknown = sorted(set(self.raw) - self.taken)
        if unknown:
            raise TagModelConfigError(
                f"{self.where or 'layout'}: unknown key(s) {', '.join(unknown)}; "
                f"expected {', '.join(sorted(self.taken))}"
            )
