// Reading a stack of unpacked layers (lookups, merged listings), detecting what a writable layer
// changed, and writing those changes as an OCI layer tar.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "layer/fs_util.h"
#include "layerlab/layer_fs.h"
#include "layerlab/whiteout.h"

namespace layerlab {

namespace {

std::vector<std::string> ReadDirNames(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

enum class Probe { kAbsent, kHidden, kFound, kTransparent };

// Looks `path` up in one layer. kHidden: a whiteout or a non-directory on the way hides it (and
// everything below); kTransparent: not here and nothing here hides lower layers; an opaque
// directory on the way makes a miss kHidden.
// `opaque` is set when a directory on the way (or the one found) is opaque in this layer: lower
// layers then have nothing to add below it.
Probe ProbeLayer(const std::string& layer, const std::vector<std::string>& comps,
                 struct stat* out, bool* opaque) {
  std::string cur = layer;
  bool any_opaque = false;
  for (size_t i = 0; i < comps.size(); ++i) {
    std::string next = cur + "/" + comps[i];
    struct stat st;
    if (lstat(next.c_str(), &st) != 0) {
      // Missing here: an opaque directory above hides the lower layers' copies.
      if (opaque) *opaque = any_opaque;
      return any_opaque ? Probe::kHidden : Probe::kTransparent;
    }
    if (fsutil::IsWhiteout(next, st)) return Probe::kHidden;
    if (S_ISDIR(st.st_mode) && fsutil::IsOpaqueDir(next)) any_opaque = true;
    if (i + 1 == comps.size()) {
      *out = st;
      if (opaque) *opaque = any_opaque;
      return Probe::kFound;
    }
    if (!S_ISDIR(st.st_mode)) return Probe::kHidden;
    cur = next;
  }
  return Probe::kAbsent;
}

}  // namespace

std::optional<LowerHit> FindInLowers(const std::vector<std::string>& lowers,
                                     const std::string& path) {
  std::vector<std::string> comps = Components(path);
  if (comps.empty()) return std::nullopt;
  for (size_t i = 0; i < lowers.size(); ++i) {
    struct stat st;
    Probe p = ProbeLayer(lowers[i], comps, &st, nullptr);
    if (p == Probe::kFound) {
      return LowerHit{i, static_cast<uint32_t>(st.st_mode), static_cast<int64_t>(st.st_size)};
    }
    if (p == Probe::kHidden) return std::nullopt;
    // A directory found in a layer may still be opaque: lower layers then don't count below it,
    // but the directory itself is visible (handled by kFound above).
  }
  return std::nullopt;
}

std::vector<std::string> ListMerged(const std::vector<std::string>& lowers,
                                    const std::string& path) {
  std::set<std::string> names, hidden;
  std::vector<std::string> comps = Components(path);
  for (const auto& layer : lowers) {
    std::string dir = path.empty() ? layer : layer + "/" + path;
    struct stat st;
    bool opaque = false;
    if (!comps.empty()) {
      Probe p = ProbeLayer(layer, comps, &st, &opaque);
      if (p == Probe::kHidden) break;
      if (p != Probe::kFound) continue;
      if (!S_ISDIR(st.st_mode)) break;
    }
    for (const auto& n : ReadDirNames(dir)) {
      if (hidden.count(n) || names.count(n)) continue;
      struct stat cst;
      std::string child = dir + "/" + n;
      if (lstat(child.c_str(), &cst) != 0) continue;
      if (fsutil::IsWhiteout(child, cst)) {
        hidden.insert(n);
      } else {
        names.insert(n);
      }
    }
    if (opaque || fsutil::IsOpaqueDir(dir)) break;
  }
  return std::vector<std::string>(names.begin(), names.end());
}

char ChangeLetter(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded: return 'A';
    case ChangeKind::kChanged: return 'C';
    case ChangeKind::kDeleted: return 'D';
  }
  return '?';
}

namespace {

void AddAllBelow(const std::string& root, const std::string& rel, std::vector<Change>* out) {
  for (const auto& n : ReadDirNames(root + "/" + rel)) {
    std::string p = fsutil::JoinPath(rel, n);
    out->push_back({p, ChangeKind::kAdded});
    struct stat st;
    if (lstat((root + "/" + p).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) AddAllBelow(root, p, out);
  }
}

void WalkUpper(const std::string& upper, const std::string& rel,
               const std::vector<std::string>& lowers, std::vector<Change>* out) {
  for (const auto& n : ReadDirNames(rel.empty() ? upper : upper + "/" + rel)) {
    std::string p = fsutil::JoinPath(rel, n);
    std::string host = upper + "/" + p;
    struct stat st;
    if (lstat(host.c_str(), &st) != 0) continue;
    auto below = FindInLowers(lowers, p);
    if (fsutil::IsWhiteout(host, st)) {
      if (below) out->push_back({p, ChangeKind::kDeleted});
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      out->push_back({p, below ? ChangeKind::kChanged : ChangeKind::kAdded});
      continue;
    }
    if (!below || !S_ISDIR(below->mode)) {
      out->push_back({p, below ? ChangeKind::kChanged : ChangeKind::kAdded});
      AddAllBelow(upper, p, out);
      continue;
    }
    Change c{p, ChangeKind::kChanged};
    c.opaque = fsutil::IsOpaqueDir(host);
    out->push_back(c);
    if (c.opaque) {
      // The lower contents are hidden: each visible lower child not in upper is gone.
      std::set<std::string> in_upper;
      for (const auto& u : ReadDirNames(host)) in_upper.insert(u);
      for (const auto& l : ListMerged(lowers, p)) {
        if (!in_upper.count(l)) {
          Change d{fsutil::JoinPath(p, l), ChangeKind::kDeleted};
          d.under_opaque = true;
          out->push_back(d);
        }
      }
      AddAllBelow(upper, p, out);  // nothing below an opaque dir comes from the lowers
      continue;
    }
    WalkUpper(upper, p, lowers, out);
  }
}

bool SameMeta(const struct stat& a, const struct stat& b) {
  if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT)) return false;
  if (a.st_mode != b.st_mode || a.st_uid != b.st_uid || a.st_gid != b.st_gid) return false;
  // A directory's mtime moves whenever an entry in it does; its changes show through its
  // children (and it is then reported as changed, as `docker diff` does for parents).
  if (S_ISDIR(a.st_mode)) return true;
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_rdev == b.st_rdev;
}

// The host path of a path visible in the stack.
std::string LowerPath(const std::vector<std::string>& lowers, const std::string& p,
                      const LowerHit& hit) {
  return lowers[hit.layer] + "/" + p;
}

void WalkCopy(const std::string& rootfs, const std::string& rel,
              const std::vector<std::string>& lowers, std::vector<Change>* out) {
  std::set<std::string> mine;
  for (const auto& n : ReadDirNames(rel.empty() ? rootfs : rootfs + "/" + rel)) mine.insert(n);
  std::set<std::string> theirs;
  for (const auto& n : ListMerged(lowers, rel)) theirs.insert(n);
  std::set<std::string> all = mine;
  all.insert(theirs.begin(), theirs.end());
  for (const auto& n : all) {
    std::string p = fsutil::JoinPath(rel, n);
    if (!mine.count(n)) {
      out->push_back({p, ChangeKind::kDeleted});
      continue;
    }
    struct stat st;
    if (lstat((rootfs + "/" + p).c_str(), &st) != 0) continue;
    auto below = theirs.count(n) ? FindInLowers(lowers, p) : std::nullopt;
    if (!below) {
      out->push_back({p, ChangeKind::kAdded});
      if (S_ISDIR(st.st_mode)) AddAllBelow(rootfs, p, out);
      continue;
    }
    struct stat lst;
    lstat(LowerPath(lowers, p, *below).c_str(), &lst);
    bool same = SameMeta(st, lst);
    if (same && S_ISLNK(st.st_mode)) {
      std::error_code ec;
      same = std::filesystem::read_symlink(rootfs + "/" + p, ec) ==
             std::filesystem::read_symlink(LowerPath(lowers, p, *below), ec);
    }
    if (S_ISDIR(st.st_mode) && S_ISDIR(lst.st_mode)) {
      size_t before = out->size();
      out->push_back({p, ChangeKind::kChanged});
      WalkCopy(rootfs, p, lowers, out);
      if (same && out->size() == before + 1) out->pop_back();  // untouched directory
      continue;
    }
    if (!same) {
      out->push_back({p, ChangeKind::kChanged});
      if (S_ISDIR(st.st_mode)) AddAllBelow(rootfs, p, out);
    }
  }
}

void SortChanges(std::vector<Change>* changes) {
  std::stable_sort(changes->begin(), changes->end(),
                   [](const Change& a, const Change& b) { return a.path < b.path; });
}

}  // namespace

