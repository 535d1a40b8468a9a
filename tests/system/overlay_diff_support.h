// Support for the differential overlay test: seeded random lower layers, random operations on
// a writable union, and snapshots of a visible tree to compare.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "layerlab/layer_fs.h"
#include "layerlab/namespaces.h"
#include "test_util.h"

namespace layerlab::diffsupport {

namespace fs = std::filesystem;
using Type = TarEntry::Type;

inline const std::vector<std::string> kNames = {"a", "b", "c", "d", "-e", "f.txt"};  // "-" < ".wh."
inline const std::vector<uint32_t> kFileModes = {0644, 0600, 0755, 0444, 0640, 0700, 04755, 02711, 0};
inline const std::vector<uint32_t> kDirModes = {0755, 0700, 0555, 0750, 01777, 02775};
inline const std::vector<std::string> kLinkTargets = {"a", "../b", "c/d", "/nowhere/x", ".", "-e"};
inline const bool kRoot = geteuid() == 0;

struct Rng {
  explicit Rng(uint64_t seed) : g(seed) {}
  int Below(size_t n) { return static_cast<int>(g() % n); }
  bool Chance(int percent) { return Below(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Below(v.size()))];
  }
  std::mt19937_64 g;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string Join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

inline std::string Content(Rng& r) {
  int k = r.Below(10);
  size_t n = static_cast<size_t>(k < 3   ? r.Below(17)
                                 : k < 8 ? 17 + r.Below(300)
                                         : 300 + r.Below(5000));
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + r.Below(26));
  return s;
}

// ---- lower layers -------------------------------------------------------------------------------

struct Tree {
  std::vector<TarEntry> entries;
  std::map<std::string, Type> types;  // every non-whiteout path
  std::vector<std::string> Children(const std::string& dir) const {
    std::vector<std::string> out;
    for (const auto& [p, t] : types) {
      std::string prefix = dir.empty() ? "" : dir + "/";
      if (p.rfind(prefix, 0) == 0 && p.size() > prefix.size() &&
          p.find('/', prefix.size()) == std::string::npos) {
        out.push_back(p.substr(prefix.size()));
      }
    }
    return out;
  }
};

inline void Add(Rng& r, Tree* t, Type type, const std::string& path) {
  TarEntry e;
  e.type = type;
  e.path = path;
  e.mode = type == Type::kDir       ? r.Pick(kDirModes)
           : type == Type::kSymlink ? 0777
                                    : r.Pick(kFileModes);
  if (kRoot) e.uid = static_cast<uint32_t>(r.Below(4)), e.gid = static_cast<uint32_t>(r.Below(4));
  e.mtime = 1000000000 + r.Below(700000000);
  if (type == Type::kFile) e.content = Content(r);
  if (type == Type::kSymlink) e.link = r.Pick(kLinkTargets);
  if ((type == Type::kFile || type == Type::kDir) && r.Chance(10))
    e.xattrs["user.lower"] = Content(r).substr(0, 64);
  if (type == Type::kHardlink) {
    std::vector<std::string> files;
    for (const auto& [p, ty] : t->types)
      if (ty == Type::kFile) files.push_back(p);
    if (files.empty()) return Add(r, t, Type::kFile, path);
    e.link = r.Pick(files);
  }
  t->entries.push_back(e);
  t->types[path] = type;
}

// A random tree below `dir`; names are often reused from `below` so layers overlap.
inline void GenDir(Rng& r, const std::string& dir, int depth, const Tree* below, Tree* t) {
  std::vector<std::string> under = below ? below->Children(dir) : std::vector<std::string>{};
  std::set<std::string> used;
  for (int i = r.Below(depth == 0 ? 6 : 4); i > 0; --i) {
    std::string name = !under.empty() && r.Chance(50) ? r.Pick(under) : r.Pick(kNames);
    if (!used.insert(name).second) continue;
    std::string p = Join(dir, name);
    bool below_dir = below && below->types.count(p) && below->types.at(p) == Type::kDir;
    int k = r.Below(100);
    Type type = depth < 3 && (k < 35 || (below_dir && k < 75)) ? Type::kDir
                : k < 80                                       ? Type::kFile
                : k < 92                                       ? Type::kSymlink
                                                               : Type::kHardlink;
    Add(r, t, type, p);
    if (type == Type::kDir) GenDir(r, p, depth + 1, below, t);
  }
}

