"""The exception types the command line turns into a clean message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ScotchError(Exception):
    """A user-facing error: the message names what is wrong and where."""


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a file.

    ``field`` is the path to the field (``domains[1].workload``; empty for
    the whole document), ``line`` the 1-based line it is on (or ``None``).
    """

    field: str
    message: str
    line: int | None = None

    def render(self, source: str) -> str:
        where = source if self.line is None else f"{source}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ExperimentError(ScotchError):
    """An experiment file that cannot be run, with every problem found.

    The message has one line per problem, each
    ``<file>:<line>: <field>: <what was expected and what was found>``.
    """

    def __init__(self, source: str, problems: Sequence[FieldProblem]):
        self.source = source
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        lines = [p.render(source) for p in self.problems]
        if len(lines) == 1:
            message = lines[0]
        else:
            message = "\n".join(
                [f"{source}: {len(lines)} problems, nothing was run:"]
                + [f"  {line}" for line in lines]
            )
        super().__init__(message)
