"""The workloads a Scotch guest (a Xen domU) can run, by name.

Each is a statically linked program in the domU image (built from
``workloads/guest/``); ``scotch.workload=<name>`` on the domU's kernel
command line selects it. Experiment files name them too.
"""

from __future__ import annotations

#: pi digits, gzip of generated data, PARSEC-style kernels, naps (a domU
#: that sleeps 50 us per iteration: Xen switches at every nap) and thrash
#: (RQ3's interference attacker: it sweeps 4 MiB, evicting the L2).
WORKLOADS: tuple[str, ...] = (
    "pi",
    "gzip",
    "blackscholes",
    "streamcluster",
    "canneal",
    "naps",
    "thrash",
)