// Whiteouts and opaque markers in `upper` for what `lower` has in the same dirs.
inline void AddWhiteouts(Rng& r, const Tree& lower, Tree* upper) {
  std::vector<std::string> dirs = {""};
  for (const auto& [p, t] : upper->types)
    if (t == Type::kDir) dirs.push_back(p);
  for (const auto& d : dirs) {
    if (!d.empty() && (!lower.types.count(d) || lower.types.at(d) != Type::kDir)) continue;
    TarEntry wh;
    if (!d.empty() && r.Chance(20)) {
      wh.path = Join(d, ".wh..wh..opq");
      upper->entries.push_back(wh);
      continue;
    }
    for (const auto& n : lower.Children(d)) {
      if (upper->types.count(Join(d, n)) || !r.Chance(30)) continue;
      wh.path = Join(d, ".wh." + n);
      upper->entries.push_back(wh);
    }
  }
}

inline std::string Describe(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    out += "  " + e.path;
    if (e.type == Type::kDir) out += fmt::format("/ {:o}", e.mode);
    if (e.type == Type::kFile) out += fmt::format(" {:o} {}B", e.mode, e.content.size());
    if (e.type == Type::kSymlink) out += " -> " + e.link;
    if (e.type == Type::kHardlink) out += " => " + e.link;
    out += "\n";
  }
  return out;
}

// ---- the operations on the writable union -------------------------------------------------------

struct Node {
  std::string path;
  char type;  // d f l p ?
};

inline char TypeChar(mode_t m) {
  return S_ISDIR(m) ? 'd' : S_ISREG(m) ? 'f' : S_ISLNK(m) ? 'l' : S_ISFIFO(m) ? 'p' : '?';
}

inline void ListTree(const std::string& root, const std::string& rel, std::vector<Node>* out) {
  std::vector<std::string> names;
  if (DIR* d = opendir(Join(root, rel).c_str())) {
    while (struct dirent* e = readdir(d)) {
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.push_back(e->d_name);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::string p = Join(rel, n);
    struct stat st;
    if (lstat((root + "/" + p).c_str(), &st) != 0) continue;
    out->push_back({p, TypeChar(st.st_mode)});
    if (S_ISDIR(st.st_mode)) ListTree(root, p, out);
  }
}

// clang-format off
enum class Op {
  kCreate, kOverwrite, kAppend, kTruncate, kChmod, kChown, kUnlink, kRemoveDir, kRenameFile,
  kRenameDir, kSymlink, kHardlink, kMkdirOverDeleted, kMkdirNew, kMkfifo, kSetXattr, kTouch,
  kCount
};
// clang-format on

inline std::string Res(int rc) { return rc == 0 ? "ok" : ErrnoName(errno); }

// rm -r, never throwing (this runs in the forked child).
inline std::string RemoveAll(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  return ec ? "rm -r failed: " + ec.message() : "ok";
}

inline int WriteFile(const std::string& path, int flags, const std::string& data, mode_t mode = 0644) {
  // O_NONBLOCK: opening a FIFO for writing would wait for a reader forever.
  int fd = open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | flags, mode);
  if (fd < 0) return -1;
  ssize_t n = write(fd, data.data(), data.size());
  int err = errno;
  close(fd);
  errno = err;
  return n == static_cast<ssize_t>(data.size()) ? 0 : -1;
}

