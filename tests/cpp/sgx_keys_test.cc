// Unit tests for EGETKEY's key derivation model in
// src_patches/scotch/sgx_keys.hh.

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "scotch/sgx_keys.hh"
#include "sgx_hex.hh"

using namespace gem5::scotch::sgx;

namespace
{

PlatformKeys
platform()
{
    PlatformKeys p;
    for (size_t i = 0; i < p.secret.size(); i++)
        p.secret[i] = i;
    p.ownerEpoch.fill(0x11);
    p.cpuSvn.fill(0x02);
    return p;
}

KeyIdentity
enclave()
{
    KeyIdentity id;
    id.mrEnclave.fill(0xaa);
    id.mrSigner.fill(0xbb);
    id.isvProdId = 1;
    id.isvSvn = 2;
    id.attributes.flags = AttrInit | AttrMode64Bit;
    id.attributes.xfrm = 3;
    return id;
}

/** A SEAL_KEY request as the Intel SDK makes one. */
KeyRequest
request(KeyName name = KeyName::Seal,
        uint16_t policy = KeyPolicyMrSigner)
{
    KeyRequest r;
    std::memset(&r, 0, sizeof(r));
    r.keyName = uint16_t(name);
    r.keyPolicy = policy;
    r.isvSvn = 2;
    std::memset(r.cpuSvn, 0x02, sizeof(r.cpuSvn));
    r.attributeMask.flags = 0xff0000000000000bULL;
    r.miscMask = 0xf0000000;
    for (size_t i = 0; i < sizeof(r.keyId); i++)
        r.keyId[i] = i;
    return r;
}

std::string
key(const KeyRequest &r, const KeyIdentity &id = enclave(),
    const PlatformKeys &p = platform())
{
    const KeyResult k = egetkey(p, id, r);
    EXPECT_TRUE(k.succeeded());
    return hex(k.key);
}

SgxError
error(const KeyRequest &r, const KeyIdentity &id = enclave())
{
    const KeyResult k = egetkey(platform(), id, r);
    EXPECT_FALSE(k.generalProtection);
    return k.error;
}

} // namespace

TEST(SgxKeysTest, KnownAnswers)
{
    // Pins the KEYDEPENDENCIES layout: HMAC-SHA256 over the 176 bytes,
    // computed apart (Python's hmac on struct.pack'ed fields). Changing
    // the layout changes every sealed blob's key.
    EXPECT_EQ(key(request()), "f85b2bfecfdcdc2d9c99820201349ea7");
    EXPECT_EQ(key(request(KeyName::Report, 0)),
              "9e99e60e9daf91ea9f55b6f0039973d4");
}

TEST(SgxKeysTest, Deterministic)
{
    EXPECT_EQ(key(request()), key(request()));
    EXPECT_NE(key(request()), std::string(32, '0'));
}

TEST(SgxKeysTest, SealKeyFollowsTheKeyPolicy)
{
    KeyIdentity other = enclave();
    other.mrEnclave[31] ^= 1;
    // MRENCLAVE policy: another enclave gets another key.
    EXPECT_NE(key(request(KeyName::Seal, KeyPolicyMrEnclave)),
              key(request(KeyName::Seal, KeyPolicyMrEnclave), other));
    // MRSIGNER only: any enclave of the same signer gets the same key.
    EXPECT_EQ(key(request(KeyName::Seal, KeyPolicyMrSigner)),
              key(request(KeyName::Seal, KeyPolicyMrSigner), other));
    KeyIdentity resigned = enclave();
    resigned.mrSigner[0] ^= 1;
    EXPECT_NE(key(request(KeyName::Seal, KeyPolicyMrSigner)),
              key(request(KeyName::Seal, KeyPolicyMrSigner), resigned));
    // The policy itself is a dependency, as in the SDM.
    EXPECT_NE(key(request(KeyName::Seal, KeyPolicyMrSigner)),
              key(request(KeyName::Seal,
                          KeyPolicyMrSigner | KeyPolicyMrEnclave)));
}

TEST(SgxKeysTest, KeyIdSelectsAnotherKey)
{
    for (KeyName n : {KeyName::Seal, KeyName::Report}) {
        KeyRequest r = request(n);
        const std::string a = key(r);
        r.keyId[7] ^= 0x80;
        EXPECT_NE(a, key(r));
    }
}

TEST(SgxKeysTest, PlatformSecretAndEpochMatter)
{
    PlatformKeys p = platform();
    p.secret[0] ^= 1;
    EXPECT_NE(key(request()), key(request(), enclave(), p));
    EXPECT_NE(key(request(KeyName::Report, 0)),
              key(request(KeyName::Report, 0), enclave(), p));
    // A new owner epoch: new seal keys...
    p = platform();
    p.ownerEpoch[3] ^= 1;
    EXPECT_NE(key(request()), key(request(), enclave(), p));
    // ...but the same provisioning key (it has no owner epoch).
    KeyIdentity pv = enclave();
    pv.attributes.flags |= AttrProvisionKey;
    EXPECT_EQ(key(request(KeyName::Provision, 0), pv),
              key(request(KeyName::Provision, 0), pv, p));
}

