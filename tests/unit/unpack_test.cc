// UnpackLayer against hostile tars (built with libarchive directly, so any entry can be written):
// every refusal names the entry and leaves everything outside the destination untouched. Then
// what a good layer must keep: whiteouts in both modes, modes, owners, times, links, xattrs; and
// WriteLayerTar's determinism, TreeSize, and lookups through a stack of unpacked layers.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "layerlab/layer_fs.h"
#include "layerlab/layer_tar.h"
#include "test_util.h"

namespace layerlab {
namespace {

namespace fs = std::filesystem;

// One tar entry as the hostile writer sees it (nothing is cleaned or checked).
struct Raw {
  std::string path;
  mode_t type = AE_IFREG;
  std::string content;   // regular files
  std::string symlink;   // AE_IFLNK target
  std::string hardlink;  // set: a hard link to this entry name
  uint32_t mode = 0644;
  int64_t uid = 0, gid = 0, mtime = 1600000000;
  unsigned dev_major = 0, dev_minor = 0;
  std::map<std::string, std::string> xattrs;
};

Raw F(std::string path, std::string content = "x") {
  Raw r;
  r.path = std::move(path);
  r.content = std::move(content);
  return r;
}
Raw D(std::string path, uint32_t mode = 0755) {
  Raw r;
  r.path = std::move(path);
  r.type = AE_IFDIR;
  r.mode = mode;
  return r;
}
Raw S(std::string path, std::string target) {
  Raw r;
  r.path = std::move(path);
  r.type = AE_IFLNK;
  r.symlink = std::move(target);
  r.mode = 0777;
  return r;
}
Raw H(std::string path, std::string target) {
  Raw r;
  r.path = std::move(path);
  r.hardlink = std::move(target);
  return r;
}

class UnpackTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(Path("dest"));
    fs::create_directories(Path("tars"));
    Write(Path("outside/secret"), "secret");
    fs::create_directories(Path("outside/dir"));
    Write(Path("sibling"), "sibling file");
  }

  std::string Tar(const std::vector<Raw>& entries) {
    std::string path = Path(fmt::format("tars/t{}.tar", ++tars_));
    struct archive* a = archive_write_new();
    archive_write_set_format_pax(a);
    EXPECT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
    for (const auto& r : entries) {
      struct archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, r.path.c_str());
      archive_entry_set_filetype(e, r.hardlink.empty() ? r.type : AE_IFREG);
      archive_entry_set_perm(e, r.mode);
      archive_entry_set_uid(e, r.uid);
      archive_entry_set_gid(e, r.gid);
      archive_entry_set_mtime(e, r.mtime, 0);
      if (!r.hardlink.empty()) archive_entry_set_hardlink(e, r.hardlink.c_str());
      if (r.type == AE_IFLNK) archive_entry_set_symlink(e, r.symlink.c_str());
      if (r.type == AE_IFCHR || r.type == AE_IFBLK) {
        archive_entry_set_rdevmajor(e, r.dev_major);
        archive_entry_set_rdevminor(e, r.dev_minor);
      }
      bool data = r.type == AE_IFREG && r.hardlink.empty();
      archive_entry_set_size(e, data ? static_cast<la_int64_t>(r.content.size()) : 0);
      for (const auto& [k, v] : r.xattrs) {
        archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
      }
      EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << r.path << archive_error_string(a);
      if (data && !r.content.empty()) archive_write_data(a, r.content.data(), r.content.size());
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
  }
  Result<UnpackStats> Unpack(const std::vector<Raw>& entries, UnpackOptions opts = {},
                             const std::string& dest_name = "dest") {
    return UnpackLayer(Tar(entries), Path(dest_name), opts);
  }

