"""``Param.<Type>``, ``VectorParam.<Type>`` and port declarations.

Each parameter type converts and checks a value the way gem5 would reject
it; an unknown type name raises at declaration time.
"""

from __future__ import annotations

import re

from m5.proxy import isproxy

_TIME = re.compile(r"^\d+(\.\d+)?(ps|ns|us|ms|s)$")
_FREQ = re.compile(r"^\d+(\.\d+)?([kMG]?Hz)$")
_SIZE = re.compile(r"^\d+(\.\d+)?([kKMGT]i?B|B)$")


def _int_range(lo: int, hi: int):
    def conv(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an integer, got {value!r}")
        if not lo <= value <= hi:
            raise ValueError(f"{value} is outside [{lo}, {hi}]")
        return value

    return conv


def _bool(value):
    if not isinstance(value, bool):
        raise TypeError(f"expected True or False, got {value!r}")
    return value


def _string(value):
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _float(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _pattern(regex, what, allow_int=False):
    def conv(value):
        if allow_int and isinstance(value, int) and not isinstance(
            value, bool
        ):
            return value
        if not isinstance(value, str) or not regex.match(value):
            raise ValueError(f"expected {what}, got {value!r}")
        return value

    return conv


def _clock(value):
    if isinstance(value, str) and (_TIME.match(value) or _FREQ.match(value)):
        return value
    raise ValueError(f"expected a period or frequency, got {value!r}")


def _addr(value):
    if isinstance(value, str) and _SIZE.match(value):
        return value
    return _int_range(0, 2**64 - 1)(value)


def _choice(*allowed: str):
    def conv(value):
        if value in allowed:
            return value
        expected = ", ".join(allowed)
        raise ValueError(f"expected one of {expected}, got {value!r}")

    return conv


_U64 = 2**64 - 1
CONVERTERS = {
    "Int": _int_range(-(2**31), 2**31 - 1),
    "Unsigned": _int_range(0, 2**32 - 1),
    "Int8": _int_range(-128, 127),
    "UInt8": _int_range(0, 255),
    "UInt16": _int_range(0, 2**16 - 1),
    "UInt32": _int_range(0, 2**32 - 1),
    "UInt64": _int_range(0, _U64),
    "Counter": _int_range(0, _U64),
    "Tick": _int_range(0, _U64),
    "Cycles": _int_range(0, _U64),
    "Addr": _addr,
    "Bool": _bool,
    "String": _string,
    "Float": _float,
    "Latency": _pattern(_TIME, "a time such as '1ns'", allow_int=True),
    "Frequency": _pattern(_FREQ, "a frequency such as '3GHz'"),
    "Clock": _clock,
    "MemorySize": _pattern(_SIZE, "a size such as '512MiB'"),
    # Enums (src/dev/storage/Ide.py).
    "IdeID": _choice("device0", "device1"),
}


class ParamDesc:
    """One declared parameter: type name, default, description."""

    def __init__(self, ptype: str, args: tuple, vector: bool) -> None:
        if not args or len(args) > 2:
            raise TypeError(
                f"Param.{ptype}(default, desc) or Param.{ptype}(desc)"
            )
        *default, desc = args
        if not isinstance(desc, str):
            raise TypeError(f"Param.{ptype}: the description must be a str")
        self.ptype = ptype
        self.vector = vector
        self.desc = desc
        self.has_default = bool(default)
        self.default = self.convert(default[0]) if default else None

    def _convert_one(self, value):
        if isproxy(value):
            return value
        conv = CONVERTERS.get(self.ptype)
        if conv is not None:
            return conv(value)
        from m5.SimObject import SimObject, lookup_class

        cls = lookup_class(self.ptype)
        if value is None or (
            isinstance(value, SimObject) and isinstance(value, cls)
        ):
            return value
        raise TypeError(f"expected a {self.ptype}, got {value!r}")

    def convert(self, value):
        if self.vector:
            if isproxy(value):
                return value
            if not isinstance(value, (list, tuple)):
                value = [value]
            return [self._convert_one(v) for v in value]
        return self._convert_one(value)


class _ParamFactory:
    def __init__(self, vector: bool) -> None:
        self._vector = vector

    def __getattr__(self, ptype: str):
        if ptype.startswith("__"):
            raise AttributeError(ptype)
        if ptype not in CONVERTERS:
            from m5.SimObject import lookup_class

            lookup_class(ptype)  # raises for an unknown type

        def make(*args):
            return ParamDesc(ptype, args, self._vector)

        return make


Param = _ParamFactory(vector=False)
VectorParam = _ParamFactory(vector=True)


class PortDesc:
    def __init__(self, role: str, desc: str, vector: bool = False) -> None:
        if not isinstance(desc, str):
            raise TypeError("a port needs a description")
        self.role = role
        self.desc = desc
        self.vector = vector


def RequestPort(desc):
    return PortDesc("request", desc)


def ResponsePort(desc):
    return PortDesc("response", desc)


def VectorRequestPort(desc):
    return PortDesc("request", desc, vector=True)


def VectorResponsePort(desc):
    return PortDesc("response", desc, vector=True)


class Enum:
    """gem5's ``Enum`` param base: subclasses list ``vals``."""

    vals: list[str] = []


#: gem5's null SimObject default (``Param.X(NULL, desc)``): no object.
NULL = None

__all__ = [
    "NULL",
    "Param",
    "VectorParam",
    "RequestPort",
    "ResponsePort",
    "VectorRequestPort",
    "VectorResponsePort",
    "Enum",
]
