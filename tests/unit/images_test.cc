// Image operations through the public API: the busybox base image, name resolution, rmi rules,
// prune, import safety.
#include "layerlab/images.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>

#include "layerlab/layer_tar.h"
#include "test_util.h"

namespace layerlab {
namespace {

class ImagesTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::move(*Store::Open(Path("root"), Tracer(&sink_)));
    images_ = std::make_unique<Images>(store_.get());
    ASSERT_OK(images_->EnsureBaseImage());
  }
  // A tar with the given entries, written by libarchive (so unsafe names can be made).
  std::string MakeTar(const std::string& name,
                      const std::vector<std::pair<std::string, std::string>>& files) {
    std::string path = Path(name);
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, path.c_str());
    for (const auto& [p, c] : files) {
      struct archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, p.c_str());
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(c.size()));
      archive_write_header(a, e);
      archive_write_data(a, c.data(), c.size());
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
  }
  RecordingSink sink_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Images> images_;
};

TEST_F(ImagesTest, FreshStoreHoldsBusyboxWithOneLayerAndShCmd) {
  auto img = images_->Get("busybox");
  ASSERT_TRUE(img.has_value()) << img.error().message();
  ASSERT_EQ(img->layers.size(), 1u);
  EXPECT_EQ(img->id, Sha256Digest(*store_->blobs().Get(img->id)));
  auto cfg = images_->ConfigOf(img->id);
  ASSERT_TRUE(cfg.has_value());
  EXPECT_EQ(*cfg->cmd, (std::vector<std::string>{"sh"}));
  EXPECT_EQ(cfg->diff_ids, (std::vector<std::string>{img->layers[0].diff_id}));
  ASSERT_EQ(cfg->history.size(), 2u);
  EXPECT_TRUE(cfg->history[1].empty_layer);
  // Size counts the busybox binary once, though every applet is a hard link to it.
  auto bb = std::filesystem::file_size("/bin/busybox");
  EXPECT_GT(img->size, static_cast<int64_t>(bb));
  EXPECT_LT(img->size, static_cast<int64_t>(bb) + 4096);
}

TEST_F(ImagesTest, BaseImageLayerHoldsAppletsAsHardLinksAndMountPoints) {
  auto img = *images_->Get("busybox");
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  ASSERT_EQ(archive_read_open_filename(a, store_->blobs().PathOf(img.layers[0].diff_id).c_str(),
                                       10240),
            ARCHIVE_OK);
  std::map<std::string, std::string> hardlinks;
  std::set<std::string> names;
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    names.insert(archive_entry_pathname(e));
    if (archive_entry_hardlink(e)) hardlinks[archive_entry_pathname(e)] = archive_entry_hardlink(e);
    EXPECT_EQ(archive_entry_uid(e), 0);
  }
  archive_read_free(a);
  for (const char* d : {"proc/", "dev/", "sys/", "tmp/", "root/", "home/", "var/"}) {
    EXPECT_TRUE(names.count(d)) << d;
  }
  EXPECT_TRUE(names.count("etc/passwd"));
  EXPECT_TRUE(names.count("etc/group"));
  EXPECT_EQ(hardlinks["bin/sh"], "bin/busybox");
  EXPECT_EQ(hardlinks["bin/ls"], "bin/busybox");
}

TEST_F(ImagesTest, SameHostBinaryGivesTheSameImageIdInAnotherStore) {
  auto other = std::move(*Store::Open(Path("other"), Tracer()));
  Images other_images(other.get());
  ASSERT_OK(other_images.EnsureBaseImage());
  EXPECT_EQ(*images_->Resolve("busybox"), *other_images.Resolve("busybox:latest"));
}

TEST_F(ImagesTest, BaseImageIsSeededOnlyOnce) {
  auto records = images_->Remove("busybox", false);
  ASSERT_TRUE(records.has_value()) << records.error().message();
  ASSERT_OK(images_->EnsureBaseImage());
  EXPECT_TRUE(store_->ListImages()->empty());
}

TEST_F(ImagesTest, MissingBusyboxIsAClearError) {
  auto other = std::move(*Store::Open(Path("other"), Tracer()));
  Images other_images(other.get());
  Status st = other_images.EnsureBaseImage({Path("no-busybox")});
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_NE(st.message().find("install Debian's busybox-static"), std::string::npos);
  EXPECT_TRUE(other->ListImages()->empty());
}

