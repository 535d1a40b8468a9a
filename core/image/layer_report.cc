// Reads each layer tar of an image in order, keeping the stacked view (path -> size) to tell
// added from changed, and to size what a whiteout deletes; then dive's efficiency over it.
#include "layerlab/layer_report.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "layerlab/layer_fs.h"
#include "layerlab/whiteout.h"

namespace layerlab {

namespace {

// The stacked tree so far: path -> {size, is_dir}.
struct Stacked {
  std::map<std::string, std::pair<int64_t, bool>> entries;

  // The size of `path` and, for a directory, of everything below it.
  int64_t SizeBelow(const std::string& path) const {
    auto it = entries.find(path);
    if (it == entries.end()) return 0;
    if (!it->second.second) return it->second.first;
    int64_t total = 0;
    std::string prefix = path + "/";
    for (auto j = entries.lower_bound(prefix); j != entries.end() && j->first.rfind(prefix, 0) == 0;
         ++j) {
      if (!j->second.second) total += j->second.first;
    }
    return total;
  }
  void Remove(const std::string& path) {
    entries.erase(path);
    std::string prefix = path + "/";
    auto j = entries.lower_bound(prefix);
    while (j != entries.end() && j->first.rfind(prefix, 0) == 0) j = entries.erase(j);
  }
};

std::string Parent(const std::string& p) {
  size_t s = p.rfind('/');
  return s == 0 || s == std::string::npos ? "/" : p.substr(0, s);
}

Result<std::vector<LayerFile>> ReadLayer(const std::string& tar, Stacked* stacked) {
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                             archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), tar.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::Corrupt(fmt::format("layer `{}`: {}", tar, archive_error_string(a.get())));
  }
  std::vector<LayerFile> files;
  std::vector<std::string> opaque_dirs;
  struct archive_entry* e;
  int r;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    auto clean = CleanEntryPath(archive_entry_pathname(e));
    if (!clean || clean->empty()) continue;
    std::string path = "/" + *clean;
    std::string base = path.substr(path.rfind('/') + 1);
    if (base == kOpaqueMarker) {
      opaque_dirs.push_back(Parent(path));
      continue;
    }
    if (base.rfind(kWhiteoutPrefix, 0) == 0) {
      std::string target = Parent(path);
      target = (target == "/" ? "" : target) + "/" + base.substr(kWhiteoutPrefix.size());
      LayerFile f{target, 'D', 'o', stacked->SizeBelow(target), false};
      stacked->Remove(target);
      files.push_back(f);
      continue;
    }
    LayerFile f;
    f.path = path;
    mode_t type = archive_entry_filetype(e);
    f.type = archive_entry_hardlink(e) ? 'h'
             : type == AE_IFDIR        ? 'd'
             : type == AE_IFREG        ? 'f'
             : type == AE_IFLNK        ? 'l'
                                       : 'o';
    f.size = f.type == 'f' ? archive_entry_size(e)
             : f.type == 'l' && archive_entry_symlink(e)
                 ? static_cast<int64_t>(strlen(archive_entry_symlink(e)))
                 : 0;
    f.change = stacked->entries.count(path) ? 'C' : 'A';
    stacked->entries[path] = {f.size, f.type == 'd'};
    files.push_back(f);
  }
  if (r != ARCHIVE_EOF) {
    return Status::Corrupt(fmt::format("layer `{}`: {}", tar, archive_error_string(a.get())));
  }
  // An opaque directory hides what lower layers had below it (their files are deleted).
  for (const auto& dir : opaque_dirs) {
    for (auto& f : files) {
      if (f.path == dir) f.opaque = true;
    }
  }
  return files;
}

}  // namespace

Result<LayerReport> ReportLayers(Store* store, Images* images, const std::string& image) {
  LL_ASSIGN_OR_RETURN(ImageRecord img, images->Get(image));
  LL_ASSIGN_OR_RETURN(ImageConfig cfg, images->ConfigOf(img.id));
  LayerReport report;
  report.image_id = img.id;
  std::vector<std::string> made_by;
  for (const auto& h : cfg.history) {
    if (!h.empty_layer) made_by.push_back(h.created_by);
  }
  Stacked stacked;
  // dive: per path (leaves only), the sum of all versions and the smallest one.
  struct Versions {
    int count = 0;
    int64_t total = 0;
    int64_t min = -1;
  };
  std::map<std::string, Versions> versions;
  for (size_t i = 0; i < img.layers.size(); ++i) {
    const LayerRecord& l = img.layers[i];
    LayerInfo info;
    info.index = static_cast<int>(i) + 1;
    info.diff_id = l.diff_id;
    info.size = l.size;
    if (i < made_by.size()) info.created_by = made_by[i];
    LL_ASSIGN_OR_RETURN(info.files, ReadLayer(store->blobs().PathOf(l.diff_id), &stacked));
    for (const auto& f : info.files) {
      if (f.type == 'd') continue;
      Versions& v = versions[f.path];
      ++v.count;
      v.total += f.size;
      if (v.min < 0 || f.size < v.min) v.min = f.size;
    }
    report.total_size += l.size;
    report.layers.push_back(std::move(info));
  }
  int64_t min_sum = 0, all_sum = 0;
  for (const auto& [path, v] : versions) {
    min_sum += v.min;
    all_sum += v.total;
    if (v.count >= 2) {
      report.wasted.push_back({path, v.count, v.total});
      report.wasted_bytes += v.total;
    }
  }
  report.efficiency = all_sum == 0 ? 1.0 : static_cast<double>(min_sum) / all_sum;
  std::sort(report.wasted.begin(), report.wasted.end(), [](const auto& a, const auto& b) {
    return a.total_size != b.total_size ? a.total_size > b.total_size : a.path < b.path;
  });
  return report;
}

std::vector<PathEvent> PathHistory(const LayerReport& report, const std::string& path) {
  std::string p = path.empty() || path[0] != '/' ? "/" + path : path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::vector<PathEvent> out;
  for (const auto& l : report.layers) {
    for (const auto& f : l.files) {
      // The path itself, or a deletion / opaque directory above it.
      bool self = f.path == p;
      bool above = p.rfind(f.path + "/", 0) == 0 && (f.change == 'D' || f.opaque);
      if (self || above) {
        out.push_back({l.index, l.diff_id, l.created_by, above ? 'D' : f.change, f.size});
      }
    }
  }
  return out;
}

}  // namespace layerlab
