// Real overlayfs mounts in a user + mount namespace: copy-up, whiteouts and opaque dirs observed
// through our change detection, and the exact copy-up report.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "layerlab/layer_fs.h"
#include "layerlab/namespaces.h"
#include "test_util.h"

namespace layerlab {
namespace {

class SystemOverlayTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    blobs_ = std::make_unique<BlobStore>(Path("store"), Tracer());
    ASSERT_OK(blobs_->Init());
    for (const char* d : {"upper", "work", "merged"}) std::filesystem::create_directories(Path(d));
  }
  // Writes the entries as a layer tar, unpacks it (overlay form) into Path(name).
  std::string Layer(const std::string& name, std::vector<TarEntry> entries) {
    auto w = WriteLayerTar(*blobs_, std::move(entries));
    EXPECT_TRUE(w.has_value());
    std::string dir = Path(name);
    std::filesystem::create_directories(dir);
    auto st = UnpackLayer(blobs_->PathOf(w->diff_id), dir, {});
    EXPECT_TRUE(st.has_value()) << st.error().message();
    return dir;
  }
  static TarEntry File(const std::string& path, std::string content, uint32_t mode = 0644) {
    TarEntry e;
    e.path = path;
    e.content = std::move(content);
    e.mode = mode;
    return e;
  }
  static TarEntry Dir(const std::string& path) {
    TarEntry e;
    e.type = TarEntry::Type::kDir;
    e.path = path;
    e.mode = 0755;
    return e;
  }
  // Mounts the union of `lowers` with our upper and runs fn on the merged root.
  Status InUnion(const std::vector<std::string>& lowers,
                 const std::function<Status(const std::string&)>& fn) {
    std::string merged = Path("merged"), upper = Path("upper"), work = Path("work");
    return RunInUserMountNamespace([&]() -> Status {
      LL_RETURN_IF_ERROR(MountOverlay(lowers, upper, work, merged));
      return fn(merged);
    });
  }
  std::unique_ptr<BlobStore> blobs_;
};

std::string Describe(const std::vector<Change>& changes) {
  std::string out;
  for (const auto& c : changes) out += fmt::format("{} /{}\n", ChangeLetter(c.kind), c.path);
  return out;
}

TEST_F(SystemOverlayTest, AppendingOneByteCopiesUpTheWholeLowerFile) {
  std::string l1 = Layer("l1", {Dir("data"), File("data/big", std::string(1 << 20, 'x')),
                                File("data/small", "s"), File("data/gone", "g")});
  std::string l2 = Layer("l2", {Dir("etc"), File("etc/motd", "hello\n")});
  Status st = InUnion({l2, l1}, [](const std::string& m) -> Status {
    std::ofstream(m + "/data/big", std::ios::app) << 'y';
    if (chmod((m + "/data/small").c_str(), 0600) != 0) return Status::FromErrno("chmod", errno);
    if (unlink((m + "/data/gone").c_str()) != 0) return Status::FromErrno("unlink", errno);
    std::ofstream(m + "/etc/new") << "new";
    return Status::Ok();
  });
  if (!st.ok() && st.message().find("namespace") != std::string::npos) {
    GTEST_SKIP() << "the kernel refuses user namespaces here: " << st.message();
  }
  ASSERT_OK(st);
  auto changes = DetectOverlayChanges(Path("upper"), {l2, l1});
  ASSERT_TRUE(changes.has_value());
  EXPECT_EQ(Describe(*changes),
            "C /data\nC /data/big\nD /data/gone\nC /data/small\nC /etc\nA /etc/new\n");
  auto copyups = FindCopyUps(*changes, {l2, l1});
  ASSERT_EQ(copyups.size(), 2u);
  EXPECT_EQ(copyups[0].path, "data/big");
  EXPECT_EQ(copyups[0].bytes, 1048576);
  EXPECT_EQ(copyups[0].layer, 1u);  // from l1, the second lower (top first)
  EXPECT_EQ(copyups[1].path, "data/small");
  EXPECT_EQ(copyups[1].bytes, 1);
  // The lower layers' files are untouched.
  EXPECT_EQ(std::filesystem::file_size(l1 + "/data/big"), 1u << 20);
  EXPECT_TRUE(std::filesystem::exists(l1 + "/data/gone"));
}

TEST_F(SystemOverlayTest, ChangesRoundTripThroughATarOntoTheSameLowers) {
  std::string l1 = Layer("l1", {Dir("a"), File("a/x", "1"), File("a/y", "2"), Dir("b"),
                                File("b/z", "3")});
  ASSERT_OK(InUnion({l1}, [](const std::string& m) -> Status {
    std::filesystem::remove_all(m + "/a");
    std::filesystem::create_directories(m + "/a");  // an opaque dir over the old one
    std::ofstream(m + "/a/new") << "n";
    std::filesystem::remove(m + "/b/z");
    return Status::Ok();
  }));
  auto changes = *DetectOverlayChanges(Path("upper"), {l1});
  EXPECT_EQ(Describe(changes), "C /a\nA /a/new\nD /a/x\nD /a/y\nC /b\nD /b/z\n");
  auto layer = WriteChangesLayer(*blobs_, Path("upper"), changes);
  ASSERT_TRUE(layer.has_value()) << layer.error().message();
  std::string l2 = Path("l2");
  std::filesystem::create_directories(l2);
  auto unpacked = UnpackLayer(blobs_->PathOf(layer->diff_id), l2, {});
  ASSERT_TRUE(unpacked.has_value()) << unpacked.error().message();
  EXPECT_EQ(unpacked->opaque_dirs, 1);
  EXPECT_EQ(unpacked->whiteouts, 1);
  EXPECT_EQ(ListMerged({l2, l1}, "a"), (std::vector<std::string>{"new"}));
  EXPECT_EQ(ListMerged({l2, l1}, "b"), (std::vector<std::string>{}));
  // The same tree gives the same tar.
  auto again = WriteChangesLayer(*blobs_, Path("upper"), changes);
  EXPECT_EQ(again->diff_id, layer->diff_id);
}

}  // namespace
}  // namespace layerlab
