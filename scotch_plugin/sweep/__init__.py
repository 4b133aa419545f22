"""Sweeps: one experiment kind run over a grid of parameters.

A sweep file (YAML, ``docs/experiment-files.md``, "Sweeps") names a kind
of point (``handler``: Scotch's accounting handler per context-switch
SMI; ``roundtrip``: the empty SMI round trip; ``command``: any program
that prints ``SCOTCH-METRIC name=value`` lines), fixed parameters and a
grid (product, zip or an explicit list of points). Each point is run once
per repeat, by a local process pool or on Slurm (submitit), and leaves
one record with its provenance; a rerun skips the points already done.

- :mod:`.schema`: the file's schema (pydantic) and its errors;
- :mod:`.identity`: content digests of what produced a result;
- :mod:`.kinds`: what running one point of each kind means;
- :mod:`.records`: the per-point record, written atomically;
- :mod:`.worker`: runs one point (a process of its own);
- :mod:`.executors`: the local pool and Slurm;
- :mod:`.runner`: ``scotch run`` for a sweep file;
- :mod:`.report`: the tidy table and the plots.
"""
