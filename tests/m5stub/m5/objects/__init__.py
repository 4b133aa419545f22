"""``m5.objects``: the SimObjects gem5 has compiled in.

Here: the gem5 declarations Scotch-gem5 uses (submodules of this package)
plus Scotch-gem5's own EXTRAS declarations, loaded from
``src_patches/scotch`` as gem5's build would compile them in. Any other
name raises AttributeError, as in a gem5 binary that lacks it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from m5.objects import BaseCPU, Caches, Device, X86Board  # noqa: F401
from m5.SimObject import Root, SimObject, _registry, lookup_class

_loaded: set[Path] = set()


def load_sim_object_file(path: Path) -> dict[str, type]:
    """Execute a SimObject declaration file; return the classes it adds."""
    path = Path(path).resolve()
    before = dict(_registry)
    if path not in _loaded:
        name = f"m5.objects.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _loaded.add(path)
    return {k: v for k, v in _registry.items() if before.get(k) is not v}


def load_sim_object_files(paths: list[Path]) -> None:
    """Load declaration files in an order that satisfies their types.

    gem5 resolves a ``Param.<SimObject>`` type lazily, so its EXTRAS may
    refer to each other in any file order; the stub checks types at
    declaration, so it loads a file whose types are not declared yet
    after the others. A type that no file declares still raises.
    """
    pending = [Path(p) for p in paths]
    while pending:
        deferred: list[Path] = []
        error: AttributeError | None = None
        for path in pending:
            try:
                load_sim_object_file(path)
            except AttributeError as exc:
                deferred.append(path)
                error = exc
        if len(deferred) == len(pending):
            assert error is not None
            raise error
        pending = deferred


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return lookup_class(name)
    except AttributeError:
        raise AttributeError(
            f"module 'm5.objects' has no attribute {name!r}"
        ) from None


__all__ = [
    "Root",
    "SimObject",
    "load_sim_object_file",
    "load_sim_object_files",
]
