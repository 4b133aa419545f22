"""Argument checks shared by the stdlib stubs, matching gem5's own."""

import re

_SIZE = re.compile(r"^\d+(\.\d+)?\s*([kKMGT]i?B|B)$")
_FREQ = re.compile(r"^\d+(\.\d+)?\s*([kMG]?Hz)$")


def size(name: str, value: str) -> str:
    if not isinstance(value, str) or not _SIZE.match(value):
        raise ValueError(f"{name}: expected a size such as '32KiB': {value!r}")
    return value


def frequency(name: str, value: str) -> str:
    if not isinstance(value, str) or not _FREQ.match(value):
        raise ValueError(f"{name}: expected a frequency: {value!r}")
    return value