// `mv` across a boundary: copy (keeping modes, owners and file mtimes), then delete.
inline void CopyTree(const std::string& from, const std::string& to) {
  struct stat st;
  if (lstat(from.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    mkdir(to.c_str(), st.st_mode & 07777);
    if (DIR* d = opendir(from.c_str())) {
      while (struct dirent* e = readdir(d)) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
          CopyTree(from + "/" + e->d_name, to + "/" + e->d_name);
      }
      closedir(d);
    }
  } else if (S_ISREG(st.st_mode)) {
    std::string data = ReadAll(from);
    WriteFile(to, O_CREAT | O_EXCL, data, 0600);
    struct timespec times[2] = {{0, UTIME_OMIT}, st.st_mtim};
    utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW);
  } else if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    fs::create_symlink(fs::read_symlink(from, ec), to, ec);
  } else if (S_ISFIFO(st.st_mode)) {
    mkfifo(to.c_str(), 0600);
  }
  [[maybe_unused]] int rc = lchown(to.c_str(), st.st_uid, st.st_gid);  // not root: keep ours
  if (!S_ISLNK(st.st_mode)) chmod(to.c_str(), st.st_mode & 07777);
}

// Applies one random operation to the union at `m`; returns what it did, for the log.
inline std::string ApplyOp(const std::string& m, Rng& r) {
  std::vector<Node> nodes;
  ListTree(m, "", &nodes);
  auto pick = [&](const char* types) -> std::string {
    std::vector<std::string> c;
    for (const auto& n : nodes)
      if (strchr(types, n.type)) c.push_back(n.path);
    return c.empty() ? "" : r.Pick(c);
  };
  auto new_path = [&]() {
    std::string d = r.Chance(25) ? "" : pick("d");
    return Join(d, r.Pick(kNames));
  };
  auto at = [&](const std::string& p) { return m + "/" + p; };
  Op op = static_cast<Op>(r.Below(static_cast<size_t>(Op::kCount)));
  std::string p, q;
  switch (op) {
    case Op::kCreate: {
      p = new_path();
      mode_t mode = r.Pick(kFileModes);
      return fmt::format("create {} {:o}: {}", p, mode,
                         Res(WriteFile(at(p), O_CREAT | O_TRUNC, Content(r), mode)));
    }
    case Op::kOverwrite:
      if ((p = pick("f")).empty()) return "overwrite: no file";
      return "overwrite " + p + ": " + Res(WriteFile(at(p), O_TRUNC, Content(r)));
    case Op::kAppend:
      if ((p = pick("f")).empty()) return "append: no file";
      return "append " + p + ": " + Res(WriteFile(at(p), O_APPEND, Content(r)));
    case Op::kTruncate: {
      if ((p = pick("f")).empty()) return "truncate: no file";
      int size = r.Below(6000);
      return fmt::format("truncate {} {}: {}", p, size, Res(truncate(at(p).c_str(), size)));
    }
    case Op::kChmod: {
      if ((p = pick("fdp")).empty()) return "chmod: nothing";
      struct stat st {};
      lstat(at(p).c_str(), &st);
      mode_t mode = S_ISDIR(st.st_mode) ? r.Pick(kDirModes) : r.Pick(kFileModes);
      return fmt::format("chmod {} {:o}: {}", p, mode, Res(chmod(at(p).c_str(), mode)));
    }
    case Op::kChown: {
      if (!kRoot) return "chown: skipped (not root)";
      if ((p = pick("fdlp")).empty()) return "chown: nothing";
      int uid = r.Below(4), gid = r.Below(4);
      return fmt::format("chown {} {}:{}: {}", p, uid, gid, Res(lchown(at(p).c_str(), uid, gid)));
    }
    case Op::kUnlink:
      if ((p = pick("flp")).empty()) return "unlink: nothing";
      return "unlink " + p + ": " + Res(unlink(at(p).c_str()));
    case Op::kRemoveDir: {
      if ((p = pick("d")).empty()) return "rm -r: no dir";
      return "rm -r " + p + ": " + RemoveAll(at(p));
    }
    case Op::kRenameFile:
      if ((p = pick("flp")).empty()) return "rename: nothing";
      q = new_path();
      return "rename " + p + " " + q + ": " + Res(rename(at(p).c_str(), at(q).c_str()));
    case Op::kRenameDir: {
      if ((p = pick("d")).empty()) return "rename dir: no dir";
      q = new_path();
      if (q == p || q.rfind(p + "/", 0) == 0) return "rename dir " + p + " into itself: skipped";
      int rc = rename(at(p).c_str(), at(q).c_str());
      int err = errno;
      struct stat st;
      if (rc != 0 && err == EXDEV && lstat(at(q).c_str(), &st) != 0) {
        CopyTree(at(p), at(q));
        return "rename dir " + p + " " + q + ": EXDEV, copied, then " + RemoveAll(at(p));
      }
      errno = err;
      return "rename dir " + p + " " + q + ": " + Res(rc);
    }
    case Op::kSymlink:
      p = new_path();
      q = r.Pick(kLinkTargets);
      return "symlink " + p + " -> " + q + ": " + Res(symlink(q.c_str(), at(p).c_str()));
    case Op::kHardlink:
      if ((p = pick("f")).empty()) return "link: no file";
      q = new_path();
      return "link " + p + " " + q + ": " + Res(link(at(p).c_str(), at(q).c_str()));
    case Op::kMkdirOverDeleted: {
      if ((p = pick("d")).empty()) return "mkdir over deleted: no dir";
      std::string rm = RemoveAll(at(p));
      mode_t mode = r.Pick(kDirModes);
      std::string res = rm + ", mkdir " + Res(mkdir(at(p).c_str(), mode));
      if (r.Chance(50)) WriteFile(at(Join(p, r.Pick(kNames))), O_CREAT, Content(r));
      return fmt::format("rm -r + mkdir {} {:o}: {}", p, mode, res);
    }
    case Op::kMkdirNew: {
      p = new_path();
      mode_t mode = r.Pick(kDirModes);
      std::string res = Res(mkdir(at(p).c_str(), mode));
      if (r.Chance(50)) WriteFile(at(Join(p, r.Pick(kNames))), O_CREAT, Content(r));
      return fmt::format("mkdir {} {:o}: {}", p, mode, res);
    }
    case Op::kMkfifo:
      p = new_path();
      return "mkfifo " + p + ": " + Res(mkfifo(at(p).c_str(), 0640));
    case Op::kSetXattr: {
      if ((p = pick("fd")).empty()) return "setxattr: nothing";
      q = r.Chance(50) ? "user.lower" : "user.op";
      std::string v = r.Chance(20) ? "" : Content(r).substr(0, 40);
      return "setxattr " + p + " " + q + "=" + v + ": " +
             Res(lsetxattr(at(p).c_str(), q.c_str(), v.data(), v.size(), 0));
    }
    case Op::kTouch: {
      if ((p = pick("fd")).empty()) return "touch: nothing";
      struct timespec times[2] = {{0, UTIME_OMIT},
                                  {1000000000 + r.Below(700000000), r.Below(1000000000)}};
      return fmt::format("touch {} {}: {}", p, times[1].tv_sec,
                         Res(utimensat(AT_FDCWD, at(p).c_str(), times, AT_SYMLINK_NOFOLLOW)));
    }
    case Op::kCount:
      break;
  }
  return "?";
}

