"""Tag item id → ILS barcode rules, built from config tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import DeviceConfigurationError
from drivers.rfid.models import ItemIdRule, TagModelConfigError, parse_mapping_table


def test_default_rule_keeps_the_id() -> None:
    assert ItemIdRule().to_ils("1003011860976002") == "1003011860976002"
    assert ItemIdRule.from_mapping({}).to_ils(" 123 ") == "123"


def test_leading_10_rule_only_for_16_characters() -> None:
    rule = ItemIdRule.from_mapping({"strip_leading_10": True})
    assert rule.to_ils("1003011860976002") == "03011860976002"  # Deichman: books before 2016
    assert rule.to_ils("10030118609760") == "10030118609760"
    assert rule.to_ils("2003011860976002") == "2003011860976002"


def test_strip_then_add_prefix() -> None:
    rule = ItemIdRule.from_mapping({"strip_prefix": ["00", "9"], "add_prefix": "WIE"})
    assert rule.to_ils("00123") == "WIE123"
    assert rule.to_ils("9123") == "WIE123"
    assert rule.to_ils("123") == "WIE123"
    assert rule.to_ils("00") == "WIE00"  # never strip a whole id away


def test_mapping_file_wins(tmp_path: Path) -> None:
    table = tmp_path / "ids.csv"
    table.write_text("# tag id, barcode\n3000123,WIE-A-1\n3000124;WIE-A-2\n\n3000125\tWIE-A-3\n", "utf-8")
    rule = ItemIdRule.from_mapping({"mapping_file": str(table), "add_prefix": "X"})
    assert [rule.to_ils(i) for i in ("3000123", "3000124", "3000125", "3000126")] == [
        "WIE-A-1",
        "WIE-A-2",
        "WIE-A-3",
        "X3000126",
    ]


def test_mapping_file_read_through_the_callers_reader() -> None:
    rule = ItemIdRule.from_mapping({"mapping_file": "ids.csv"}, read_text=lambda path: "1,A\n")
    assert rule.to_ils("1") == "A"


def test_inline_mapping() -> None:
    assert ItemIdRule.from_mapping({"mapping": {"1": "B"}}).to_ils("1") == "B"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"strip_prefx": "1"}, "unknown key"),
        ({"add_prefix": 3}, "rfid.item_id.add_prefix: expected a string"),
        ({"strip_leading_10": "yes"}, "expected true or false"),
        ({"strip_prefix": [1]}, "list of strings"),
        ({"leading_10_length": 2}, "from 3 to 64"),
        ({"mapping": {"1": 2}}, "tag id = barcode"),
        ({"mapping_file": "/nonexistent/ids.csv"}, "cannot read"),
    ],
)
def test_bad_config_names_the_key(config: dict[str, object], message: str) -> None:
    with pytest.raises(TagModelConfigError, match=message) as caught:
        ItemIdRule.from_mapping(config)
    assert isinstance(caught.value, DeviceConfigurationError)


def test_mapping_table_errors_name_the_line() -> None:
    with pytest.raises(TagModelConfigError, match=r"ids\.csv line 2"):
        parse_mapping_table("1,A\njust-one-column\n", source="ids.csv")
    with pytest.raises(TagModelConfigError, match=r"line 3: tag id '1' given twice"):
        parse_mapping_table("1,A\n2,B\n1,C\n")
