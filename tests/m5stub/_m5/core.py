"""_m5.core of gem5 v24.0.0.1 (stub)."""

gem5Version = "24.0.0.1"
