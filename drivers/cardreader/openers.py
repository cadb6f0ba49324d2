"""Pass reader openers, registered in :mod:`drivers.registry` under kind ``cardreader``.

Each is called as ``opener(device, on_event=, mapping=)`` with a parsed URL and the
:class:`~drivers.cardreader.mapping.PassMapping` built by :func:`drivers.cardreader.open_pass_reader`
(without one: the default UID rule ``hex``, no number validation).
pyscard is imported only when a ``pcsc://`` reader is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.cardreader.events import EventCallback
from drivers.cardreader.fake import FakePassReader
from drivers.cardreader.mapping import PassMapping
from drivers.url import DeviceURL

if TYPE_CHECKING:
    from drivers.cardreader.pcsc import PcscPassReader


def open_fake(
    device: DeviceURL, on_event: EventCallback, mapping: PassMapping | None = None
) -> FakePassReader:
    """``fake://[name]``: :meth:`FakePassReader.present` a pass in tests and the demo."""
    device.check_options(())
    return FakePassReader(mapping or PassMapping.from_settings(), on_event, source=device.target or "fake")


def open_pcsc(
    device: DeviceURL, on_event: EventCallback, mapping: PassMapping | None = None
) -> PcscPassReader:
    """``pcsc://[reader-name-substring]?cards=any|storage&poll=SECONDS``."""
    device.check_options(("cards", "poll"))
    from drivers.cardreader.pcsc import PcscPassReader

    return PcscPassReader(
        device.target,
        mapping or PassMapping.from_settings(),
        on_event,
        storage_cards_only=device.option_choice("cards", ("any", "storage"), "any") == "storage",
        poll_timeout=device.option_float("poll", 1.0, minimum=0.05),
    )
