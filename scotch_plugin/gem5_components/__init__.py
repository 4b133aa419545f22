"""Components that run inside gem5 (they import ``m5`` and the gem5
stdlib): boards and helpers for gem5_configs/. The rest of
``scotch_plugin`` runs on the host and never imports these."""
