// SHA-256 digests, ids and chain ids against known vectors.
#include "layerlab/digest.h"

#include "test_util.h"

namespace layerlab {
namespace {

using testing::TempDirTest;

TEST(DigestTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(Sha256Digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Digest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, IncrementalHashEqualsOneShot) {
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.Finish(), Sha256Digest("abc"));
}

class DigestFileTest : public TempDirTest {};

TEST_F(DigestFileTest, HashesFileContents) {
  Write(Path("f"), "abc");
  auto d = Sha256File(Path("f"));
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(*d, Sha256Digest("abc"));
}

TEST_F(DigestFileTest, MissingFileIsNotFound) {
  auto d = Sha256File(Path("nope"));
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code(), Code::kNotFound);
}

TEST(DigestTest, ValidatesDigestForm) {
  EXPECT_TRUE(IsValidDigest(Sha256Digest("x")));
  EXPECT_FALSE(IsValidDigest("sha256:abc"));
  EXPECT_FALSE(IsValidDigest("sha512:" + std::string(64, 'a')));
  EXPECT_FALSE(IsValidDigest("sha256:" + std::string(64, 'A')));
}

TEST(DigestTest, ShortIdIsFirstTwelveHex) {
  EXPECT_EQ(ShortId("sha256:0123456789abcdef0123"), "0123456789ab");
}

TEST(DigestTest, ChainIdFollowsTheOciFormula) {
  std::string a = Sha256Digest("layer a"), b = Sha256Digest("layer b");
  EXPECT_EQ(ChainId("", a), a);
  EXPECT_EQ(ChainId(a, b), Sha256Digest(a + " " + b));
  EXPECT_NE(ChainId(a, b), ChainId(b, a));
}

TEST(StatusTest, FromErrnoNamesTheError) {
  Status st = Status::FromErrno("write `x`", ENOSPC);
  EXPECT_EQ(st.code(), Code::kIo);
  EXPECT_EQ(st.os_errno(), ENOSPC);
  EXPECT_EQ(st.message(), "write `x`: No space left on device (ENOSPC)");
  EXPECT_EQ(st.WithContext("copy-up").message(),
            "copy-up: write `x`: No space left on device (ENOSPC)");
}

}  // namespace
}  // namespace layerlab
