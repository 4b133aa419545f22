"""``requires()`` as patched by src_patches 0001: no Ruby is fine."""


from m5.defines import buildEnv

from gem5.isas import ISA


def requires(
    isa_required: ISA | None = None,
    coherence_protocol_required=None,
    kvm_required: bool = False,
) -> None:
    if isa_required is not None and not buildEnv.get(
        f"USE_{isa_required.name}_ISA"
    ):
        raise Exception(f"The required ISA is '{isa_required.name}'")
    if coherence_protocol_required is not None:
        raise Exception("this build has no Ruby coherence protocol")
    if kvm_required:
        raise Exception("KVM is required but is unavailable on this system")
