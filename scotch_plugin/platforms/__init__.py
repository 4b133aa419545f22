"""Where Scotch's machines are simulated: QEMU (TCG), the functional
reference, and gem5.

- :mod:`.base`: the platform interface ``scotch run`` dispatches through,
  and the choice of platform for an experiment;
- :mod:`.scotch_run`: one Scotch run on any platform: what it boots, and
  the three views of CPU time read from it;
- :mod:`.scotch_qemu`: a Scotch run on QEMU, and the QEMU platform;
- :mod:`.gem5`: the gem5 platform (a full-Xen run is not implemented
  yet: it refuses, with the reason);
- :mod:`.qemu_xen`: the Xen machine on QEMU, and a plain Xen run;
- :mod:`.qemu`: QEMU runs to completion, and sessions the host talks to
  while they run (console, QMP).
"""