TEST_F(ImagesTest, ResolvesNamesShortIdsAndFullIds) {
  std::string id = *images_->Resolve("busybox");
  EXPECT_EQ(*images_->Resolve("docker.io/library/busybox:latest"), id);
  EXPECT_EQ(*images_->Resolve(ShortId(id)), id);
  EXPECT_EQ(*images_->Resolve(DigestHex(id)), id);
  EXPECT_EQ(*images_->Resolve(id), id);
  auto missing = images_->Resolve("nosuch");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), "No such image: nosuch:latest");
  auto bad = images_->Resolve("Bad/Name:x");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

TEST_F(ImagesTest, RmiOfOneOfTwoTagsOnlyUntags) {
  ASSERT_OK(images_->Tag("busybox", "mine:v1"));
  auto recs = images_->Remove("mine:v1", false);
  ASSERT_TRUE(recs.has_value());
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].kind, RemoveRecord::Kind::kUntagged);
  EXPECT_EQ((*recs)[0].what, "mine:v1");
  EXPECT_TRUE(images_->Resolve("busybox").has_value());
}

TEST_F(ImagesTest, RmiByIdOfImageWithTwoTagsNeedsForce) {
  ASSERT_OK(images_->Tag("busybox", "mine:v1"));
  std::string id = *images_->Resolve("busybox");
  auto refused = images_->Remove(ShortId(id), false);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message(),
            "conflict: unable to delete " + ShortId(id) +
                " (must be forced) - image is referenced in multiple repositories");
  auto forced = images_->Remove(ShortId(id), true);
  ASSERT_TRUE(forced.has_value()) << forced.error().message();
  EXPECT_TRUE(store_->ListImages()->empty());
  EXPECT_TRUE(store_->Check(false)->clean());
}

TEST_F(ImagesTest, TagToAnInvalidNameIsRefusedWithDockersMessage) {
  Status st = images_->Tag("busybox", "Foo");
  EXPECT_EQ(st.message(),
            "Error parsing reference: \"Foo\" is not a valid repository/tag: invalid reference "
            "format: repository name (library/Foo) must be lowercase");
}

TEST_F(ImagesTest, ImportRefusesEntriesThatClimbOutOfTheRoot) {
  for (const std::string bad : {"../evil", "a/../../evil", "/etc/evil"}) {
    std::string tar = MakeTar("bad.tar", {{"ok", "fine"}, {bad, "x"}});
    auto r = images_->Import(tar, "bad:v1", "");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("entry `" + bad + "`"), std::string::npos)
        << r.error().message();
    EXPECT_EQ(store_->ListImages()->size(), 1u);
    auto check = store_->Check(false);
    EXPECT_TRUE(check->clean()) << bad;
  }
}

TEST_F(ImagesTest, ImportMakesAOneLayerImageWithDockerSize) {
  std::string tar = MakeTar("ok.tar", {{"./app/a.txt", "hello"}, {"app/b.txt", "world!"}});
  auto id = images_->Import(tar, "app:v1", "");
  ASSERT_TRUE(id.has_value()) << id.error().message();
  auto img = *images_->Get("app:v1");
  EXPECT_EQ(img.id, *id);
  ASSERT_EQ(img.layers.size(), 1u);
  EXPECT_EQ(img.size, 11);
  auto hist = *images_->History("app:v1");
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_EQ(hist[0].comment, "Imported from " + tar);
  EXPECT_EQ(hist[0].image_id, *id);
}

TEST_F(ImagesTest, PruneRemovesDanglingImagesOnly) {
  std::string tar = MakeTar("ok.tar", {{"f", "1"}});
  ASSERT_TRUE(images_->Import(tar, "app:v1", "first").has_value());
  ASSERT_TRUE(images_->Import(tar, "app:v1", "second").has_value());  // first becomes <none>
  auto rep = images_->Prune(false);
  ASSERT_TRUE(rep.has_value());
  ASSERT_EQ(rep->records.size(), 1u);  // the image; its layer is shared with app:v1
  EXPECT_EQ(rep->reclaimed, 0);
  EXPECT_EQ(store_->ListImages()->size(), 2u);
  auto all = images_->Prune(true);
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(store_->ListImages()->empty());
  EXPECT_GT(all->reclaimed, 1000000);
  EXPECT_TRUE(store_->Check(false)->clean());
}

}  // namespace
}  // namespace layerlab
