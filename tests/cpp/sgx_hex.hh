/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/** Lower-case hex of a digest or key, for the SGX unit tests' vectors. */

#ifndef __TESTS_CPP_SGX_HEX_HH__
#define __TESTS_CPP_SGX_HEX_HH__

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

template <std::size_t N>
std::string
hex(const std::array<uint8_t, N> &bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (uint8_t b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

#endif // __TESTS_CPP_SGX_HEX_HH__
