"""Reading Xen's struct offsets from DWARF (scotch_plugin/xen/offsets.py),
checked against gcc's own offsetof on structs laid out like Xen's (the
register names sit in anonymous unions, as Xen's DECL_REG makes them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.xen.offsets import read_offsets

SOURCE = r"""
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#define DECL_REG(n) union { uint64_t r ## n; uint32_t e ## n; }
struct cpu_user_regs {
    uint64_t r15, r14;
    DECL_REG(bp); DECL_REG(bx);
    uint64_t r11;
    DECL_REG(si); DECL_REG(di);
    uint32_t error_code, entry_vector;
};
struct domain { uint16_t domain_id; char pad[100]; };
struct vcpu { int vcpu_id; int processor; struct domain *domain; };
struct cpu_info {
    struct cpu_user_regs guest_cpu_user_regs;
    unsigned int processor_id, verw_sel;
    struct vcpu *current_vcpu;
    unsigned long per_cpu_offset;
};
struct cpu_info ci; struct vcpu v; struct domain d;
int main(void)
{
    printf("%zx,%zx,%zx,%zx,%zx,%zx,%zx\n", sizeof(struct cpu_info),
           offsetof(struct cpu_info, current_vcpu),
           offsetof(struct cpu_user_regs, rdi),
           offsetof(struct cpu_user_regs, rsi),
           offsetof(struct vcpu, vcpu_id), offsetof(struct vcpu, domain),
           offsetof(struct domain, domain_id));
    return 0;
}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, list[int]]:
    tmp = tmp_path_factory.mktemp("offsets")
    (tmp / "x.c").write_text(SOURCE)
    subprocess.run(["gcc", "-g", "-O0", "-o", str(tmp / "x"),
                    str(tmp / "x.c")], check=True)  # fmt: skip
    out = subprocess.run([str(tmp / "x")], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    config = tmp / "config.h"
    config.write_text("#define PAGE_SIZE 4096\n#define STACK_ORDER 3\n")
    return tmp / "x", config, [int(v, 16) for v in out.strip().split(",")]


def test_offsets_match_gcc(built):
    binary, config, want = built
    got = read_offsets(binary, config)
    assert got.stack_size == 32768
    assert [
        got.cpu_info_size, got.cpu_info_current_vcpu, got.regs_rdi,
        got.regs_rsi, got.vcpu_vcpu_id, got.vcpu_domain,
        got.domain_domain_id,
    ] == want  # fmt: skip
    assert got.cpu_info_regs == 0
    assert got.cmdline().split(",")[0] == "8000"
    assert len(got.cmdline().split(",")) == 9


def test_missing_member_names_struct_and_member(built, tmp_path):
    _, config, _ = built
    src = tmp_path / "y.c"
    src.write_text(SOURCE.replace("current_vcpu", "curr_vcpu"))
    subprocess.run(["gcc", "-g", "-o", str(tmp_path / "y"), str(src)],
                   check=True, capture_output=True)  # fmt: skip
    with pytest.raises(
        ScotchError, match="struct cpu_info has no member current_vcpu"
    ):
        read_offsets(tmp_path / "y", config)


def test_missing_struct_or_debug_information_is_a_clear_error(built, tmp_path):
    _, config, _ = built
    src = tmp_path / "z.c"
    src.write_text("int main(void) { return 0; }\n")
    subprocess.run(
        ["gcc", "-g", "-o", str(tmp_path / "z"), str(src)], check=True
    )
    with pytest.raises(ScotchError, match="no definition of struct cpu_info"):
        read_offsets(tmp_path / "z", config)
    subprocess.run(["strip", "--strip-debug", str(tmp_path / "z")], check=True)
    with pytest.raises(ScotchError, match="no DWARF debug information"):
        read_offsets(tmp_path / "z", config)


def test_stack_order_missing(built, tmp_path):
    binary, _, _ = built
    bad = tmp_path / "config.h"
    bad.write_text("#define PAGE_SIZE 4096\n")
    with pytest.raises(ScotchError, match="STACK_ORDER"):
        read_offsets(binary, bad)
