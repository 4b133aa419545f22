/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/multiboot_workload.hh"

#include <fstream>
#include <iterator>

#include "arch/x86/bios/e820.hh"
#include "arch/x86/faults.hh"
#include "arch/x86/regs/int.hh"
#include "arch/x86/regs/misc.hh"
#include "arch/x86/regs/segment.hh"
#include "base/intmath.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/thread_context.hh"
#include "debug/Loader.hh"
#include "sim/system.hh"

namespace gem5
{

namespace X86ISA
{

namespace mb = scotch::multiboot;

namespace
{

std::vector<uint8_t>
readFile(const std::string &path, const std::string &what)
{
    std::ifstream in(path, std::ios::binary);
    fatal_if(!in, "multiboot: cannot read %s '%s'.", what, path);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

} // anonymous namespace

MultibootWorkload::MultibootWorkload(const Params &p)
    : FsLinux(p), modulePaths(p.modules),
      moduleCmdlines(p.module_cmdlines), infoAddr(p.info_addr)
{
    fatal_if(!moduleCmdlines.empty() &&
             moduleCmdlines.size() != modulePaths.size(),
             "%s: %d module_cmdlines for %d modules.", name(),
             moduleCmdlines.size(), modulePaths.size());
    fatal_if(p.object_file.empty(), "%s: no image (object_file).", name());
    const auto image = readFile(p.object_file, "image");
    fatal_if(mb::findHeader(image.data(), image.size()) < 0,
             "%s: '%s' has no multiboot header in its first 8 KiB.",
             name(), p.object_file);
    fatal_if(kernelObj->getArch() != loader::I386,
             "%s: '%s' is not a 32-bit x86 ELF; multiboot v1 enters "
             "images in 32-bit protected mode.", name(), p.object_file);
}

std::vector<mb::Module>
MultibootWorkload::loadModules()
{
    std::vector<mb::Module> mods;
    Addr next = roundUp(image.maxAddr(), 0x1000);
    for (size_t i = 0; i < modulePaths.size(); i++) {
        const auto bytes = readFile(modulePaths[i], "module");
        fatal_if(next + bytes.size() > 0xffffffffULL ||
                 !system->isMemAddr(next + bytes.size() - 1),
                 "%s: module '%s' (%d bytes) does not fit in memory at "
                 "%#x.", name(), modulePaths[i], bytes.size(), next);
        system->physProxy.writeBlob(next, bytes.data(), bytes.size());
        mb::Module m;
        m.start = next;
        m.end = next + bytes.size();
        m.cmdline = moduleCmdlines.empty() ? modulePaths[i]
                                           : moduleCmdlines[i];
        DPRINTF(Loader, "multiboot module %s at %#x-%#x\n",
                modulePaths[i], m.start, m.end);
        mods.push_back(m);
        next = roundUp(m.end, 0x1000);
    }
    return mods;
}

void
MultibootWorkload::enterProtectedMode(ThreadContext *tc, Addr info)
{
    auto &proxy = system->physProxy;

    // A GDT with a flat 32-bit code (0x08) and data (0x10) segment.
    SegDescriptor flat = 0;
    flat.s = 1;
    flat.p = 1;
    flat.d = 1;
    flat.g = 1;
    flat.limit = 0xffffffff;
    flat.base = 0;
    SegDescriptor code = flat;
    code.type.codeOrData = 1;
    code.type.r = 1;
    code.type.a = 1;
    SegDescriptor data = flat;
    data.type.w = 1;
    data.type.a = 1;
    const uint64_t gdt[3] = {0, code, data};
    proxy.writeBlob(infoAddr, gdt, sizeof(gdt));
    tc->setMiscReg(misc_reg::TsgBase, infoAddr);
    tc->setMiscReg(misc_reg::TsgLimit, sizeof(gdt) - 1);

    CR0 cr0 = tc->readMiscRegNoEffect(misc_reg::Cr0);
    cr0.pg = 0;
    cr0.pe = 1;
    tc->setMiscReg(misc_reg::Cr0, cr0);

    tc->setMiscReg(misc_reg::Cs, 0x08);
    installSegDesc(tc, segment_idx::Cs, code, false);
    for (int seg : {segment_idx::Ds, segment_idx::Es, segment_idx::Fs,
                    segment_idx::Gs, segment_idx::Ss}) {
        tc->setMiscReg(misc_reg::segSel(seg), 0x10);
        installSegDesc(tc, seg, data, false);
    }
    tc->setMiscReg(misc_reg::Rflags, 0x2);
    tc->setReg(int_reg::Rax, (RegVal)mb::LoaderMagic);
    tc->setReg(int_reg::Rbx, (RegVal)info);
    tc->setMiscReg(misc_reg::M5Reg, 0);
    tc->pcState(kernelObj->entryPoint());
}

void
MultibootWorkload::initState()
{
    // Load the image and extras; skip FsWorkload's 64-bit set-up.
    KernelWorkload::initState();

    for (auto *tc : system->threads) {
        InitInterrupt(0).invoke(tc);
        if (tc->contextId() == 0)
            tc->activate();
        else
            tc->suspend();  // APs wait for INIT/SIPI, as after POST
    }

    // What a PC BIOS leaves: SMBIOS, MP and ACPI tables from 0xF0000.
    Addr pos = 0xF0000, fixed, table;
    writeOutSMBiosTable(pos, fixed, table);
    pos = roundUp(pos + fixed + table, 16);
    writeOutMPTable(pos, fixed, table);
    pos += fixed + table;
    writeOutACPITables(pos, table);

    std::vector<mb::MemRegion> memory;
    for (const E820Entry *e : e820Table->entries)
        memory.push_back({e->addr, e->size, e->type});
    // The BIOS data area: EBDA segment (0x40E) and base memory in KiB
    // (0x413), which Xen reads to place its trampoline.
    for (const mb::MemRegion &r : memory) {
        if (r.base == 0 && r.type == 1) {
            const uint16_t ebda_seg = r.size >> 4;
            const uint16_t base_kib = r.size >> 10;
            system->physProxy.writeBlob(0x40e, &ebda_seg, 2);
            system->physProxy.writeBlob(0x413, &base_kib, 2);
        }
    }

    const auto modules = loadModules();
    const Addr info = infoAddr + 0x100;
    const auto block = mb::buildInfo(info, memory, commandLine, modules,
                                     "gem5 (Scotch-gem5 multiboot)");
    fatal_if(info + block.size() > 0x9f000,
             "%s: the multiboot information block (%d bytes) does not "
             "fit below 0x9f000; move info_addr.", name(), block.size());
    system->physProxy.writeBlob(info, block.data(), block.size());

    enterProtectedMode(system->threads[0], info);
    inform("multiboot: entering %#x with the information block at %#x",
           kernelObj->entryPoint(), info);
}

} // namespace X86ISA
} // namespace gem5
