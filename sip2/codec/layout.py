"""A message class's field layout as the codec walks it: fixed fields with widths, variable fields by code.

Built once per message class and cached: encoding and decoding walk these tuples instead of the
dataclass metadata on every message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sip2.dialect import Dialect
from sip2.messages import FixedKind, Message, Var, VarKind

DEFAULT_DIALECT = Dialect()
#: A two-letter field code (``AO``, ``AA``, a vendor's ``ZZ``).
FIELD_CODE = re.compile(r"^[A-Z]{2}$")
F_TEXT, F_YN, F_BOOL01, F_INT = FixedKind.TEXT, FixedKind.YN, FixedKind.BOOL01, FixedKind.INT
V_TEXT, V_REPEAT = VarKind.TEXT, VarKind.REPEAT


@dataclass(frozen=True, slots=True)
class Plan:
    """The fields of one message class in wire order, with what decoding must fill in."""

    fixed: tuple[tuple[str, int, FixedKind], ...]
    fixed_width: int
    variable: dict[str, Var]
    variable_order: tuple[Var, ...]
    required_text: tuple[str, ...]


_PLANS: dict[type[Message], Plan] = {}


def plan_of(cls: type[Message]) -> Plan:
    """The (cached) :class:`Plan` of message class ``cls``."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = Plan(
            fixed=tuple((f.attr, f.width, f.kind) for f in cls.FIXED),
            fixed_width=sum(f.width for f in cls.FIXED),
            variable={v.code: v for v in cls.VARIABLE},
            variable_order=cls.VARIABLE,
            required_text=tuple(v.attr for v in cls.VARIABLE if v.required and v.kind is VarKind.TEXT),
        )
        _PLANS[cls] = plan
    return plan
