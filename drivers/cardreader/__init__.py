"""Library pass readers: PC/SC (``pcsc://[reader-name-substring]``) and a fake (``fake://``).

>>> reader = open_pass_reader("fake://", rule="hex", on_event=print)   # doctest: +SKIP
>>> reader.present("20105000000011")                                   # doctest: +SKIP

Events (:mod:`drivers.cardreader.events`) arrive on a background thread; the consumer marshals them to
its own thread. pyscard is imported only when a ``pcsc://`` reader is opened.

URL options for ``pcsc://``: ``cards=any|storage`` (``storage``: refuse cards whose ATR is not a PC/SC
contactless storage card, e.g. bank cards), ``poll=SECONDS`` (how long one wait blocks; default 1).
The scheme → backend table is :mod:`drivers.registry` (openers in :mod:`.openers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from drivers.cardreader.events import (
    EventCallback,
    ForeignCardRead,
    PassRead,
    PassRemoved,
    ReaderAttached,
    ReaderDetached,
    ReaderEvent,
    describe,
)
from drivers.cardreader.fake import FakePassReader
from drivers.cardreader.mapping import RULES, PassMapping

__all__ = [
    "RULES",
    "FakePassReader",
    "ForeignCardRead",
    "PassMapping",
    "PassRead",
    "PassReader",
    "PassRemoved",
    "ReaderAttached",
    "ReaderDetached",
    "ReaderEvent",
    "describe",
    "open_pass_reader",
]


class PassReader(Protocol):
    """What every pass reader offers besides delivering events."""

    @property
    def readers(self) -> list[str]:
        """Names of the readers being watched right now."""

    def close(self) -> None:
        """Stop watching and release the readers."""


def open_pass_reader(
    url: str,
    on_event: EventCallback,
    rule: str | Iterable[str] = "hex",
    table_file: str | Path | None = None,
    validation: str = "off",
    legacy_lengths: Iterable[int] = (),
    reject_invalid: bool = True,
) -> PassReader:
    """Open the pass reader named by ``url`` and deliver its events to ``on_event``.

    ``rule`` (``[passes] uid_rule``) maps a card to a pass number (see :mod:`drivers.cardreader.mapping`),
    ``validation``/``legacy_lengths`` (``[passes]``) check the number; with ``reject_invalid`` an invalid
    number gives :class:`ForeignCardRead` instead of :class:`PassRead`.
    Raises DeviceConfigurationError for a bad URL/rule/table or a missing pyscard.
    """
    from drivers.registry import check_url, open_device

    device = check_url("cardreader", url)  # an unknown scheme fails before the mapping is checked
    mapping = PassMapping.from_settings(rule, table_file, validation, legacy_lengths, reject_invalid)
    reader: PassReader = open_device("cardreader", device, mapping=mapping, on_event=on_event)
    return reader
