"""Where Scotch's machines are simulated: QEMU (TCG), the functional
reference, and gem5.

- :mod:`.qemu`: QEMU runs to completion, and sessions the host talks to
  while they run (console, QMP);
- :mod:`.qemu_xen`: the Xen machine on QEMU, and a plain Xen run.
"""
