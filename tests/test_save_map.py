"""The save map read from the shared C header, and area comparison."""

import pytest

from scotch_plugin.baremetal import save_map
from scotch_plugin.errors import ScotchError


def test_map_has_every_field_once_inside_the_area():
    fields = save_map.fields()
    c = save_map.constants()
    names = [f.name for f in fields]
    assert len(names) == len(set(names)) == 62
    spans = sorted((f.offset, f.offset + f.size) for f in fields)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start
    assert spans[0][0] >= c["SMM_SAVE_BASE"]
    assert spans[-1][1] <= c["SMM_SAVE_BASE"] + c["SMM_SAVE_SIZE"]


def test_compare_names_each_differing_field():
    a = bytearray(512)
    b = bytearray(512)
    rip = next(f for f in save_map.fields() if f.name == "RIP")
    b[rip.offset - 0xFE00] = 0x10
    diffs = save_map.compare(bytes(a), bytes(b))
    assert [(d.field, d.reference, d.other) for d in diffs] == [
        ("RIP", 0, 0x10)
    ]
    assert diffs[0].allowed is None


def test_compare_rejects_a_truncated_area():
    with pytest.raises(ScotchError, match="100 bytes, expected 512"):
        save_map.compare(bytes(512), bytes(100))


def test_uncontrolled_registers_may_differ_but_controlled_ones_not():
    assert save_map.allowed("protected", "RSI") is not None
    assert save_map.allowed("long64", "RSI") is None
    assert save_map.allowed("long64", "RIP") is None
    assert "SeaBIOS" in save_map.allowed("real", "SMBASE")


def test_only_arithmetic_flags_may_differ():
    assert save_map.allowed("protected", "RFLAGS", 0x6, 0x12) is not None
    # IF (bit 9) differing is a real difference.
    assert save_map.allowed("protected", "RFLAGS", 0x6, 0x206) is None
