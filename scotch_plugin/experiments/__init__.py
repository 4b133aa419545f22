"""Experiment files and what ``scotch run`` does with them.

- :mod:`.load`: reading an experiment file, validated before anything
  runs;
- :mod:`.model`: the experiment it gives (and the fields' vocabulary and
  defaults);
- :mod:`.schema`: the schema the file is checked against;
- :mod:`.yaml_lines`: YAML with the line of every field, and how errors
  word fields and values (experiment and sweep files alike);
- :mod:`.rq1`: RQ1, the scheduler attack: every run of an experiment;
- :mod:`.rq1_report`: RQ1's table, CSV and figure.
"""
