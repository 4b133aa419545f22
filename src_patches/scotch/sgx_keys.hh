/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * EGETKEY's key derivation (SDM vol. 3D 41.4, EGETKEY Operation, and
 * its "Key Derivation" table): which enclave and request values each
 * key name depends on, and the checks that refuse a request.
 *
 * DEVIATION FROM REAL SGX. A processor derives keys with AES-CMAC from
 * secrets fused into it, over a KEYDEPENDENCIES structure whose layout
 * Intel does not publish. The model cannot have those secrets, so:
 * - key = the first 128 bits of HMAC-SHA256(platform secret, KEYDEP),
 *   where the platform secret is 32 bytes from the platform config;
 * - KEYDEP is the fixed 176-byte little-endian layout of
 *   KeyDependencies below, with the SDM's fields except SEAL_KEY_FUSES
 *   (the one platform secret stands for every fuse set: PROVISION_KEY
 *   does depend on it) and PADDING (the SIGSTRUCT's PKCS#1 padding,
 *   a constant for any valid signature);
 * - "CPUSVN beyond the current CPU's" means a byte of KEYREQUEST.CPUSVN
 *   greater than the same byte of the platform's CPUSVN.
 * So keys are as deterministic, and vary with the same inputs, as on
 * hardware, but their values are the model's own. Plain C++, no gem5
 * headers; unit-tested outside gem5.
 */

#ifndef __SCOTCH_SGX_KEYS_HH__
#define __SCOTCH_SGX_KEYS_HH__

#include <array>
#include <cstdint>
#include <cstring>

#include "scotch/sgx_sha256.hh"
#include "scotch/sgx_types.hh"

namespace gem5
{

namespace scotch
{

namespace sgx
{

/** A 128-bit key, as EGETKEY writes it. */
using Key128 = std::array<uint8_t, 16>;

/** The platform's key material, from the platform configuration. */
struct PlatformKeys
{
    /** Stands in for the fused root secrets (see the file comment). */
    std::array<uint8_t, 32> secret = {};
    /** CR_SGXOWNEREPOCH (IA32_SGXOWNEREPOCH0/1, MSRs 300H-301H). */
    std::array<uint8_t, 16> ownerEpoch = {};
    /** CR_CPUSVN: the processor's security version. */
    std::array<uint8_t, 16> cpuSvn = {};
};

/** What EGETKEY reads from the running enclave's SECS. */
struct KeyIdentity
{
    Digest mrEnclave = {};
    Digest mrSigner = {};
    uint16_t isvProdId = 0;
    uint16_t isvSvn = 0;
    Attributes attributes = {};
    uint32_t miscSelect = 0;
};

/**
 * The model's KEYDEPENDENCIES: the values a key is derived from (SDM
 * EGETKEY Operation, TMP_KEYDEPENDENCIES), serialized by bytes().
 */
struct KeyDependencies
{
    uint16_t keyName = 0;
    uint16_t keyPolicy = 0;
    uint16_t isvProdId = 0;
    uint16_t isvSvn = 0;
    std::array<uint8_t, 16> ownerEpoch = {};
    Attributes attributes = {};
    Attributes attributeMask = {};
    Digest mrEnclave = {};
    Digest mrSigner = {};
    std::array<uint8_t, 32> keyId = {};
    std::array<uint8_t, 16> cpuSvn = {};
    uint32_t miscSelect = 0;
    uint32_t miscMask = 0;

    static constexpr size_t Size = 176;

    /** The byte string the key is derived from: fields in order, LE. */
    std::array<uint8_t, Size>
    bytes() const
    {
        std::array<uint8_t, Size> b = {};
        size_t at = 0;
        auto le = [&](uint64_t v, unsigned n) {
            for (unsigned i = 0; i < n; i++)
                b[at++] = uint8_t(v >> (8 * i));
        };
        auto raw = [&](const uint8_t *p, size_t n) {
            std::memcpy(&b[at], p, n);
            at += n;
        };
        le(keyName, 2);
        le(keyPolicy, 2);
        le(isvProdId, 2);
        le(isvSvn, 2);
        raw(ownerEpoch.data(), ownerEpoch.size());
        le(attributes.flags, 8);
        le(attributes.xfrm, 8);
        le(attributeMask.flags, 8);
        le(attributeMask.xfrm, 8);
        raw(mrEnclave.data(), mrEnclave.size());
        raw(mrSigner.data(), mrSigner.size());
        raw(keyId.data(), keyId.size());
        raw(cpuSvn.data(), cpuSvn.size());
        le(miscSelect, 4);
        le(miscMask, 4);
        return b;
    }
};

/** derivekey(): HMAC-SHA256 keyed by the platform secret, cut to 128. */
inline Key128
deriveKey(const PlatformKeys &platform, const KeyDependencies &dep)
{
    const auto msg = dep.bytes();
    const Digest mac = HmacSha256::mac(platform.secret.data(),
                                       platform.secret.size(), msg.data(),
                                       msg.size());
    Key128 key;
    std::memcpy(key.data(), mac.data(), key.size());
    return key;
}

/**
 * The REPORT key of the enclave with @p mr_enclave, @p attributes and
 * @p misc_select: what EGETKEY(REPORT_KEY) gives that enclave, and what
 * EREPORT MACs a REPORT targeted at it with (both take only these, the
 * KEYID and the platform's values: no KEYPOLICY, no ISV fields).
 */
inline Key128
reportKey(const PlatformKeys &platform, const Digest &mr_enclave,
          const Attributes &attributes, uint32_t misc_select,
          const uint8_t *key_id)
{
    KeyDependencies dep;
    dep.keyName = uint16_t(KeyName::Report);
    dep.ownerEpoch = platform.ownerEpoch;
    dep.attributes = attributes;
    dep.mrEnclave = mr_enclave;
    std::memcpy(dep.keyId.data(), key_id, dep.keyId.size());
    dep.cpuSvn = platform.cpuSvn;
    dep.miscSelect = misc_select;
    return deriveKey(platform, dep);
}

/** What EGETKEY did: #GP(0), or RAX (and, on Success, the key). */
struct KeyResult
{
    bool generalProtection = false;
    SgxError error = SgxError::Success;
    Key128 key = {};

