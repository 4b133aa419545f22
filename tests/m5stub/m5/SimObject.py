"""A strict ``SimObject``: parameters, ports and children are checked."""

from __future__ import annotations

from m5.params import Param, ParamDesc, PortDesc

_SPECIAL = {"type", "cxx_class", "cxx_header", "abstract", "cxx_exports"}
_registry: dict[str, type] = {}


def lookup_class(name: str) -> type:
    try:
        return _registry[name]
    except KeyError:
        raise AttributeError(
            f"unknown SimObject or parameter type {name!r} (the stub m5 "
            "declares only what Scotch-gem5 uses; see tests/m5stub)"
        ) from None


class PortRef:
    def __init__(self, owner: SimObject, name: str, desc: PortDesc) -> None:
        self.owner = owner
        self.name = name
        self.desc = desc
        self.peers: list[PortRef] = []

    def connect(self, other: object) -> None:
        if not isinstance(other, PortRef):
            raise TypeError(f"{self}: can only connect a port, not {other!r}")
        if other.desc.role == self.desc.role:
            raise TypeError(
                f"{self} and {other} are both {self.desc.role} ports"
            )
        if not self.desc.vector and self.peers:
            raise ValueError(f"{self} is already connected")
        self.peers.append(other)
        other.peers.append(self)

    def __repr__(self) -> str:
        return f"{type(self.owner).__name__}.{self.name}"


class MetaSimObject(type):
    def __new__(mcls, name, bases, body):
        params: dict[str, ParamDesc] = {}
        ports: dict[str, PortDesc] = {}
        for base in reversed(bases):
            params.update(getattr(base, "_params", {}))
            ports.update(getattr(base, "_ports", {}))
        defaults: dict[str, object] = {}
        for base in reversed(bases):
            defaults.update(getattr(base, "_defaults", {}))
        keep = {}
        for key, value in body.items():
            if isinstance(value, ParamDesc):
                params[key] = value
                if value.has_default:
                    defaults[key] = value.default
            elif isinstance(value, PortDesc):
                ports[key] = value
            elif key in params:
                # A subclass overriding an inherited parameter's default.
                defaults[key] = params[key].convert(value)
            else:
                keep[key] = value
        cls = super().__new__(mcls, name, bases, keep)
        cls._params = params
        cls._ports = ports
        cls._defaults = defaults
        if "type" in body:
            _registry[body["type"]] = cls
        return cls


class SimObject(metaclass=MetaSimObject):
    type = "SimObject"
    abstract = True
    _instances: list[SimObject] = []
    _is_root = False

    def __init__(self, **kwargs) -> None:
        if type(self).__dict__.get("abstract") and type(self) is not Root:
            raise TypeError(f"{type(self).__name__} is abstract")
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_children", {})
        object.__setattr__(self, "_port_refs", {})
        for key, value in kwargs.items():
            setattr(self, key, value)
        SimObject._instances.append(self)

    def __setattr__(self, key: str, value) -> None:
        cls = type(self)
        if key in cls._params:
            try:
                self._values[key] = cls._params[key].convert(value)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{cls.__name__}.{key}: {exc}") from None
        elif key in cls._ports:
            self._port(key).connect(value)
        elif isinstance(value, SimObject) or (
            isinstance(value, list)
            and value
            and all(isinstance(v, SimObject) for v in value)
        ):
            self._children[key] = value
        elif key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            raise AttributeError(
                f"Class {cls.__name__} has no parameter {key}"
            )

    def _port(self, key: str) -> PortRef:
        if key not in self._port_refs:
            self._port_refs[key] = PortRef(self, key, type(self)._ports[key])
        return self._port_refs[key]

    def __getattr__(self, key: str):
        if key.startswith("__"):
            raise AttributeError(key)
        cls = type(self)
        values = object.__getattribute__(self, "_values")
        children = object.__getattribute__(self, "_children")
        if key in values:
            return values[key]
        if key in cls._params:
            if key in cls._defaults:
                return cls._defaults[key]
            raise AttributeError(f"{cls.__name__}.{key} has no value")
        if key in cls._ports:
            return self._port(key)
        if key in children:
            return children[key]
        raise AttributeError(
            f"Class {cls.__name__} has no parameter or child {key}"
        )

    def _validate_tree(self, seen=None) -> None:
        """What gem5 checks at instantiate(): required params are set."""
        seen = seen if seen is not None else set()
        if id(self) in seen:
            return
        seen.add(id(self))
        cls = type(self)
        for key in cls._params:
            if key not in self._values and key not in cls._defaults:
                raise ValueError(f"{cls.__name__}.{key} was never set")
        for child in self._children.values():
            for obj in child if isinstance(child, list) else [child]:
                obj._validate_tree(seen)


class Root(SimObject):
    type = "Root"
    abstract = False
    _is_root = True
    full_system = Param.Bool("Full-system simulation")
    sim_quantum = Param.Tick(0, "Simulation quantum")
    eventq_index = Param.UInt32(0, "Event queue index")


