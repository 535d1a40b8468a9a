// The store: committing images with shared layers, tags, deletion that frees only unshared
// layers, and `system check` (corrupt, missing, orphan files).
#include "layerlab/store.h"

#include <unistd.h>

#include <filesystem>

#include "layerlab/image_config.h"
#include "layerlab/layer_tar.h"
#include "test_util.h"

namespace layerlab {
namespace {

class StoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto s = Store::Open(dir_, Tracer(&sink_));
    ASSERT_TRUE(s.has_value()) << s.error().message();
    store_ = std::move(*s);
    sink_.events.clear();
  }

  NewLayer Layer(const std::string& content) {
    TarEntry e;
    e.path = "f";
    e.content = content;
    auto w = WriteLayerTar(store_->blobs(), {e});
    EXPECT_TRUE(w.has_value());
    return {w->diff_id, w->size, w->tar_size};
  }

  // Commits an image over the given layers; `salt` makes distinct configs.
  ImageRecord Commit(const std::vector<NewLayer>& layers, const std::string& salt,
                     const std::vector<std::string>& tags = {}) {
    ImageConfig cfg;
    cfg.created = "2026-01-01T00:00:00Z";
    for (const auto& l : layers) cfg.diff_ids.push_back(l.diff_id);
    cfg.history.push_back({cfg.created, salt, {}, {}, false});
    std::string cj = ConfigToJson(cfg);
    NewImage ni;
    ni.config_digest = *store_->blobs().Put(cj);
    std::vector<ManifestLayer> ml;
    for (const auto& l : layers) ml.push_back({l.diff_id, l.tar_size});
    ni.manifest_digest = *store_->blobs().Put(ManifestToJson(ni.config_digest, 1, ml));
    ni.layers = layers;
    for (const auto& t : tags) ni.tags.push_back(*ParseNormalizedTagged(t).ref);
    auto r = store_->CommitImage(ni);
    EXPECT_TRUE(r.has_value()) << r.error().message();
    return *r;
  }

  RecordingSink sink_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, ImagesOnTheSameBaseShareItsLayer) {
  NewLayer base = Layer("base"), top1 = Layer("one"), top2 = Layer("two");
  ImageRecord a = Commit({base, top1}, "a", {"a"});
  sink_.events.clear();
  ImageRecord b = Commit({base, top2}, "b", {"b"});
  ASSERT_EQ(a.layers.size(), 2u);
  EXPECT_EQ(a.layers[0].chain_id, b.layers[0].chain_id);
  EXPECT_NE(a.layers[1].chain_id, b.layers[1].chain_id);
  EXPECT_EQ(a.layers[1].chain_id, ChainId(base.diff_id, top1.diff_id));
  EXPECT_EQ(a.size, base.size + top1.size);
  // The second commit wrote config+manifest blobs, shared the base, created the top.
  std::vector<TraceKind> kinds;
  for (const auto& e : sink_.events) {
    if (e.kind != TraceKind::kBlobWritten) kinds.push_back(e.kind);
  }
  EXPECT_EQ(kinds, (std::vector<TraceKind>{TraceKind::kLayerShared, TraceKind::kLayerCreated,
                                           TraceKind::kImageCreated, TraceKind::kTagAdded}));
}

TEST_F(StoreTest, DeletingAnImageFreesOnlyLayersNoOtherImageUses) {
  NewLayer base = Layer("base"), top1 = Layer("one"), top2 = Layer("two");
  ImageRecord a = Commit({base, top1}, "a");
  ImageRecord b = Commit({base, top2}, "b");
  sink_.events.clear();
  auto rep = store_->DeleteImage(a.id);
  ASSERT_TRUE(rep.has_value()) << rep.error().message();
  EXPECT_EQ(rep->deleted_layers, (std::vector<std::string>{a.layers[1].chain_id}));
  EXPECT_EQ(rep->kept_layers, (std::vector<std::string>{a.layers[0].chain_id}));
  EXPECT_FALSE(store_->blobs().Exists(top1.diff_id));
  EXPECT_FALSE(store_->blobs().Exists(a.id));
  EXPECT_TRUE(store_->blobs().Exists(base.diff_id));
  EXPECT_EQ(sink_.Kinds(), (std::vector<TraceKind>{TraceKind::kImageDeleted,
                                                    TraceKind::kLayerFreed,
                                                    TraceKind::kLayerKept}));
  EXPECT_EQ(sink_.events[2].why, "image " + ShortId(b.id) + " still uses it");
  EXPECT_TRUE(store_->Check(false)->clean());
}

