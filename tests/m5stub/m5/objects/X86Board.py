"""The gem5 v24.0.0.1 SimObjects behind the stdlib's X86Board that our
boards touch (src/dev/x86/Pc.py, src/mem/XBar.py, src/sim/System.py)."""

from m5.objects.Device import System
from m5.objects.X86FsWorkload import Workload  # noqa: F401 (declared first)
from m5.params import *
from m5.SimObject import SimObject


class IOXBar(SimObject):
    type = "IOXBar"
    cpu_side_ports = VectorResponsePort("Ports for requestors")
    mem_side_ports = VectorRequestPort("Vector port for connecting responders")


class Pc(SimObject):
    type = "Pc"


class X86System(System):
    type = "X86System"
    abstract = False
    workload = Param.Workload("Workload to run on this system")
    m5ops_base = Param.Addr(0, "Base of the 64KiB PA range used for m5ops")
