"""Scotch-gem5: trustworthy per-VM CPU accounting (Scotch) in simulation.

The package drives everything outside gem5's own build: the gem5 patch
series and EXTRAS, the bare-metal and Xen workloads, QEMU as the
functional reference, and the experiments.
"""

__version__ = "0.1.0"
