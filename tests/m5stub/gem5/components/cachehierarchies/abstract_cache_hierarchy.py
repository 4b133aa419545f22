class AbstractCacheHierarchy:
    """gem5's abstract cache hierarchy (stub)."""
