"""The host side of the SGX enclave model (issue 13).

- :mod:`.measure`: MRENCLAVE as ECREATE, EADD, EEXTEND and EINIT build
  it, computed on the host so that a tenant (or a test) knows what its
  enclave measures to before gem5 builds it.
"""
