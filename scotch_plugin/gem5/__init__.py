"""gem5 side of Scotch-gem5: the pinned release, the patch series and
EXTRAS, and checks of a built binary."""
