/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * A Multiboot (v1) loader, so that gem5 boots what QEMU's -kernel and
 * GRUB boot: Scotch's bare-metal test images and Xen.
 */

#ifndef __SCOTCH_MULTIBOOT_WORKLOAD_HH__
#define __SCOTCH_MULTIBOOT_WORKLOAD_HH__

#include <string>
#include <vector>

#include "arch/x86/linux/fs_workload.hh"
#include "params/X86MultibootWorkload.hh"
#include "scotch/multiboot_info.hh"

namespace gem5
{

namespace X86ISA
{

class MultibootWorkload : public FsLinux
{
  public:
    using Params = X86MultibootWorkloadParams;

    MultibootWorkload(const Params &p);

    void initState() override;

  protected:
    /** Load the modules page-aligned after the image; describe them. */
    std::vector<scotch::multiboot::Module> loadModules();
    /** Flat 32-bit segments, CR0.PE, EAX/EBX, entry point (the spec). */
    void enterProtectedMode(ThreadContext *tc, Addr info);

    std::vector<std::string> modulePaths;
    std::vector<std::string> moduleCmdlines;
    const Addr infoAddr;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_MULTIBOOT_WORKLOAD_HH__
