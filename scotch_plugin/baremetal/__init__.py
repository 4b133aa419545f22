"""Scotch's bare-metal images (``workloads/``) on QEMU and gem5, and what
the host makes of their runs.

- :mod:`.images`: the images, and one run of one on QEMU or gem5;
- :mod:`.serial_report`: the checks and values an image prints;
- :mod:`.save_map`: the SMM state-save map and a field-by-field
  comparison of two save areas;
- :mod:`.paging`: the paging suite's values, gem5's against QEMU's;
- :mod:`.dma_disk`: the disk of the SMRAM-against-DMA image;
- :mod:`.bench`: benchmarks of the gem5 SMM model (``scotch bench``).
"""
