"""Hypothesis strategies for every SIP2 message class, derived from the classes' own field tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from sip2.codec import ITEM_LIST_FIELDS
from sip2.fields import PatronStatus
from sip2.messages import MESSAGE_TYPES, FixedKind, Message, VarKind

# Printable ASCII without '|' plus accented letters that cp850, latin-1 and utf-8 all carry (NFC).
ALPHABET = "".join(chr(c) for c in range(32, 127) if chr(c) != "|") + "éëïöüÉßçñå"
VENDOR_CODES = ("GG", "PA", "PB", "XI", "ZZ", "YY", "QQ")


def text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Values that are legal in any SIP2 field."""
    return st.text(alphabet=ALPHABET, min_size=min_size, max_size=max_size)


def _fixed(kind: FixedKind, width: int) -> st.SearchStrategy[Any]:
    if kind is FixedKind.TEXT:  # fixed fields are ASCII (codes, digits, timestamps)
        return st.text(alphabet=ALPHABET[:94], min_size=width, max_size=width)
    if kind in (FixedKind.BOOL01, FixedKind.YN):
        return st.booleans()
    if kind is FixedKind.YNU:
        return st.none() | st.booleans()
    if kind is FixedKind.INT:
        return st.none() | st.integers(0, 10**width - 1)
    return st.builds(PatronStatus, *[st.booleans() for _ in range(14)])


def _variable(kind: VarKind, required: bool, width: int, code: str = "") -> st.SearchStrategy[Any]:
    if kind is VarKind.REPEAT:
        # Blank entries of an item list are padding the decoder drops (issue 11 item 2).
        item = text().filter(str.strip) if code in ITEM_LIST_FIELDS else text()
        return st.lists(item, max_size=3).map(tuple)
    if kind is VarKind.DECIMAL:
        return st.none() | st.decimals(
            min_value=-1000, max_value=100000, places=2, allow_nan=False, allow_infinity=False
        )
    if kind is VarKind.YN:
        return st.none() | st.booleans()
    if kind is VarKind.INT:
        return st.none() | st.integers(0, 10**width - 1 if width else 10**6)
    return text() if required else st.none() | text()


def message_strategy(cls: type[Message]) -> st.SearchStrategy[Message]:
    """Any valid instance of *cls*, including vendor fields the class does not know."""
    known = {var.code for var in cls.VARIABLE}
    vendor = [code for code in VENDOR_CODES if code not in known]
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for fixed in cls.FIXED:
        kwargs[fixed.attr] = _fixed(fixed.kind, fixed.width)
    for var in cls.VARIABLE:
        kwargs[var.attr] = _variable(var.kind, var.required, var.width, var.code)
    kwargs["extra_fields"] = st.lists(st.tuples(st.sampled_from(vendor), text()), max_size=3).map(tuple)
    return st.builds(cls, **kwargs)


ALL_TYPES = sorted(MESSAGE_TYPES.values(), key=lambda cls: cls.CODE)
__all__ = ["ALL_TYPES", "Decimal", "message_strategy", "text"]
