"""The EXTRAS directory is a valid gem5 EXTRAS tree, and its SimObject
declarations have the parameters, types and defaults we document."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import EXTRAS


class _SConscriptRecorder:
    """Runs an EXTRAS SConscript with the names gem5's build gives it."""

    def __init__(self) -> None:
        self.sim_objects: dict[str, list[str]] = {}
        self.sources: list[str] = []
        self.debug_flags: list[str] = []

    def namespace(self) -> dict:
        def sim_object(path, sim_objects=(), tags=None, enums=()):
            self.sim_objects[path] = list(sim_objects)

        def source(path, tags=None, **_):
            self.sources.append(path)

        def debug_flag(name, desc=None, tags=None):
            assert desc, f"debug flag {name} needs a description"
            self.debug_flags.append(name)

        return {
            "Import": lambda *a: None,
            "SimObject": sim_object,
            "Source": source,
            "DebugFlag": debug_flag,
            "env": {"CONF": {"USE_X86_ISA": True}},
        }

    def run(self, sconscript: Path) -> None:
        code = compile(sconscript.read_text(), str(sconscript), "exec")
        exec(code, self.namespace())


def _recorded() -> _SConscriptRecorder:
    rec = _SConscriptRecorder()
    rec.run(EXTRAS / "SConscript")
    return rec


def test_extras_holds_only_gem5_files():
    allowed = {".py", ".hh", ".cc", ".h", ""}
    for path in EXTRAS.rglob("*"):
        if path.is_file():
            assert path.suffix in allowed, f"{path}: not gem5 C++/SimObject"
    # gem5 runs every SConscript below EXTRAS: only ours may be there.
    assert [p.name for p in EXTRAS.rglob("SConscript")] == ["SConscript"]


def test_sconscript_names_existing_files():
    rec = _recorded()
    for path in [*rec.sim_objects, *rec.sources]:
        assert (EXTRAS / path).is_file(), f"SConscript names missing {path}"
    used = set()
    for cc in EXTRAS.glob("*.cc"):
        used |= set(re.findall(r'#include "debug/(\w+)\.hh"', cc.read_text()))
    # Flags gem5 itself declares that our code prints with.
    gem5_flags = {"Loader"}
    assert used <= set(rec.debug_flags) | gem5_flags, "undeclared flag"
    assert set(rec.debug_flags) <= used, "declared flag never used"
    # Every .cc is compiled (a forgotten Source() links later, not never).
    assert {p.name for p in EXTRAS.glob("*.cc")} <= set(rec.sources)


def test_declared_sim_objects_exist_with_real_headers(m5stub):
    rec = _recorded()
    for path, names in rec.sim_objects.items():
        added = m5stub.objects.load_sim_object_file(EXTRAS / path)
        for name in names:
            cls = getattr(m5stub.objects, name)
            assert cls.type == name
            header = EXTRAS.parent / cls.cxx_header
            assert header.is_file(), f"{name}: no header {cls.cxx_header}"
            assert cls.cxx_class.startswith("gem5::")
            text = header.read_text()
            assert f"class {cls.cxx_class.split('::')[-1]}" in text
            assert f"params/{name}.hh" in text
        del added


def test_apm_port_parameters(m5stub):
    cls = m5stub.objects.X86ApmPort
    p = cls._params
    assert cls._defaults["pio_addr"] == 0x8000000000000000 + 0xB2
    assert p["int_latency"].ptype == "Latency"
    assert cls._defaults["int_latency"] == "1ns"
    assert p["broadcast"].ptype == "Bool"
    assert cls._defaults["broadcast"] is False
    assert p["default_apic_id"].ptype == "UInt8"
    assert cls._defaults["default_apic_id"] == 0
    assert p["no_smi_commands"].vector
    assert cls._defaults["no_smi_commands"] == [0xF0, 0xF1]
    assert cls._ports["int_requestor"].role == "request"
    # Inherited from gem5's BasicPioDevice.
    assert "pio_latency" in p and "system" in p


def test_smm_controller_parameters(m5stub):
    cls = m5stub.objects.X86SmmController
    d = cls._defaults
    assert d["smbase"] == 0x30000
    assert cls._params["entry_latency"].ptype == "Cycles"
    assert d["entry_latency"] == 0 and d["exit_latency"] == 0
    assert d["fault_on_smram_access"] is False
    assert cls._params["system"].ptype == "System"


def test_smram_guard_parameters(m5stub):
    cls = m5stub.objects.X86SmramGuard
    assert cls._params["smm"].ptype == "X86SmmController"
    assert repr(cls._defaults["smm"]) == "Parent.any"
    assert cls._defaults["latency"] == "1ns"
    assert cls._ports["cpu_side"].role == "response"
    assert cls._ports["mem_side"].role == "request"


