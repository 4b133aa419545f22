"""gem5 v24.0.0.1 src/mem/cache/Cache.py (the parts we use)."""

from m5.objects.Device import ClockedObject
from m5.params import *


class BaseCache(ClockedObject):
    type = "BaseCache"
    abstract = True
    cxx_header = "mem/cache/base.hh"
    size = Param.MemorySize("Capacity")
    assoc = Param.Unsigned("Associativity")


class Cache(BaseCache):
    type = "Cache"
    cxx_header = "mem/cache/cache.hh"
