"""gem5 v24.0.0.1 src/dev/Device.py and its bases (the parts we use)."""

from m5.params import *
from m5.proxy import *
from m5.SimObject import SimObject


class ClockDomain(SimObject):
    type = "ClockDomain"
    abstract = True


class ClockedObject(SimObject):
    type = "ClockedObject"
    abstract = True
    clk_domain = Param.ClockDomain(
        Parent.clk_domain, "Clock domain this object belongs to"
    )


class System(SimObject):
    type = "System"
    abstract = True
    exit_on_work_items = Param.Bool(
        False,
        "Exit from the simulation loop when "
        "encountering work item annotations.",
    )
    readfile = Param.String("", "file to read startup script from")


class PioDevice(ClockedObject):
    type = "PioDevice"
    cxx_header = "dev/io_device.hh"
    abstract = True
    system = Param.System(Parent.any, "System this device is part of")
    pio = ResponsePort("Programmed I/O port")


class BasicPioDevice(PioDevice):
    type = "BasicPioDevice"
    cxx_header = "dev/io_device.hh"
    abstract = True
    pio_addr = Param.Addr("Device Address")
    pio_latency = Param.Latency("100ns", "Programmed IO latency")
