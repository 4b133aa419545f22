"""gem5 v24.0.0.1 Simulator (stub): instantiates the board under a Root
and "simulates" through the stub m5, recording what was asked."""


from pathlib import Path

import m5
from m5.objects import Root

from gem5.simulate.exit_event import ExitEvent


class Simulator:
    def __init__(self, board, full_system: bool | None = None,
                 on_exit_event: dict | None = None,
                 checkpoint_path=None, max_ticks: int | None = None,
                 id: str | None = None) -> None:
        for event in on_exit_event or {}:
            if not isinstance(event, ExitEvent):
                raise TypeError(f"on_exit_event key {event!r}")
        self._board = board
        self._on_exit_event = on_exit_event or {}
        if checkpoint_path is not None and not Path(checkpoint_path).is_dir():
            raise FileNotFoundError(f"checkpoint {checkpoint_path}")
        self._checkpoint_path = checkpoint_path
        self._last_exit_event = None
        self._instantiated = False
        self._max_ticks = max_ticks or m5.MaxTick

    def _instantiate(self) -> None:
        if not self._instantiated:
            full_system = self._board.is_fullsystem()
            # gem5's board._pre_instantiate(): the components connect.
            self._board._connect_things()
            self.root = Root(full_system=full_system, board=self._board)
            m5.instantiate(self._checkpoint_path)
            self._instantiated = True

    def run(self, max_ticks: int | None = None) -> None:
        # As gem5's: a budget given once stays for later runs given none.
        if max_ticks:
            self._max_ticks = max_ticks
        self._instantiate()
        # As gem5's: an exit event with a handler calls it; the handler
        # says whether run() returns (True) or simulates on (False).
        while True:
            self._last_exit_event = m5.simulate(self._max_ticks)
            cause = self._last_exit_event.getCause()
            try:
                event = ExitEvent.translate_exit_status(cause)
            except ValueError:
                return
            handler = self._on_exit_event.get(event)
            if handler is None or next(handler):
                return

    def schedule_max_insts(self, inst: int) -> None:
        if not isinstance(inst, int) or inst <= 0:
            raise TypeError(f"schedule_max_insts({inst!r})")
        m5.record["max_insts"] = inst

    def save_checkpoint(self, checkpoint_dir: Path) -> None:
        m5.record.setdefault("checkpoints", []).append(str(checkpoint_dir))
        m5.checkpoint(str(checkpoint_dir))

    def get_last_exit_event_cause(self) -> str:
        return self._last_exit_event.getCause()

    def get_last_exit_event_code(self) -> int:
        return self._last_exit_event.getCode()
