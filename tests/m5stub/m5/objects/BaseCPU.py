"""gem5 v24.0.0.1 src/cpu/BaseCPU.py and the x86 CPU models the stdlib's
CPUTypes name (the parts we use: their types, for parameters that take a
CPU, such as X86SwitchTimer's ``cpus``)."""

from m5.objects.Device import ClockedObject
from m5.params import *


class BaseCPU(ClockedObject):
    type = "BaseCPU"
    abstract = True
    cxx_header = "cpu/base.hh"
    cpu_id = Param.Int(-1, "CPU identifier")


class X86AtomicSimpleCPU(BaseCPU):
    type = "X86AtomicSimpleCPU"


class X86TimingSimpleCPU(BaseCPU):
    type = "X86TimingSimpleCPU"


class X86O3CPU(BaseCPU):
    type = "X86O3CPU"


class X86MinorCPU(BaseCPU):
    type = "X86MinorCPU"


class X86KvmCPU(BaseCPU):
    type = "X86KvmCPU"
