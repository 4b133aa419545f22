"""Strict stand-in for the parts of gem5's stdlib Scotch-gem5 uses."""
