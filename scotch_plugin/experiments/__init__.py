"""Experiment files and what ``scotch run`` does with them.

- :mod:`.schema`: an experiment file's schema, validated before anything
  runs;
- :mod:`.rq1`: RQ1, the scheduler attack: every run of an experiment;
- :mod:`.rq1_report`: RQ1's table, CSV and figure.
"""
