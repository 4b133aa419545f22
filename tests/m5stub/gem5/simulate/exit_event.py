from enum import Enum


class ExitEvent(Enum):
    EXIT = "exit"
    WORKBEGIN = "workbegin"
    WORKEND = "workend"
    SWITCHCPU = "switchcpu"
    FAIL = "fail"
    CHECKPOINT = "checkpoint"
    SCHEDULED_TICK = "scheduled tick exit"
    MAX_TICK = "max tick"
    USER_INTERRUPT = "user interupt"
    MAX_INSTS = "number of instructions reached"

    @classmethod
    def translate_exit_status(cls, exit_string: str) -> "ExitEvent":
        """gem5 v24.0's mapping of the exit causes configs see."""
        known = {
            "m5_exit instruction encountered": cls.EXIT,
            "exiting with last active thread context": cls.EXIT,
            "m5_workbegin instruction encountered": cls.WORKBEGIN,
            "workbegin": cls.WORKBEGIN,
            "m5_workend instruction encountered": cls.WORKEND,
            "workend": cls.WORKEND,
            "checkpoint": cls.CHECKPOINT,
            "switchcpu": cls.SWITCHCPU,
            "a thread reached the max instruction count": cls.MAX_INSTS,
        }
        if exit_string in known:
            return known[exit_string]
        raise ValueError(f"Exit event '{exit_string}' not implemented")
