"""gem5's compiled-in module (stub): only what our configs read."""
