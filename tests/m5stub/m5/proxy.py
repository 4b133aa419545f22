"""``Parent`` and ``Self`` proxies: attribute chains resolved by gem5."""


class _Proxy:
    def __init__(self, kind: str, path: tuple = ()) -> None:
        self._kind = kind
        self._path = path

    def __getattr__(self, name: str) -> "_Proxy":
        if name.startswith("__"):
            raise AttributeError(name)
        return _Proxy(self._kind, self._path + (name,))

    def __repr__(self) -> str:
        return ".".join((self._kind,) + self._path)


Parent = _Proxy("Parent")
Self = _Proxy("Self")
isproxy = lambda value: isinstance(value, _Proxy)  # noqa: E731

__all__ = ["Parent", "Self"]
