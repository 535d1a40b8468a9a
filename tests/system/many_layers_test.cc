// Deep images: overlay must mount 100+ layers (past the 4095-byte limit of legacy mount options)
// and refuse, with a clear message, a stack past the kernel's 500-layer limit.
#include <filesystem>
#include <fstream>

#include "layerlab/containers.h"
#include "layerlab/layer_tar.h"
#include "test_util.h"

namespace layerlab {
namespace {

class SystemManyLayersTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::move(*Store::Open(Path("root"), Tracer()));
    images_ = std::make_unique<Images>(store_.get());
  }
  // An image of `n` layers, layer i adding /layers/fI.
  std::string DeepImage(int n, const std::string& tag) {
    ImageConfig cfg;
    cfg.created = "2026-01-01T00:00:00Z";
    cfg.cmd = std::vector<std::string>{"sh"};
    std::vector<NewLayer> layers;
    for (int i = 0; i < n; ++i) {
      TarEntry e;
      e.path = "layers/f" + std::to_string(i);
      e.content = std::to_string(i);
      auto w = WriteLayerTar(store_->blobs(), {e});
      EXPECT_TRUE(w.has_value());
      layers.push_back({w->diff_id, w->size, w->tar_size});
      cfg.diff_ids.push_back(w->diff_id);
      cfg.history.push_back({cfg.created, "layer " + std::to_string(i), {}, {}, false});
    }
    auto img = images_->CommitConfig(cfg, layers, {*ParseTaggedName(tag)}, "");
    EXPECT_TRUE(img.has_value()) << img.error().message();
    return img->id;
  }
  std::unique_ptr<Store> store_;
  std::unique_ptr<Images> images_;
};

TEST_F(SystemManyLayersTest, OverlayMountsAnImageWith120Layers) {
  DeepImage(120, "deep:v1");
  Containers containers(store_.get(), images_.get(), StorageDriver::kOverlay);
  auto c = containers.Create("deep:v1", "deep", {});
  ASSERT_TRUE(c.has_value()) << c.error().message();
  std::string seen;
  Status st = containers.Mutate(*c, [&](const std::string& root) -> Status {
    // Every layer is visible through the one mount.
    int n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(root + "/layers")) ++n;
    std::ofstream(root + "/layers/count") << n;
    return Status::Ok();
  });
  if (!st.ok() && st.message().find("namespace") != std::string::npos) {
    GTEST_SKIP() << st.message();
  }
  ASSERT_OK(st);
  std::ifstream in(containers.WritableDir(*c) + "/layers/count");
  in >> seen;
  EXPECT_EQ(seen, "120");
}

TEST_F(SystemManyLayersTest, MoreThan500LayersIsRefusedWithAClearMessage) {
  DeepImage(501, "toodeep:v1");
  Containers containers(store_.get(), images_.get(), StorageDriver::kOverlay);
  auto c = containers.Create("toodeep:v1", "deep", {});
  ASSERT_TRUE(c.has_value()) << c.error().message();
  Status st = containers.Mutate(*c, [](const std::string&) { return Status::Ok(); });
  EXPECT_EQ(st.code(), Code::kUnsupported) << st.message();
  EXPECT_EQ(st.message(),
            "this union needs 502 lower layers (the image's and the container's init layer) but "
            "overlayfs stacks at most 500: squash the image (commit a container of it) or use "
            "--storage-driver copy");
  // The copy driver has no such limit.
  Containers copies(store_.get(), images_.get(), StorageDriver::kCopy);
  auto cc = copies.Create("toodeep:v1", "flat", {});
  ASSERT_TRUE(cc.has_value()) << cc.error().message();
  EXPECT_TRUE(std::filesystem::exists(copies.WritableDir(*cc) + "/layers/f500"));
}

}  // namespace
}  // namespace layerlab
