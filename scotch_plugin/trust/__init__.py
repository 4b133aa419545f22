"""Who holds Scotch's MAC key, and who vouches for a snapshot.

- :mod:`.keys`: where the key may be (SMRAM, the verifier), the key
  block the shim reads, and a search for the key everywhere else;
- :mod:`.verifier`: the tenant's verifier, which draws the key and every
  nonce and owns freshness.
"""
