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


class DiskImage(SimObject):
    type = "DiskImage"
    abstract = True
    image_file = Param.String("disk image file")
    read_only = Param.Bool(False, "read only image")


class RawDiskImage(DiskImage):
    type = "RawDiskImage"
    abstract = False


class CowDiskImage(DiskImage):
    type = "CowDiskImage"
    abstract = False
    child = Param.DiskImage("child image")
    table_size = Param.Int(65536, "initial table size")
    image_file = ""


class IdeDisk(SimObject):
    type = "IdeDisk"
    abstract = False
    delay = Param.Latency("1us", "Fixed disk delay in microseconds")
    driveID = Param.IdeID("device0", "Drive ID")
    image = Param.DiskImage("Disk image")


class X86IdeController(SimObject):
    type = "X86IdeController"
    abstract = False
    disks = VectorParam.IdeDisk("IDE disks attached to this controller")


class SouthBridge(SimObject):
    type = "SouthBridge"
    abstract = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ide = X86IdeController(disks=[])


class Pc(SimObject):
    type = "Pc"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.south_bridge = SouthBridge()


class X86System(System):
    type = "X86System"
    abstract = False
    workload = Param.Workload("Workload to run on this system")
    m5ops_base = Param.Addr(0, "Base of the 64KiB PA range used for m5ops")
