"""Build facts of an X86 gem5.opt v24.0.0.1 built without Ruby."""

buildEnv = {
    "USE_X86_ISA": True,
    "USE_ARM_ISA": False,
    "USE_RISCV_ISA": False,
    "PROTOCOL": "",
    "RUBY": False,
}
