"""scenarios.item_blocks encodes with the models package's own encoder (issue 16 fix)."""

from __future__ import annotations

import pytest

from drivers.rfid import models, scenarios
from drivers.rfid.models import TagData, detect


def test_item_blocks_uses_encode_danish(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[TagData] = []
    real = models.encode_danish

    def spy(data: TagData, **kw: object) -> bytes:
        seen.append(data)
        return real(data)

    monkeypatch.setattr(models, "encode_danish", spy)
    blocks = scenarios.item_blocks("30301000500013", 2, 1)
    assert [(d.model, d.usage, d.raw_usage) for d in seen] == [("danish", "item-circulating", 1)]
    decoded = detect(blocks, own_isils=("NL-0001",))
    assert isinstance(decoded, TagData)
    assert (decoded.item_id, decoded.parts_in_set, decoded.part_number, decoded.usage) == (
        "30301000500013",
        2,
        1,
        "item-circulating",
    )
