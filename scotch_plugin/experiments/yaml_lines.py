"""YAML read with the line of every field, and the words an error uses
for a field (``domains[1].workload``) and for a value found in it, so
that each problem in an experiment or sweep file names its line, its
field, what was expected and what was found."""

from __future__ import annotations

import datetime
import difflib

import yaml

from scotch_plugin.errors import ExperimentError, FieldProblem

FieldPath = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


def compose(text: str, source: str) -> tuple[object, dict[FieldPath, int]]:
    """The document's data and the line of every field in it."""
    loader = yaml.SafeLoader(text)
    lines: dict[FieldPath, int] = {}
    duplicates: list[FieldProblem] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines
        _index(node, (), lines, duplicates)
        if duplicates:
            raise ExperimentError(source, duplicates)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ExperimentError(
            source,
            [
                FieldProblem(
                    "",
                    f"not valid YAML: {what}",
                    None if mark is None else mark.line + 1,
                )
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise one_problem(source, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _index(
    node: yaml.Node,
    path: FieldPath,
    lines: dict[FieldPath, int],
    duplicates: list[FieldProblem],
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if key.tag == _MERGE_TAG or not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            if key.value in seen:
                duplicates.append(
                    FieldProblem(
                        dotted((*path, key.value)),
                        "duplicate field: expected it once, found it again "
                        f"(first on line {seen[key.value]})",
                        line,
                    )
                )
                continue
            seen[key.value] = line
            # A field's problems point at its key's line.
            child = (*path, key.value)
            lines[child] = line
            _index(value, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, duplicates)


def dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def one_problem(source: str, message: str) -> ExperimentError:
    return ExperimentError(source, [FieldProblem("", message)])


# -- found values -------------------------------------------------------------


def describe(value: object) -> str:
    """A found value as an error message shows it."""
    if value is None:
        return "null (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value:g} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"{shown!r} (a string)"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"{value} (a date)"
    return f"{value!r} (a {type(value).__name__})"


def suggest(word: str, candidates: tuple[str, ...]) -> str:
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""