// ---- snapshots ----------------------------------------------------------------------------------

using Snapshot = std::map<std::string, std::string>;  // path -> what is visible there

inline Snapshot TakeSnapshot(const std::string& root) {
  std::vector<Node> nodes;
  ListTree(root, "", &nodes);
  Snapshot out;
  for (const auto& n : nodes) {
    struct stat st;
    std::string host = root + "/" + n.path;
    if (lstat(host.c_str(), &st) != 0) continue;
    std::string s(1, n.type);
    if (n.type != 'l') s += fmt::format(" {:04o}", st.st_mode & 07777);
    if (kRoot) s += fmt::format(" {}:{}", st.st_uid, st.st_gid);
    std::error_code ec;
    if (n.type == 'l') s += " -> " + fs::read_symlink(host, ec).string();
    if (n.type == 'f') {
      uint64_t h = 1469598103934665603ull;  // FNV-1a
      for (unsigned char c : ReadAll(host)) h = (h ^ c) * 1099511628211ull;
      s += fmt::format(" {}B {:016x} t={}", st.st_size, h, st.st_mtim.tv_sec);
    }
    char names[1024];
    ssize_t len = llistxattr(host.c_str(), names, sizeof names);
    std::set<std::string> xattrs;  // user.* only, and not overlay's own
    for (ssize_t i = 0; i < len; i += static_cast<ssize_t>(strlen(names + i)) + 1) {
      std::string name = names + i;
      if (name.rfind("user.", 0) == 0 && name.rfind("user.overlay.", 0) != 0) xattrs.insert(name);
    }
    for (const auto& x : xattrs) {
      char v[256];
      ssize_t vn = lgetxattr(host.c_str(), x.c_str(), v, sizeof v);
      s += fmt::format(" {}={}", x, vn < 0 ? "?" : std::string(v, static_cast<size_t>(vn)));
    }
    if (n.type == '?') s += fmt::format(" mode={:o} rdev={}", st.st_mode, st.st_rdev);
    out[n.path] = s;
  }
  return out;
}