  // Everything in the temp dir except the destination and the tars: path, type, mode, content.
  std::map<std::string, std::string> Outside() const {
    std::map<std::string, std::string> out;
    for (auto it = fs::recursive_directory_iterator(dir_); it != fs::recursive_directory_iterator();
         ++it) {
      std::string rel = fs::relative(it->path(), dir_).string();
      if (rel == "dest" || rel == "tars" || rel.rfind("dest/", 0) == 0 ||
          rel.rfind("tars/", 0) == 0) {
        if (it->is_directory() && !it->is_symlink()) it.disable_recursion_pending();
        continue;
      }
      struct stat st;
      lstat(it->path().c_str(), &st);
      std::string desc = std::to_string(st.st_mode) + ":" + std::to_string(st.st_nlink);
      if (S_ISREG(st.st_mode)) desc += ":" + Read(it->path());
      out[rel] = desc;
    }
    return out;
  }

  // Unpacks, expects a refusal naming `entry`, and that nothing outside `dest` changed.
  void ExpectRefused(const std::vector<Raw>& entries, const std::string& entry,
                     UnpackOptions opts = {}) {
    auto before = Outside();
    auto r = Unpack(entries, opts);
    ASSERT_FALSE(r.has_value()) << "unpacking a tar with `" << entry << "` succeeded";
    EXPECT_NE(r.error().message().find("entry `" + entry + "`"), std::string::npos)
        << r.error().message();
    EXPECT_EQ(Outside(), before) << "something outside the destination changed";
    EXPECT_FALSE(fs::exists(Path("evil")));
    EXPECT_FALSE(fs::exists(Path("outside/evil")));
    EXPECT_FALSE(fs::exists(Path("outside/dir/file")));
    EXPECT_EQ(Read(Path("outside/secret")), "secret");
  }

  static struct stat Lstat(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
    return st;
  }
  static std::string Xattr(const std::string& p, const std::string& name) {
    char buf[256];
    ssize_t n = lgetxattr(p.c_str(), name.c_str(), buf, sizeof buf);
    return n < 0 ? "<none>" : std::string(buf, static_cast<size_t>(n));
  }
  int tars_ = 0;
};

// --- refusals ---------------------------------------------------------------------------------

TEST_F(UnpackTest, RefusesDotDotEntry) {
  ExpectRefused({F("ok"), F("../evil", "pwned")}, "../evil");
}

TEST_F(UnpackTest, RefusesDotDotInTheMiddle) {
  ExpectRefused({D("a"), F("a/../../evil", "pwned")}, "a/../../evil");
}

TEST_F(UnpackTest, RefusesAbsolutePath) {
  ExpectRefused({F("/etc/evil", "pwned")}, "/etc/evil");
  EXPECT_FALSE(fs::exists("/etc/evil"));
  ExpectRefused({F(Path("outside/evil"), "pwned")}, Path("outside/evil"));
}

TEST_F(UnpackTest, RefusesWritingThroughAnAbsoluteSymlink) {
  ExpectRefused({S("link", Path("outside/dir")), F("link/file", "pwned")}, "link/file");
  EXPECT_TRUE(fs::is_empty(Path("outside/dir")));
}

TEST_F(UnpackTest, RefusesWritingThroughARelativeSymlink) {
  ExpectRefused({S("link", "../outside/dir"), F("link/file", "pwned")}, "link/file");
  ExpectRefused({D("sub"), S("sub/up", "../.."), F("sub/up/evil", "pwned")}, "sub/up/evil");
  EXPECT_TRUE(fs::is_empty(Path("outside/dir")));
}

TEST_F(UnpackTest, RefusesADirectoryAndAWhiteoutThroughASymlink) {
  ExpectRefused({S("link", "../outside/dir"), D("link/newdir")}, "link/newdir/");  // tar spelling
  ExpectRefused({S("l2", "../outside"), F("l2/.wh.secret", "")}, "l2/.wh.secret");
  ExpectRefused({S("l3", "../outside"), F("l3/.wh..wh..opq", "")}, "l3/.wh..wh..opq",
                {.mode = WhiteoutMode::kApply});
}

TEST_F(UnpackTest, RefusesHardLinkToOutside) {
  ExpectRefused({H("hl", "../outside/secret")}, "hl");
  ExpectRefused({H("hl", Path("outside/secret"))}, "hl");
  EXPECT_EQ(Lstat(Path("outside/secret")).st_nlink, 1u);
}

