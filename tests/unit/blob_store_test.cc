// The blob store: content addressing, atomic writes, verification on read.
#include "layerlab/blob_store.h"

#include <filesystem>

#include "test_util.h"

namespace layerlab {
namespace {

class BlobStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::make_unique<BlobStore>(dir_, Tracer(&sink_));
    ASSERT_OK(store_->Init());
  }
  size_t TmpEntries() const {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_ + "/tmp")) ++n;
    return n;
  }
  RecordingSink sink_;
  std::unique_ptr<BlobStore> store_;
};

TEST_F(BlobStoreTest, PutStoresUnderItsDigestAndGetReturnsIt) {
  auto d = store_->Put("hello");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, Sha256Digest("hello"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/blobs/sha256/" + DigestHex(*d)));
  auto back = store_->Get(*d);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, "hello");
  EXPECT_EQ(TmpEntries(), 0u);
}

TEST_F(BlobStoreTest, CorruptedBlobIsDetectedOnRead) {
  std::string d = *store_->Put("hello");
  Write(store_->PathOf(d), "jello");
  auto back = store_->Get(d);
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().code(), Code::kCorrupt);
  EXPECT_EQ(back.error().message(),
            "blob " + d + " is corrupt: its content hashes to " + Sha256Digest("jello"));
  EXPECT_EQ(store_->Verify(d).code(), Code::kCorrupt);
}

TEST_F(BlobStoreTest, MissingBlobIsNotFound) {
  auto back = store_->Get(Sha256Digest("never stored"));
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().code(), Code::kNotFound);
}

TEST_F(BlobStoreTest, UncommittedWriterLeavesNothing) {
  {
    auto w = store_->NewWriter();
    ASSERT_TRUE(w.has_value());
    ASSERT_OK((*w)->Write("partial"));
    EXPECT_EQ(TmpEntries(), 1u);
  }
  EXPECT_EQ(TmpEntries(), 0u);
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(BlobStoreTest, CommitWithWrongExpectedDigestStoresNothing) {
  auto w = std::move(*store_->NewWriter());
  ASSERT_OK(w->Write("abc"));
  auto r = w->Commit(Sha256Digest("something else"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kCorrupt);
  w.reset();
  EXPECT_TRUE(store_->List()->empty());
  EXPECT_EQ(TmpEntries(), 0u);
}

TEST_F(BlobStoreTest, SameContentIsStoredOnce) {
  std::string a = *store_->Put("same");
  std::string b = *store_->Put("same");
  EXPECT_EQ(a, b);
  EXPECT_EQ(store_->List()->size(), 1u);
  ASSERT_EQ(sink_.Kinds(), (std::vector<TraceKind>{TraceKind::kBlobWritten,
                                                    TraceKind::kBlobExists}));
  EXPECT_EQ(sink_.events[0].bytes, 4);
  EXPECT_EQ(TmpEntries(), 0u);
}

TEST_F(BlobStoreTest, RemoveDeletesAndListSorts) {
  std::string a = *store_->Put("a"), b = *store_->Put("b");
  auto list = *store_->List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_LT(list[0], list[1]);
  ASSERT_OK(store_->Remove(a));
  EXPECT_FALSE(store_->Exists(a));
  EXPECT_TRUE(store_->Exists(b));
}

TEST_F(BlobStoreTest, WriteFileAtomicReplacesWholeFile) {
  ASSERT_OK(WriteFileAtomic(dir_ + "/tmp", Path("f"), "one"));
  ASSERT_OK(WriteFileAtomic(dir_ + "/tmp", Path("f"), "two"));
  EXPECT_EQ(Read(Path("f")), "two");
  EXPECT_EQ(TmpEntries(), 0u);
}

TEST_F(BlobStoreTest, MakeDirsCreatesMissingParentsAndRefusesAFileInTheWay) {
  ASSERT_OK(MakeDirs(Path("a/b/c/")));
  ASSERT_OK(MakeDirs(Path("a/b/c")));  // already there
  EXPECT_TRUE(std::filesystem::is_directory(Path("a/b/c")));
  Write(Path("a/file"), "x");
  Status st = MakeDirs(Path("a/file"));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("a/file"), std::string::npos) << st.message();
  EXPECT_FALSE(MakeDirs(Path("a/file/sub")).ok());
}

}  // namespace
}  // namespace layerlab
