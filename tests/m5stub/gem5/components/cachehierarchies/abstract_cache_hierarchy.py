class AbstractCacheHierarchy:
    """gem5's abstract cache hierarchy (stub)."""

    def incorporate_cache(self, board) -> None:  # type: ignore[no-untyped-def]
        pass

    def descendants(self):  # type: ignore[no-untyped-def]
        """The SimObjects under the hierarchy, as gem5's SimObject
        yields them (the stub's hierarchies are not SimObjects)."""
        return iter(getattr(self, "_stub_children", []))