    bool
    succeeded() const
    {
        return !generalProtection && error == SgxError::Success;
    }
};

/**
 * EGETKEY (SDM 41.4, EGETKEY Operation) once its operands are known
 * good (alignment, EPCM: the caller's): the key @p req asks for, for
 * the enclave @p id, on @p platform. Without KSS, KEYPOLICY may hold
 * only MRENCLAVE and MRSIGNER and CONFIGSVN must be zero (else #GP).
 */
inline KeyResult
egetkey(const PlatformKeys &platform, const KeyIdentity &id,
        const KeyRequest &req)
{
    KeyResult out;
    bool reserved = req.reserved1 || req.configSvn ||
                    (req.keyPolicy & ~KeyPolicyDefined);
    for (uint8_t b : req.reserved2)
        reserved = reserved || b;
    if (reserved) {
        out.generalProtection = true;
        return out;
    }

    // INIT and DEBUG are always part of a key (REQUIRED_SEALING_MASK).
    Attributes attrs;
    attrs.flags = (req.attributeMask.flags | AttrInit | AttrDebug) &
                  id.attributes.flags;
    attrs.xfrm = req.attributeMask.xfrm & id.attributes.xfrm;
    const uint32_t misc = req.miscMask & id.miscSelect;

    auto fail = [&](SgxError e) {
        out.error = e;
        return out;
    };
    auto cpusvn_beyond = [&]() {
        for (size_t i = 0; i < sizeof(req.cpuSvn); i++)
            if (req.cpuSvn[i] > platform.cpuSvn[i])
                return true;
        return false;
    };
    // The checks SEAL, EINITTOKEN and both PROVISION keys share.
    auto svn_error = [&]() {
        if (cpusvn_beyond())
            return SgxError::InvalidCpuSvn;
        if (req.isvSvn > id.isvSvn)
            return SgxError::InvalidIsvSvn;
        return SgxError::Success;
    };

    KeyDependencies dep;
    dep.keyName = req.keyName;
    switch (KeyName(req.keyName)) {
      case KeyName::Seal:
      case KeyName::ProvisionSeal:
        if (KeyName(req.keyName) == KeyName::ProvisionSeal &&
            !(id.attributes.flags & AttrProvisionKey))
            return fail(SgxError::InvalidAttribute);
        if (SgxError e = svn_error(); e != SgxError::Success)
            return fail(e);
        dep.keyPolicy = req.keyPolicy;
        dep.isvProdId = id.isvProdId;
        dep.isvSvn = req.isvSvn;
        dep.attributes = attrs;
        dep.attributeMask = req.attributeMask;
        if (KeyName(req.keyName) == KeyName::Seal) {
            dep.ownerEpoch = platform.ownerEpoch;
            if (req.keyPolicy & KeyPolicyMrEnclave)
                dep.mrEnclave = id.mrEnclave;
            if (req.keyPolicy & KeyPolicyMrSigner)
                dep.mrSigner = id.mrSigner;
            std::memcpy(dep.keyId.data(), req.keyId, sizeof(req.keyId));
        } else {
            // Provisioning keys: no owner epoch, no KEYID, MRSIGNER
            // whatever the policy.
            dep.mrSigner = id.mrSigner;
        }
        std::memcpy(dep.cpuSvn.data(), req.cpuSvn, sizeof(req.cpuSvn));
        dep.miscSelect = misc;
        dep.miscMask = ~req.miscMask;
        break;
      case KeyName::Report:
        out.key = reportKey(platform, id.mrEnclave, id.attributes,
                            id.miscSelect, req.keyId);
        return out;
      case KeyName::EinitToken:
        if (!(id.attributes.flags & AttrEinitTokenKey))
            return fail(SgxError::InvalidAttribute);
        if (SgxError e = svn_error(); e != SgxError::Success)
            return fail(e);
        dep.isvProdId = id.isvProdId;
        dep.isvSvn = req.isvSvn;
        dep.ownerEpoch = platform.ownerEpoch;
        dep.attributes = attrs;
        dep.mrSigner = id.mrSigner;
        std::memcpy(dep.keyId.data(), req.keyId, sizeof(req.keyId));
        std::memcpy(dep.cpuSvn.data(), req.cpuSvn, sizeof(req.cpuSvn));
        dep.miscSelect = misc;
        break;
      case KeyName::Provision:
        if (!(id.attributes.flags & AttrProvisionKey))
            return fail(SgxError::InvalidAttribute);
        if (SgxError e = svn_error(); e != SgxError::Success)
            return fail(e);
        dep.isvProdId = id.isvProdId;
        dep.isvSvn = req.isvSvn;
        dep.attributes = attrs;
        dep.attributeMask = req.attributeMask;
        dep.mrSigner = id.mrSigner;
        std::memcpy(dep.cpuSvn.data(), req.cpuSvn, sizeof(req.cpuSvn));
        dep.miscSelect = misc;
        dep.miscMask = ~req.miscMask;
        break;
      default:
        return fail(SgxError::InvalidKeyname);
    }
    out.key = deriveKey(platform, dep);
    return out;
}

} // namespace sgx
} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_SGX_KEYS_HH__