// Regular files sharing an inode ("a=b"), for checking that hard links survive the tar.
inline std::set<std::string> LinkGroups(const std::string& root) {
  std::vector<Node> nodes;
  ListTree(root, "", &nodes);
  std::map<ino_t, std::string> by_inode;
  struct stat st;
  for (const auto& n : nodes) {
    if (n.type == 'f' && lstat((root + "/" + n.path).c_str(), &st) == 0 && st.st_nlink > 1) {
      by_inode[st.st_ino] += "=" + n.path;
    }
  }
  std::set<std::string> out;
  for (const auto& [ino, g] : by_inode)
    if (g.find('=', 1) != std::string::npos) out.insert(g.substr(1));
  return out;
}

inline std::string Serialize(const Snapshot& s) {
  std::string out;
  for (const auto& [p, v] : s) out += p + "\t" + v + "\n";
  return out;
}

inline Snapshot Parse(const std::string& text) {
  Snapshot out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos), tab = text.find('\t', pos);
    out[text.substr(pos, tab - pos)] = text.substr(tab + 1, nl - tab - 1);
    pos = nl + 1;
  }
  return out;
}

// "- path want" / "+ path got" for every difference; empty when equal.
inline std::string Diff(const Snapshot& want, const Snapshot& got) {
  std::set<std::string> paths;
  for (const auto& [p, v] : want) paths.insert(p);
  for (const auto& [p, v] : got) paths.insert(p);
  std::string out;
  for (const auto& p : paths) {
    auto w = want.find(p), g = got.find(p);
    if (w != want.end() && g != got.end() && w->second == g->second) continue;
    if (w != want.end()) out += fmt::format("  - {}\t{}\n", p, w->second);
    if (g != got.end()) out += fmt::format("  + {}\t{}\n", p, g->second);
  }
  return out;
}

inline void WriteText(const std::string& path, const std::string& text) {
  WriteFile(path, O_CREAT | O_TRUNC, text);
}

// RunInUserMountNamespace, but an exception in the child becomes its Status: one escaping the
// child would unwind into gtest in the forked copy of this process (see the report).
inline Status InNamespace(const std::function<Status()>& fn) {
  return RunInUserMountNamespace([&]() -> Status {
    try {
      return fn();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("exception in the namespace child: ") + e.what());
    }
  });
}

inline uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}


}  // namespace layerlab::diffsupport
