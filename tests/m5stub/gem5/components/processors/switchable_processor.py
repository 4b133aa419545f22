from gem5.components.processors.abstract_processor import AbstractProcessor
from gem5.components.processors.simple_core import SimpleCore


class SwitchableProcessor(AbstractProcessor):
    """gem5 v24.0's SwitchableProcessor (stub): named lists of cores,
    one list running; ``switch_to_processor`` swaps in another."""

    def __init__(self, switchable_cores: dict[str, list[SimpleCore]],
                 starting_cores: str) -> None:
        if starting_cores not in switchable_cores:
            raise AssertionError(
                f"Key {starting_cores} cannot be found in the "
                "switchable_processors dictionary."
            )
        for name, cores in switchable_cores.items():
            if not cores or not all(isinstance(c, SimpleCore) for c in cores):
                raise TypeError(f"{name}: expected a list of SimpleCore")
        current = switchable_cores[starting_cores]
        super().__init__(current[0].get_isa(), len(current))
        self._switchable_cores = switchable_cores
        self._cores = list(current)
        self.switched = []

    def _all_cores(self):
        for cores in self._switchable_cores.values():
            yield from cores

    def switch_to_processor(self, key: str) -> None:
        if key not in self._switchable_cores:
            raise AssertionError(f"Key {key} is not a key in the "
                                 "switchable_processor dictionary.")
        if self._switchable_cores[key] == self._cores:
            raise AssertionError("Cannot swap current cores with the "
                                 "current cores")
        self._cores = list(self._switchable_cores[key])
        self.switched.append(key)
