"""``m5.stats``: dump and reset are recorded."""

calls: list[str] = []


def dump() -> None:
    calls.append("dump")


def reset() -> None:
    calls.append("reset")
