/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * Builds a Multiboot (v1) information block: the structure a multiboot
 * loader passes in EBX, with the memory map, command line and modules.
 * Plain C++, unit-tested outside gem5; the gem5 workload writes the bytes
 * to guest memory.
 */

#ifndef __SCOTCH_MULTIBOOT_INFO_HH__
#define __SCOTCH_MULTIBOOT_INFO_HH__

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace gem5
{

namespace scotch
{

namespace multiboot
{

constexpr uint32_t HeaderMagic = 0x1badb002;
constexpr uint32_t LoaderMagic = 0x2badb002;
/** The header must lie in the first 8 KiB of the image, 4-aligned. */
constexpr unsigned HeaderSearch = 8192;

constexpr uint32_t InfoMem = 1u << 0;
constexpr uint32_t InfoCmdline = 1u << 2;
constexpr uint32_t InfoMods = 1u << 3;
constexpr uint32_t InfoMmap = 1u << 6;
constexpr uint32_t InfoLoaderName = 1u << 9;

/** Size of the fixed part of the information block (through VBE). */
constexpr unsigned InfoSize = 88;

struct MemRegion
{
    uint64_t base;
    uint64_t size;
    uint32_t type;  ///< E820 type: 1 usable, 2 reserved, ...
};

struct Module
{
    uint32_t start;
    uint32_t end;   ///< one past the last byte
    std::string cmdline;
};

/** Offset of a valid multiboot header in @p image, or -1. */
inline long
findHeader(const uint8_t *image, size_t size)
{
    const size_t limit = size < HeaderSearch ? size : HeaderSearch;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t w[3];
        std::memcpy(w, image + off, sizeof(w));
        if (w[0] == HeaderMagic && uint32_t(w[0] + w[1] + w[2]) == 0)
            return off;
    }
    return -1;
}

/**
 * The information block placed at guest physical address @p base, with
 * everything it points to (strings, memory map, module list) after it.
 */
inline std::vector<uint8_t>
buildInfo(uint32_t base, const std::vector<MemRegion> &memory,
          const std::string &cmdline, const std::vector<Module> &modules,
          const std::string &loader_name)
{
    std::vector<uint8_t> out(InfoSize, 0);
    auto put32 = [&out](size_t off, uint32_t v) {
        std::memcpy(&out[off], &v, 4);
    };
    auto append = [&out, base](const void *data, size_t size) {
        while (out.size() % 4)
            out.push_back(0);
        const uint32_t addr = base + out.size();
        const uint8_t *p = static_cast<const uint8_t *>(data);
        out.insert(out.end(), p, p + size);
        return addr;
    };
    auto appendString = [&append](const std::string &s) {
        return append(s.c_str(), s.size() + 1);
    };

    uint32_t flags = InfoCmdline | InfoLoaderName;
    put32(16, appendString(cmdline));
    put32(64, appendString(loader_name));

    // mem_lower: KiB from 0 (at most 640); mem_upper: KiB from 1 MiB,
    // both from usable regions that start there.
    for (const MemRegion &r : memory) {
        if (r.type != 1)
            continue;
        if (r.base == 0) {
            put32(4, uint32_t(std::min<uint64_t>(r.size, 640 << 10) >> 10));
            flags |= InfoMem;
        } else if (r.base == 0x100000) {
            put32(8, uint32_t(std::min<uint64_t>(r.size >> 10,
                                                 0xffffffffu)));
        }
    }

    std::vector<uint8_t> mmap;
    for (const MemRegion &r : memory) {
        uint8_t e[24];
        const uint32_t size = 20;
        std::memcpy(e, &size, 4);
        std::memcpy(e + 4, &r.base, 8);
        std::memcpy(e + 12, &r.size, 8);
        std::memcpy(e + 20, &r.type, 4);
        mmap.insert(mmap.end(), e, e + sizeof(e));
    }
    if (!mmap.empty()) {
        put32(48, append(mmap.data(), mmap.size()));
        put32(44, mmap.size());
        flags |= InfoMmap;
    }

    if (!modules.empty()) {
        std::vector<uint32_t> names;
        for (const Module &m : modules)
            names.push_back(appendString(m.cmdline));
        std::vector<uint32_t> list;
        for (size_t i = 0; i < modules.size(); i++) {
            if (modules[i].end < modules[i].start)
                throw std::invalid_argument("module ends before it starts");
            list.insert(list.end(),
                        {modules[i].start, modules[i].end, names[i], 0});
        }
        put32(24, append(list.data(), list.size() * 4));
        put32(20, modules.size());
        flags |= InfoMods;
    }
    put32(0, flags);
    return out;
}

} // namespace multiboot
} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_MULTIBOOT_INFO_HH__
