"""Parses what the bare-metal images print on the serial port.

Images print ``check NAME ok|FAIL [detail]`` lines, one per assertion,
``key=value`` pairs, ``save NAME <hex>`` dumps of a state-save area, and
last ``<image>: PASS|FAIL ...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CHECK = re.compile(r"^check (\S+) (ok|FAIL)\b(.*)$")
_PAIR = re.compile(r"(\w+)=(\S+)")
_VERDICT = re.compile(r"^(\w+): (PASS|FAIL)\b")
_SAVE = re.compile(r"^save (\w+) ([0-9a-f]+)$")


@dataclass
class Report:
    """What one run of an image printed, parsed."""

    checks: dict[str, bool] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    #: State-save areas the image dumped, by the name of its SMI.
    saves: dict[str, bytes] = field(default_factory=dict)
    verdict: str | None = None

    @property
    def failed(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]

    @property
    def passed(self) -> bool:
        return self.verdict == "PASS" and not self.failed and bool(self.checks)


def parse(text: str) -> Report:
    report = Report()
    for raw in text.splitlines():
        line = raw.strip()
        m = _CHECK.match(line)
        if m:
            name, status, detail = m.groups()
            report.checks[name] = status == "ok"
            report.details[name] = detail.strip()
            continue
        m = _SAVE.match(line)
        if m:
            report.saves[m.group(1)] = bytes.fromhex(m.group(2))
            continue
        m = _VERDICT.match(line)
        if m:
            report.verdict = m.group(2)
        for key, value in _PAIR.findall(line):
            report.values[key] = value
    return report