def test_multiboot_workload_parameters(m5stub):
    cls = m5stub.objects.X86MultibootWorkload
    assert issubclass(cls, m5stub.objects.X86FsLinux)
    assert cls._defaults["modules"] == []
    assert cls._defaults["module_cmdlines"] == []
    assert cls._defaults["info_addr"] == 0x6000
    # Inherited: the E820 map the stdlib board fills in.
    assert "e820_table" in cls._params


def test_scotch_trigger_parameters(m5stub):
    cls = m5stub.objects.X86ScotchTrigger
    p, d = cls._params, cls._defaults
    assert p["smm"].ptype == "X86SmmController"
    assert p["system"].ptype == "System"
    assert d["on_cr3"] is True
    assert d["on_external_interrupt"] is False
    assert p["random_mean"].ptype == "Latency"
    assert d["random_mean"] == "0ns" and d["random_start"] == "0ns"
    assert p["seed"].ptype == "UInt64" and d["seed"] == 1
    assert p["int_latency"].ptype == "Latency"
    assert cls._ports["int_requestor"].role == "request"


def test_scotch_trigger_stats_and_flag_are_declared():
    # The names the gem5 tests read from stats.txt, and the debug flag.
    cc = (EXTRAS / "scotch_trigger.cc").read_text()
    hh = (EXTRAS / "scotch_trigger.hh").read_text()
    for stat in ("cr3LoadsOutsideSmm", "cr3LoadsInSmm", "smisRaised"):
        assert stat in hh
        assert f"ADD_STAT({stat}," in cc
    assert '{"cr3", "interrupt", "random"}' in cc
    assert "ScotchTrigger" in _recorded().debug_flags


def test_domain_observer_parameters(m5stub):
    cls = m5stub.objects.X86DomainObserver
    p, d = cls._params, cls._defaults
    assert p["smm"].ptype == "X86SmmController"
    assert p["system"].ptype == "System"
    assert p["domains"].vector and p["markers"].vector
    assert d["domains"] == [] and d["markers"] == []
    assert p["probe_vaddr"].ptype == "Addr" and d["probe_vaddr"] == 0
    assert d["probe_len"] == 64
    # Xen's per-domain area is PML4 entry 260.
    assert p["key_slot"].ptype == "Int" and d["key_slot"] == 260


def test_domain_observer_stats_and_flag_are_declared():
    # The names tests/test_domain_observer.py reads from stats.txt.
    cc = (EXTRAS / "domain_observer.cc").read_text()
    for stat in ("ticks", "sleepTicks", "switches", "cr3Loads",
                 "namedByMarker", "namedByKey", "unnamed"):  # fmt: skip
        assert f"ADD_STAT({stat}," in cc
    assert 'subname(names.size(), "other")' in cc
    assert "DomainObserver" in _recorded().debug_flags


def test_declarations_load_in_any_order(m5stub):
    # gem5 resolves Param.<SimObject> lazily: X86ScotchTrigger refers to
    # X86SmmController, declared in a file that sorts after its own.
    from m5.objects import load_sim_object_files

    load_sim_object_files(sorted(EXTRAS.glob("*.py"), reverse=True))
    assert m5stub.objects.X86ScotchTrigger._params["smm"]


def test_switch_timer_parameters(m5stub):
    cls = m5stub.objects.X86SwitchTimer
    p, d = cls._params, cls._defaults
    assert p["cpus"].vector and p["cpus"].ptype == "BaseCPU"
    assert p["smm"].ptype == "X86SmmController"
    # The three addresses come from the hypervisor's symbols: no default.
    for name in ("start_pc", "hypervisor_start", "hypervisor_end"):
        assert p[name].ptype == "Addr" and name not in d
    assert p["max_cycles"].ptype == "Cycles" and d["max_cycles"] == 200000


def test_switch_timer_stats_files_and_flag_are_declared():
    # The names tests/test_switch_timer.py reads.
    cc = (EXTRAS / "switch_timer.cc").read_text()
    hh = (EXTRAS / "switch_timer.hh").read_text()
    for stat in ("switches", "aborted", "smisInSwitches", "switchCycles",
                 "smmCyclesPerSwitch", "smiGapCycles"):  # fmt: skip
        assert stat in hh
        assert f"ADD_STAT({stat}," in cc
    assert '"switch_cycles.csv"' in cc and '"smi_gaps.csv"' in cc
    assert "SwitchTimer" in _recorded().debug_flags
    # The controller tells its observers of the SMM time at every RSM.
    assert (
        "o->smmLeft(tc, cycles);" in (EXTRAS / "smm_controller.cc").read_text()
    )