Result<std::vector<Change>> DetectOverlayChanges(const std::string& upper,
                                                 const std::vector<std::string>& lowers) {
  std::vector<Change> out;
  WalkUpper(upper, "", lowers, &out);
  SortChanges(&out);
  return out;
}

Result<std::vector<Change>> DetectCopyChanges(const std::string& rootfs,
                                              const std::vector<std::string>& lowers) {
  std::vector<Change> out;
  WalkCopy(rootfs, "", lowers, &out);
  SortChanges(&out);
  return out;
}

std::vector<CopyUp> FindCopyUps(const std::vector<Change>& changes,
                                const std::vector<std::string>& lowers) {
  std::vector<CopyUp> out;
  for (const auto& c : changes) {
    if (c.kind != ChangeKind::kChanged) continue;
    auto hit = FindInLowers(lowers, c.path);
    if (!hit || !S_ISREG(hit->mode)) continue;
    out.push_back({c.path, hit->size, hit->layer});
  }
  return out;
}

namespace {

Result<std::vector<TarEntry>> ChangesToEntries(const std::string& dir,
                                               const std::vector<Change>& changes) {
  std::vector<TarEntry> entries;
  std::map<std::pair<dev_t, ino_t>, std::vector<size_t>> links;  // inode -> entry indexes
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::kDeleted) {
      if (c.under_opaque) continue;  // the opaque marker already hides it
      std::string d, b;
      fsutil::SplitPath(c.path, &d, &b);
      TarEntry wh;
      wh.path = fsutil::JoinPath(d, std::string(kWhiteoutPrefix) + b);
      wh.mode = 0644;
      entries.push_back(std::move(wh));
      continue;
    }
    std::string host = dir + "/" + c.path;
    struct stat st;
    if (lstat(host.c_str(), &st) != 0) {
      return Status::FromErrno(fmt::format("stat `{}`", c.path), errno);
    }
    TarEntry e;
    e.path = c.path;
    e.mode = st.st_mode & 07777;
    // Rootless, the caller's ids are 0 inside the user namespace: record what the container saw.
    e.uid = (geteuid() != 0 && st.st_uid == geteuid()) ? 0 : st.st_uid;
    e.gid = (geteuid() != 0 && st.st_gid == getegid()) ? 0 : st.st_gid;
    e.mtime = st.st_mtim.tv_sec;
    for (auto& [k, v] : fsutil::ListXattrs(host)) {
      if (!fsutil::IsOverlayXattr(k)) e.xattrs[k] = v;
    }
    if (S_ISDIR(st.st_mode)) {
      e.type = TarEntry::Type::kDir;
      if (c.opaque) {
        TarEntry opq;
        opq.path = fsutil::JoinPath(c.path, std::string(kOpaqueMarker));
        opq.mode = 0644;
        entries.push_back(std::move(opq));
      }
    } else if (S_ISREG(st.st_mode)) {
      e.type = TarEntry::Type::kFile;
      e.source_path = host;
      if (st.st_nlink > 1) links[{st.st_dev, st.st_ino}].push_back(entries.size());
    } else if (S_ISLNK(st.st_mode)) {
      e.type = TarEntry::Type::kSymlink;
      std::error_code ec;
      e.link = std::filesystem::read_symlink(host, ec).string();
    } else if (S_ISFIFO(st.st_mode)) {
      e.type = TarEntry::Type::kFifo;
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      e.type = S_ISCHR(st.st_mode) ? TarEntry::Type::kCharDevice : TarEntry::Type::kBlockDevice;
      e.dev_major = major(st.st_rdev);
      e.dev_minor = minor(st.st_rdev);
    } else {
      continue;  // sockets are not part of a layer
    }
    entries.push_back(std::move(e));
  }
  // Hard links inside the layer: the first path (sorted) carries the data, the rest link to it.
  for (auto& [ino, idx] : links) {
    if (idx.size() < 2) continue;
    std::sort(idx.begin(), idx.end(),
              [&](size_t a, size_t b) { return entries[a].path < entries[b].path; });
    for (size_t i = 1; i < idx.size(); ++i) {
      TarEntry& l = entries[idx[i]];
      l.type = TarEntry::Type::kHardlink;
      l.link = entries[idx[0]].path;
      l.source_path.clear();
    }
  }
  return entries;
}

}  // namespace