TEST_F(StoreTest, TagMovesToTheNewImage) {
  NewLayer l = Layer("x");
  ImageRecord a = Commit({l}, "a", {"app:v1"});
  sink_.events.clear();
  ImageRecord b = Commit({l}, "b", {"app:v1"});
  EXPECT_EQ(*store_->LookupTag("docker.io/library/app:v1"), b.id);
  EXPECT_TRUE(store_->GetImage(a.id)->value().tags.empty());
  EXPECT_EQ(sink_.events.back().kind, TraceKind::kTagMoved);
  EXPECT_EQ(sink_.events.back().subject, "app:v1");
}

TEST_F(StoreTest, ImageWithATagCannotBeDeleted) {
  ImageRecord a = Commit({Layer("x")}, "a", {"app"});
  auto rep = store_->DeleteImage(a.id);
  ASSERT_FALSE(rep.has_value());
  EXPECT_EQ(rep.error().code(), Code::kConflict);
  EXPECT_TRUE(store_->blobs().Exists(a.id));
}

TEST_F(StoreTest, CommitRefusesARowWithoutItsBlobs) {
  NewImage ni;
  ni.config_digest = Sha256Digest("not stored");
  ni.manifest_digest = Sha256Digest("not stored either");
  auto r = store_->CommitImage(ni);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(store_->ListImages()->empty());
}

TEST_F(StoreTest, CheckFindsCorruptMissingAndOrphanFiles) {
  ImageRecord a = Commit({Layer("x")}, "a", {"app"});
  EXPECT_TRUE(store_->Check(false)->clean());
  // Orphans: a blob no row names, and a staging file of a process that is gone.
  std::string orphan = *store_->blobs().Put("nobody refers to me");
  Write(dir_ + "/tmp/999999999.dead.blob", "half");
  // Corrupt: a layer blob overwritten.
  Write(store_->blobs().PathOf(a.layers[0].diff_id), "garbage");
  // Missing: the manifest blob removed under the row.
  std::filesystem::remove(store_->blobs().PathOf(a.manifest_digest));
  auto rep = store_->Check(false);
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->orphans.size(), 2u);
  ASSERT_EQ(rep->corrupt.size(), 1u);
  EXPECT_NE(rep->corrupt[0].find(a.layers[0].diff_id), std::string::npos);
  ASSERT_EQ(rep->missing.size(), 1u);
  EXPECT_NE(rep->missing[0].find(a.manifest_digest), std::string::npos);
  EXPECT_TRUE(store_->blobs().Exists(orphan));

  auto fixed = store_->Check(true);
  EXPECT_EQ(fixed->removed.size(), 2u);
  EXPECT_FALSE(store_->blobs().Exists(orphan));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/tmp/999999999.dead.blob"));
  auto again = store_->Check(false);
  EXPECT_TRUE(again->orphans.empty());
  EXPECT_EQ(again->corrupt.size(), 1u);  // repair never deletes data a row names
}

TEST_F(StoreTest, CheckLeavesALiveWritersStagingFileAlone) {
  auto w = std::move(*store_->blobs().NewWriter());
  ASSERT_OK(w->Write("in progress"));
  EXPECT_TRUE(store_->Check(false)->orphans.empty());
}

TEST(StoreRootTest, DefaultRootFollowsEnvironment) {
  std::string home = getenv("HOME") ? getenv("HOME") : "";
  setenv("LAYERLAB_ROOT", "/x/root", 1);
  EXPECT_EQ(DefaultStoreRoot(), "/x/root");
  unsetenv("LAYERLAB_ROOT");
  setenv("XDG_DATA_HOME", "/x/data", 1);
  EXPECT_EQ(DefaultStoreRoot(), "/x/data/layerlab");
  unsetenv("XDG_DATA_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultStoreRoot(), "/home/u/.local/share/layerlab");
  setenv("HOME", home.c_str(), 1);
}

}  // namespace
}  // namespace layerlab