TEST(SgxKeysTest, ReportKeyIgnoresPolicyAndRequestSvns)
{
    const std::string k = key(request(KeyName::Report, 0));
    EXPECT_EQ(k, key(request(KeyName::Report, KeyPolicyMrEnclave)));
    EXPECT_EQ(k, key(request(KeyName::Report,
                             KeyPolicyMrEnclave | KeyPolicyMrSigner)));
    KeyRequest r = request(KeyName::Report, 0);
    r.isvSvn = 0;
    std::memset(r.cpuSvn, 0, sizeof(r.cpuSvn));
    r.attributeMask = {};
    r.miscMask = 0;
    EXPECT_EQ(k, key(r));
    // It is the key EREPORT uses for a report targeted at this enclave.
    const KeyIdentity id = enclave();
    EXPECT_EQ(k, hex(reportKey(platform(), id.mrEnclave, id.attributes,
                               id.miscSelect, r.keyId)));
    // The signer is not part of it; the enclave and its attributes are.
    KeyIdentity other = enclave();
    other.mrSigner[0] ^= 1;
    EXPECT_EQ(k, key(r, other));
    other = enclave();
    other.attributes.flags |= AttrDebug;
    EXPECT_NE(k, key(r, other));
}

TEST(SgxKeysTest, AttributeMaskSelectsWhatSealKeysDependOn)
{
    KeyRequest r = request();
    r.attributeMask = {};
    // INIT and DEBUG always count: a debug build cannot unseal.
    KeyIdentity debug = enclave();
    debug.attributes.flags |= AttrDebug;
    EXPECT_NE(key(r), key(r, debug));
    // MODE64BIT counts only when the mask asks for it.
    KeyIdentity legacy = enclave();
    legacy.attributes.flags &= ~AttrMode64Bit;
    EXPECT_EQ(key(r), key(r, legacy));
    r.attributeMask.flags = AttrMode64Bit;
    EXPECT_NE(key(r), key(r, legacy));
}

TEST(SgxKeysTest, OlderSvnsGiveOlderKeysNewerOnesAreRefused)
{
    KeyRequest r = request();
    const std::string current = key(r);
    r.isvSvn = 1;
    EXPECT_NE(key(r), current);
    r.isvSvn = 3;
    EXPECT_EQ(error(r), SgxError::InvalidIsvSvn);
    r = request();
    std::memset(r.cpuSvn, 0x01, sizeof(r.cpuSvn));
    EXPECT_NE(key(r), current);
    r.cpuSvn[15] = 0x03;
    EXPECT_EQ(error(r), SgxError::InvalidCpuSvn);
}

TEST(SgxKeysTest, ControlledKeysNeedTheirAttribute)
{
    EXPECT_EQ(error(request(KeyName::Provision, 0)),
              SgxError::InvalidAttribute);
    EXPECT_EQ(error(request(KeyName::ProvisionSeal, 0)),
              SgxError::InvalidAttribute);
    EXPECT_EQ(error(request(KeyName::EinitToken, 0)),
              SgxError::InvalidAttribute);
    KeyIdentity id = enclave();
    id.attributes.flags |= AttrProvisionKey | AttrEinitTokenKey;
    const std::string prov = key(request(KeyName::Provision, 0), id);
    const std::string seal = key(request(KeyName::ProvisionSeal, 0), id);
    const std::string tok = key(request(KeyName::EinitToken, 0), id);
    EXPECT_NE(prov, seal);
    EXPECT_NE(prov, tok);
    // Provisioning keys follow the signer, never the enclave.
    KeyIdentity other = id;
    other.mrEnclave[0] ^= 1;
    EXPECT_EQ(prov, key(request(KeyName::Provision, KeyPolicyMrEnclave),
                        other));
}

TEST(SgxKeysTest, UnknownKeyNamesAreRefused)
{
    KeyRequest r = request();
    r.keyName = 5;
    EXPECT_EQ(error(r), SgxError::InvalidKeyname);
    r.keyName = 0xffff;
    EXPECT_EQ(error(r), SgxError::InvalidKeyname);
}

TEST(SgxKeysTest, ReservedFieldsAreGeneralProtection)
{
    auto gp = [](const KeyRequest &r) {
        return egetkey(platform(), enclave(), r).generalProtection;
    };
    EXPECT_FALSE(gp(request()));
    KeyRequest r = request();
    r.reserved2[433] = 1;
    EXPECT_TRUE(gp(r));
    r = request();
    r.reserved1 = 1;
    EXPECT_TRUE(gp(r));
    // NOISVPRODID (bit 2) and the other KSS policies: no KSS here.
    for (unsigned bit = 2; bit < 16; bit++) {
        r = request();
        r.keyPolicy |= 1 << bit;
        EXPECT_TRUE(gp(r)) << bit;
    }
    r = request();
    r.configSvn = 1;
    EXPECT_TRUE(gp(r));
}