Result<WrittenLayer> WriteChangesLayer(BlobStore& blobs, const std::string& dir,
                                       const std::vector<Change>& changes) {
  LL_ASSIGN_OR_RETURN(auto entries, ChangesToEntries(dir, changes));
  return WriteLayerTar(blobs, std::move(entries));
}

Result<WrittenLayer> WriteTreeTar(const std::string& dir, const std::string& out_path) {
  std::vector<Change> all;
  AddAllBelow(dir, "", &all);
  LL_ASSIGN_OR_RETURN(auto entries, ChangesToEntries(dir, all));
  return WriteTarFile(out_path, std::move(entries));
}

Result<int64_t> TreeSize(const std::string& dir) {
  int64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::none, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISREG(st.st_mode)) {
      if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
      total += st.st_size;
    } else if (S_ISLNK(st.st_mode)) {
      total += st.st_size;  // a symlink's size is its target's length
    }
  }
  if (ec) return Status::FromErrno(fmt::format("walk `{}`", dir), ec.value());
  return total;
}

namespace {

// Gives the owner rwx on every directory below `path` (that we own), so it can be emptied.
void OpenUpDirectories(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  if ((st.st_mode & 0700) != 0700) (void)chmod(path.c_str(), (st.st_mode & 07777) | 0700);
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return;
  std::vector<std::string> children;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") children.push_back(path + "/" + name);
  }
  closedir(d);
  for (const auto& c : children) OpenUpDirectories(c);
}

}  // namespace

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec == std::errc::permission_denied) {
    // Overlayfs leaves its work dir (work/work) with mode 000; run rootless, nothing but its
    // owner's permission bits let us in.
    OpenUpDirectories(path);
    ec.clear();
    std::filesystem::remove_all(path, ec);
  }
  if (ec) return Status::FromErrno(fmt::format("remove `{}`", path), ec.value());
  return Status::Ok();
}

}  // namespace layerlab