TEST_F(UnpackTest, RefusesHardLinkThroughASymlink) {
  ExpectRefused({S("sl", "../outside"), H("hl", "sl/secret")}, "hl");
  ExpectRefused({S("abs", Path("outside")), H("hl2", "abs/secret")}, "hl2");
  EXPECT_EQ(Lstat(Path("outside/secret")).st_nlink, 1u);
}

TEST_F(UnpackTest, HardLinkToASymlinkLinksTheSymlinkNotItsTarget) {
  auto r = Unpack({S("sl", "../outside/secret"), H("hl", "sl")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(S_ISLNK(Lstat(Path("dest/hl")).st_mode));
  EXPECT_EQ(Lstat(Path("outside/secret")).st_nlink, 1u);
}

TEST_F(UnpackTest, ReplacingASymlinkDoesNotWriteThroughIt) {
  auto before = Outside();
  auto r = Unpack({S("evil", "../outside/secret"), F("evil", "pwned"), S("d", "../outside/dir"),
                   D("d"), F("d/x", "in")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(Outside(), before);
  EXPECT_TRUE(S_ISREG(Lstat(Path("dest/evil")).st_mode));
  EXPECT_EQ(Read(Path("dest/evil")), "pwned");
  EXPECT_TRUE(S_ISDIR(Lstat(Path("dest/d")).st_mode));
  EXPECT_EQ(Read(Path("dest/d/x")), "in");
}

TEST_F(UnpackTest, RefusesDeviceNodesByDefault) {
  Raw dev;
  dev.path = "dev/null";
  dev.type = AE_IFCHR;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  dev.mode = 0666;
  ExpectRefused({D("dev"), dev}, "dev/null");
  EXPECT_FALSE(fs::exists(Path("dest/dev/null")));
  if (geteuid() != 0) GTEST_SKIP() << "allow_devices needs root to mknod";
  fs::remove_all(Path("dest"));
  fs::create_directories(Path("dest"));
  auto r = Unpack({D("dev"), dev}, {.allow_devices = true});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  struct stat st = Lstat(Path("dest/dev/null"));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 1u);
  EXPECT_EQ(minor(st.st_rdev), 3u);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
}

TEST_F(UnpackTest, WhiteoutOfDotDotDoesNotRemoveTheParent) {
  for (WhiteoutMode mode : {WhiteoutMode::kOverlay, WhiteoutMode::kApply}) {
    for (const char* wh : {"sub/.wh...", "sub/.wh..", "sub/.wh.", ".wh..."}) {
      SCOPED_TRACE(wh);
      fs::remove_all(Path("dest"));
      fs::create_directories(Path("dest"));
      auto before = Outside();
      auto r = Unpack({D("sub"), F("sub/keep", "k"), F(wh, "")}, {.mode = mode});
      ASSERT_FALSE(r.has_value());
      EXPECT_NE(r.error().message().find(std::string("entry `") + wh + "`"), std::string::npos)
          << r.error().message();
      EXPECT_EQ(Read(Path("dest/sub/keep")), "k");
      EXPECT_EQ(Outside(), before);
    }
  }
}

// --- whiteouts ----------------------------------------------------------------------------------

TEST_F(UnpackTest, OverlayModeWhiteoutIsACharDevice00) {
  auto r = Unpack({D("etc"), F("etc/.wh.passwd", ""), F(".wh.gone", "")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->whiteouts, 2);
  for (const char* p : {"dest/etc/passwd", "dest/gone"}) {
    struct stat st = Lstat(Path(p));
    if (geteuid() == 0) {
      EXPECT_TRUE(S_ISCHR(st.st_mode)) << p;
      EXPECT_EQ(st.st_rdev, makedev(0, 0)) << p;
    } else {  // the xattr form is allowed where mknod is refused
      EXPECT_TRUE(S_ISCHR(st.st_mode) || Xattr(Path(p), "user.overlay.whiteout") == "y") << p;
    }
  }
  EXPECT_FALSE(fs::exists(Path("dest/etc/.wh.passwd")));
  EXPECT_FALSE(fs::exists(Path("dest/.wh.gone")));
}

TEST_F(UnpackTest, OverlayModeOpaqueMarkerSetsTheXattr) {
  auto r = Unpack({D("d"), F("d/.wh..wh..opq", ""), F("d/x", "x"), D("plain")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->opaque_dirs, 1);
  EXPECT_EQ(Xattr(Path("dest/d"), "user.overlay.opaque"), "y");
  EXPECT_EQ(Xattr(Path("dest/plain"), "user.overlay.opaque"), "<none>");
  EXPECT_FALSE(fs::exists(Path("dest/d/.wh..wh..opq")));
  EXPECT_EQ(Read(Path("dest/d/x")), "x");
}

TEST_F(UnpackTest, ApplyModeWhiteoutDeletesWhatItNames) {
  UnpackOptions apply{.mode = WhiteoutMode::kApply};
  ASSERT_TRUE(
      Unpack({D("a"), F("a/x", "1"), F("a/y", "2"), D("b"), F("b/z", "3"), F("c", "4")}, apply)
          .has_value());
  auto r = Unpack({D("a"), F("a/.wh.x", ""), F(".wh.b", ""), F(".wh.nothing", "")}, apply);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_FALSE(fs::exists(Path("dest/a/x")));
  EXPECT_EQ(Read(Path("dest/a/y")), "2");
  EXPECT_FALSE(fs::exists(Path("dest/b")));
  EXPECT_EQ(Read(Path("dest/c")), "4");
  EXPECT_FALSE(fs::exists(Path("dest/a/.wh.x")));
  EXPECT_FALSE(fs::exists(Path("dest/.wh.b")));
  EXPECT_FALSE(fs::exists(Path("dest/nothing")));
}

TEST_F(UnpackTest, ApplyModeOpaqueEmptiesLowerEntriesButKeepsThisLayers) {
  UnpackOptions apply{.mode = WhiteoutMode::kApply};
  ASSERT_TRUE(Unpack({D("d"), F("d/old1"), D("d/olddir"), F("d/olddir/f"), F("d/-old")}, apply)
                  .has_value());
  // "-" sorts before ".", so d/-new and d/-dir come before the marker in the tar.
  auto r = Unpack({D("d"), F("d/-new", "n"), D("d/-dir"), F("d/-dir/f", "f"),
                   F("d/.wh..wh..opq", ""), F("d/new", "m")},
                  apply);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  std::vector<std::string> names;
  for (auto& e : fs::directory_iterator(Path("dest/d"))) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"-dir", "-new", "new"}));
  EXPECT_EQ(Read(Path("dest/d/-dir/f")), "f");
  EXPECT_EQ(Xattr(Path("dest/d"), "user.overlay.opaque"), "<none>");
}

// Regression (fixed in 84e8c30, found by SystemOverlayDiffTest): the opaque marker emptied the dir
// only one level deep, so a subdir this layer also wrote (`d/-dir`, before the marker since "-"
// sorts before ".") kept the lower layer's files. The kernel shows only this layer's d/-dir.
TEST_F(UnpackTest, ApplyModeOpaqueHidesLowerFilesInSubdirsThisLayerAlsoHas) {
  UnpackOptions apply{.mode = WhiteoutMode::kApply};
  ASSERT_TRUE(
      Unpack({D("d"), D("d/-dir"), F("d/-dir/lower"), D("d/-dir/deep"), F("d/-dir/deep/x")}, apply)
          .has_value());
  auto r = Unpack({D("d"), D("d/-dir"), F("d/-dir/mine", "m"), F("d/.wh..wh..opq", "")}, apply);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(Read(Path("dest/d/-dir/mine")), "m");
  EXPECT_FALSE(fs::exists(Path("dest/d/-dir/lower")))
      << "a lower file shows through the opaque dir";
  EXPECT_FALSE(fs::exists(Path("dest/d/-dir/deep")));
}

// Regression (fixed in 84e8c30, found by SystemOverlayDiffTest): a kApply dir entry over an
// existing dir added its xattrs but kept the lower dir's others; through overlayfs a dir shows
// only the top layer's xattrs, so the copy driver differed from the overlay driver.
TEST_F(UnpackTest, ApplyModeDirEntryReplacesTheLowerDirsXattrs) {
  UnpackOptions apply{.mode = WhiteoutMode::kApply};
  Raw lower = D("d");
  lower.xattrs = {{"user.lower", "old"}, {"user.both", "old"}};
  ASSERT_TRUE(Unpack({lower, F("d/f")}, apply).has_value());
  Raw upper = D("d", 0700);
  upper.xattrs = {{"user.both", "new"}};
  auto r = Unpack({upper}, apply);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(Lstat(Path("dest/d")).st_mode & 07777, 0700u);
  EXPECT_EQ(Xattr(Path("dest/d"), "user.both"), "new");
  EXPECT_EQ(Read(Path("dest/d/f")), "x");  // the dirs merge: children stay
  EXPECT_EQ(Xattr(Path("dest/d"), "user.lower"), "<none>") << "the lower dir's xattr survived";
}

// Regression (fixed in 84e8c30): only the entry's own path was recorded as this layer's, not the
// parent dirs made implicitly for it, so a later opaque marker of the same layer deleted them and
// this layer's files in them. OCI: "Files that are present in the same layer as a whiteout file
// can only be hidden by whiteout files in subsequent layers."
TEST_F(UnpackTest, ApplyModeOpaqueKeepsImplicitDirsOfTheSameLayer) {
  UnpackOptions apply{.mode = WhiteoutMode::kApply};
  ASSERT_TRUE(Unpack({D("d"), F("d/old")}, apply).has_value());
  auto r = Unpack({D("d"), F("d/-implicit/f", "mine"), F("d/.wh..wh..opq", "")}, apply);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_FALSE(fs::exists(Path("dest/d/old")));
  EXPECT_TRUE(fs::exists(Path("dest/d/-implicit/f"))) << "this layer's own file was removed";
}

// Regression (fixed in 84e8c30): a whiteout removed whatever it named, even an entry this same
// layer wrote earlier ("-x" sorts before ".wh.-x"). OCI: whiteouts only apply to lower layers.
TEST_F(UnpackTest, WhiteoutDoesNotHideAnEntryOfTheSameLayer) {
  for (WhiteoutMode mode : {WhiteoutMode::kOverlay, WhiteoutMode::kApply}) {
    SCOPED_TRACE(mode == WhiteoutMode::kApply ? "apply" : "overlay");
    fs::remove_all(Path("dest"));
    fs::create_directories(Path("dest"));
    auto r = Unpack({F("-x", "mine"), F(".wh.-x", "")}, {.mode = mode});
    ASSERT_TRUE(r.has_value()) << r.error().message();
    struct stat st {};
    ASSERT_EQ(lstat(Path("dest/-x").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << "the layer's own file became a whiteout";
  }
}

// --- metadata -----------------------------------------------------------------------------------

TEST_F(UnpackTest, KeepsModesOwnersTimesLinksAndXattrs) {
  bool root = geteuid() == 0;
  Raw d = D("d", 0750);
  d.mtime = 1000000000;
  d.uid = 1234;
  d.gid = 5678;
  Raw sub = D("d/sub", 01777);
  sub.mtime = 1111111111;
  Raw f = F("d/sub/f", "hello");
  f.mode = 04755;
  f.uid = 42;
  f.gid = 43;
  f.mtime = 1222222222;
  f.xattrs = {{"user.test", "value"}};
  Raw ro = F("d/ro", "r");
  ro.mode = 0400;
  ro.mtime = 1333333333;
  Raw sl = S("d/link", "../somewhere/else");
  sl.uid = 7;
  sl.gid = 8;
  Raw fifo;
  fifo.path = "d/fifo";
  fifo.type = AE_IFIFO;
  fifo.mode = 0640;
  Raw bad = D("d/opq");
  bad.xattrs = {{"trusted.overlay.opaque", "y"},
                {"user.overlay.opaque", "y"},
                {"user.overlay.redirect", "/x"},
                {"user.test", "kept"}};
  Raw badf = F("d/badf");
  badf.xattrs = {{"user.overlay.whiteout", "y"}, {"trusted.overlay.whiteout", "y"}};
  auto r = Unpack({d, sub, f, H("d/hl", "d/sub/f"), ro, sl, fifo, bad, badf});
  ASSERT_TRUE(r.has_value()) << r.error().message();

  struct stat st = Lstat(Path("dest/d"));
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
  st = Lstat(Path("dest/d/sub"));
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1111111111);
  st = Lstat(Path("dest/d/sub/f"));
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1222222222);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(st.st_ino, Lstat(Path("dest/d/hl")).st_ino);
  EXPECT_EQ(Read(Path("dest/d/hl")), "hello");
  EXPECT_EQ(Xattr(Path("dest/d/sub/f"), "user.test"), "value");
  st = Lstat(Path("dest/d/ro"));
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1333333333);
  EXPECT_EQ(fs::read_symlink(Path("dest/d/link")), "../somewhere/else");
  st = Lstat(Path("dest/d/fifo"));
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  // overlay's own markers never come from a tar; other xattrs on the same entry do.
  for (const char* x : {"trusted.overlay.opaque", "user.overlay.opaque", "user.overlay.redirect"}) {
    EXPECT_EQ(Xattr(Path("dest/d/opq"), x), "<none>") << x;
  }
  EXPECT_EQ(Xattr(Path("dest/d/opq"), "user.test"), "kept");
  EXPECT_EQ(Xattr(Path("dest/d/badf"), "user.overlay.whiteout"), "<none>");
  EXPECT_EQ(Xattr(Path("dest/d/badf"), "trusted.overlay.whiteout"), "<none>");
  EXPECT_EQ(ListMerged({Path("dest/d")}, ""),
            (std::vector<std::string>{"badf", "fifo", "hl", "link", "opq", "ro", "sub"}));
  if (root) {
    EXPECT_EQ(Lstat(Path("dest/d")).st_uid, 1234u);
    EXPECT_EQ(Lstat(Path("dest/d")).st_gid, 5678u);
    EXPECT_EQ(Lstat(Path("dest/d/sub/f")).st_uid, 42u);
    EXPECT_EQ(Lstat(Path("dest/d/sub/f")).st_gid, 43u);
    EXPECT_EQ(Lstat(Path("dest/d/link")).st_uid, 7u);
    EXPECT_EQ(Lstat(Path("dest/d/link")).st_gid, 8u);
  }
}

TEST_F(UnpackTest, SetOwnersFalseLeavesTheCallersIds) {
  Raw f = F("f");
  f.uid = 42;
  f.gid = 43;
  ASSERT_TRUE(Unpack({f}, {.set_owners = false}).has_value());
  EXPECT_EQ(Lstat(Path("dest/f")).st_uid, geteuid());
  EXPECT_EQ(Lstat(Path("dest/f")).st_gid, getegid());
}

// --- WriteLayerTar, TreeSize, stack lookups ------------------------------------------------------

TEST_F(UnpackTest, WriteLayerTarIsIndependentOfInputOrder) {
  BlobStore blobs(Path("store"), Tracer());
  ASSERT_OK(blobs.Init());
  auto entry = [](TarEntry::Type t, std::string p, std::string c, std::string link = "") {
    TarEntry e;
    e.type = t;
    e.path = std::move(p);
    e.content = std::move(c);
    e.link = std::move(link);
    e.mtime = 1500000000;
    e.mode = t == TarEntry::Type::kDir ? 0755 : 0644;
    return e;
  };
  using T = TarEntry::Type;
  std::vector<TarEntry> entries = {
      entry(T::kDir, "etc", ""),
      entry(T::kFile, "etc/z", "zzz"),
      entry(T::kHardlink, "a-link", "", "etc/z"),  // sorts before its target
      entry(T::kSymlink, "bin", "", "usr/bin"),
      entry(T::kFile, ".wh.gone", ""),
      entry(T::kDir, "usr", ""),
      entry(T::kFile, "usr/.wh..wh..opq", "")};
  entries[1].xattrs = {{"user.b", "2"}, {"user.a", "1"}};
  auto first = WriteLayerTar(blobs, entries);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  std::reverse(entries.begin(), entries.end());
  auto second = WriteLayerTar(blobs, entries);
  std::rotate(entries.begin(), entries.begin() + 3, entries.end());
  auto third = WriteLayerTar(blobs, entries);
  EXPECT_EQ(first->diff_id, second->diff_id);
  EXPECT_EQ(first->diff_id, third->diff_id);
  EXPECT_EQ(first->size, 3 + 7);  // etc/z once, the symlink target "usr/bin"
  // The link that sorted first still unpacks: it was written after its target.
  auto r = UnpackLayer(blobs.PathOf(first->diff_id), Path("dest"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(Lstat(Path("dest/a-link")).st_ino, Lstat(Path("dest/etc/z")).st_ino);
}

TEST_F(UnpackTest, TreeSizeCountsHardLinksOnceAndSymlinkTargets) {
  Write(Path("t/d/file"), "abcde");
  fs::create_hard_link(Path("t/d/file"), Path("t/hl"));
  fs::create_symlink("target", Path("t/sl"));  // 6
  fs::create_directories(Path("t/empty/deeper"));
  ASSERT_EQ(mknod(Path("t/wh").c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0 || geteuid() != 0,
            true);
  Write(Path("t/xattr-wh"), "");
  auto size = TreeSize(Path("t"));
  ASSERT_TRUE(size.has_value()) << size.error().message();
  EXPECT_EQ(*size, 5 + 6);
}

TEST_F(UnpackTest, FindInLowersAndListMergedFollowOverlayRules) {
  // l1: a/b/c, a/b/d, x/y, f; l2 (on top): `a` opaque holding a/b/e, x/y whited out, f a dir.
  fs::create_directories(Path("l1"));
  fs::create_directories(Path("l2"));
  ASSERT_TRUE(UnpackLayer(Tar({D("a"), D("a/b"), F("a/b/c"), F("a/b/d"), D("x"), F("x/y"), F("x/z"),
                               F("f")}),
                          Path("l1"), {})
                  .has_value());
  auto r = UnpackLayer(Tar({D("a"), F("a/.wh..wh..opq", ""), D("a/b"), F("a/b/e"), D("x"),
                            F("x/.wh.y", ""), D("f"), F("f/inner")}),
                       Path("l2"), {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  std::vector<std::string> lowers = {Path("l2"), Path("l1")};
  EXPECT_FALSE(FindInLowers(lowers, "x/y").has_value());
  ASSERT_TRUE(FindInLowers(lowers, "x/z").has_value());
  EXPECT_EQ(FindInLowers(lowers, "x/z")->layer, 1u);
  EXPECT_TRUE(S_ISDIR(FindInLowers(lowers, "f")->mode));
  EXPECT_EQ(ListMerged(lowers, "x"), (std::vector<std::string>{"z"}));
  EXPECT_EQ(ListMerged(lowers, "f"), (std::vector<std::string>{"inner"}));
  EXPECT_EQ(ListMerged(lowers, "a"), (std::vector<std::string>{"b"}));
  // Regression (fixed in 84e8c30): ProbeLayer only checked the *direct* parent for opaqueness;
  // `a` is opaque in l2, so l1's a/b/c is hidden (the kernel stops looking up `a` at l2), but
  // FindInLowers found it and ListMerged listed it.
  EXPECT_FALSE(FindInLowers(lowers, "a/b/c").has_value()) << "hidden by l2's opaque `a`";
  EXPECT_EQ(ListMerged(lowers, "a/b"), (std::vector<std::string>{"e"}));
}

}  // namespace
}  // namespace layerlab
