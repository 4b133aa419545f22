// Unit tests for SHA-256 and HMAC-SHA256 in
// src_patches/scotch/sgx_sha256.hh: the FIPS 180-4 examples (NIST
// CSRC "SHA256.pdf", "SHA2_Additional") and RFC 4231's HMAC cases.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "scotch/sgx_sha256.hh"
#include "sgx_hex.hh"

using gem5::scotch::sgx::Digest;
using gem5::scotch::sgx::HmacSha256;
using gem5::scotch::sgx::Sha256;

namespace
{

std::string
sha(const std::string &msg)
{
    return hex(Sha256::hash(msg.data(), msg.size()));
}

std::string
hmac(const std::string &key, const std::string &msg)
{
    return hex(HmacSha256::mac(key.data(), key.size(), msg.data(),
                               msg.size()));
}

} // namespace

TEST(SgxSha256Test, EmptyMessage)
{
    EXPECT_EQ(sha(""), "e3b0c44298fc1c149afbf4c8996fb924"
                       "27ae41e4649b934ca495991b7852b855");
}

TEST(SgxSha256Test, OneBlockAbc)
{
    EXPECT_EQ(sha("abc"), "ba7816bf8f01cfea414140de5dae2223"
                          "b00361a396177a9cb410ff61f20015ad");
}

TEST(SgxSha256Test, TwoBlock448BitMessage)
{
    // 56 bytes: the length no longer fits the first block's padding.
    EXPECT_EQ(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039"
              "a33ce45964ff2167f6ecedd419db06c1");
}

TEST(SgxSha256Test, OneMillionAInOddChunks)
{
    const std::string million(1000000, 'a');
    Sha256 s;
    size_t done = 0;
    // Chunks of 1, 3, 5, ... bytes cross every block boundary offset.
    for (size_t n = 1; done < million.size(); n += 2) {
        const size_t take = std::min(n % 197, million.size() - done);
        s.update(million.data() + done, take);
        done += take;
    }
    EXPECT_EQ(s.bytes(), 1000000u);
    EXPECT_EQ(hex(s.finish()), "cdc76e5c9914fb9281a1c7e284d73e67"
                               "f1809a48a497200e046d39ccc7112cd0");
}

TEST(SgxSha256Test, PeekLeavesTheStateUntouched)
{
    Sha256 s;
    s.update("ab", 2);
    EXPECT_EQ(hex(s.peek()), sha("ab"));
    s.update("c", 1);
    EXPECT_EQ(hex(s.finish()), sha("abc"));
}

TEST(SgxSha256Test, ResetStartsOver)
{
    Sha256 s;
    s.update("junk", 4);
    s.reset();
    s.update("abc", 3);
    EXPECT_EQ(hex(s.finish()), sha("abc"));
}

// RFC 4231, 4.2-4.8 (case 5 tests truncation, which we do not offer).
TEST(SgxHmacSha256Test, Rfc4231Case1)
{
    EXPECT_EQ(hmac(std::string(20, '\x0b'), "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b"
              "881dc200c9833da726e9376c2e32cff7");
}

TEST(SgxHmacSha256Test, Rfc4231Case2ShortKey)
{
    EXPECT_EQ(hmac("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c7"
              "5a003f089d2739839dec58b964ec3843");
}

TEST(SgxHmacSha256Test, Rfc4231Case3)
{
    EXPECT_EQ(hmac(std::string(20, '\xaa'), std::string(50, '\xdd')),
              "773ea91e36800e46854db8ebd09181a7"
              "2959098b3ef8c122d9635514ced565fe");
}

TEST(SgxHmacSha256Test, Rfc4231Case4)
{
    std::string key;
    for (char c = 1; c <= 25; c++)
        key += c;
    EXPECT_EQ(hmac(key, std::string(50, '\xcd')),
              "82558a389a443c0ea4cc819899f2083a"
              "85f0faa3e578f8077a2e3ff46729665b");
}

TEST(SgxHmacSha256Test, Rfc4231Case6KeyLongerThanABlock)
{
    EXPECT_EQ(hmac(std::string(131, '\xaa'),
                   "Test Using Larger Than Block-Size Key - Hash Key First"),
              "60e431591ee0b67f0d8a26aacbf5b77f"
              "8e0bc6213728c5140546040f0ee37f54");
}

TEST(SgxHmacSha256Test, Rfc4231Case7LongKeyAndData)
{
    const std::string data =
        "This is a test using a larger than block-size key and a larger "
        "than block-size data. The key needs to be hashed before being "
        "used by the HMAC algorithm.";
    EXPECT_EQ(hmac(std::string(131, '\xaa'), data),
              "9b09ffa71b942fcb27635fbcd5b0e944"
              "bfdc63644f0713938a7f51535c3a35e2");
    // The same, fed in pieces.
    const std::string key(131, '\xaa');
    HmacSha256 m(key.data(), key.size());
    for (size_t i = 0; i < data.size(); i += 7)
        m.update(data.data() + i, std::min<size_t>(7, data.size() - i));
    EXPECT_EQ(hex(m.finish()), hmac(key, data));
}

// Snapshots (Sha256::State), which gem5 checkpoints carry.

TEST(SgxSha256Test, SnapshotMidStreamResumesInAFreshObject)
{
    std::string msg;
    for (int i = 0; i < 300; i++)
        msg += char('a' + i % 26);
    const Digest whole = Sha256::hash(msg.data(), msg.size());
    // Cut before, at and after block boundaries, and at the start.
    for (size_t cut : {0, 1, 55, 63, 64, 65, 128, 200, 300}) {
        Sha256 s;
        s.update(msg.data(), cut);
        const Sha256::State st = s.state();
        EXPECT_EQ(st.length, cut);
        EXPECT_EQ(st.used, cut % Sha256::BlockSize);
        Sha256 resumed;
        resumed.update("junk", 4);  // restore replaces whatever was there
        ASSERT_TRUE(resumed.restore(st));
        EXPECT_EQ(resumed.bytes(), cut);
        EXPECT_EQ(resumed.peek(), s.peek());
        resumed.update(msg.data() + cut, msg.size() - cut);
        EXPECT_EQ(resumed.finish(), whole) << "cut at " << cut;
    }
}

TEST(SgxSha256Test, SnapshotsOfEqualHashesAreEqual)
{
    // Stale bytes past the partial block do not reach the snapshot.
    Sha256 a, b;
    b.update(std::string(63, 'x').data(), 63);
    b.reset();
    a.update("abc", 3);
    b.update("abc", 3);
    const Sha256::State sa = a.state(), sb = b.state();
    EXPECT_EQ(sa.h, sb.h);
    EXPECT_EQ(sa.length, sb.length);
    EXPECT_EQ(sa.buf, sb.buf);
    EXPECT_EQ(sa.used, sb.used);
}

TEST(SgxSha256Test, RestoreRefusesAnInconsistentSnapshotAndKeepsItsHash)
{
    Sha256 donor;
    donor.update("abcdefgh", 8);
    Sha256 s;
    s.update("ab", 2);
    Sha256::State bad = donor.state();
    bad.used = 64;
    bad.length = 64;
    EXPECT_FALSE(s.restore(bad));
    bad = donor.state();
    bad.used = 7;  // 8 bytes hashed: the partial block is 8 long
    EXPECT_FALSE(s.restore(bad));
    bad.used = 200;
    bad.length = 200;
    EXPECT_FALSE(s.restore(bad));
    EXPECT_EQ(s.bytes(), 2u);
    s.update("c", 1);
    EXPECT_EQ(hex(s.finish()), sha("abc"));
}
