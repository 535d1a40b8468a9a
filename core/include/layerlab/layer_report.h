// `layers IMAGE`: what each layer of an image holds, read from the layer tars themselves: its
// files (added, changed, or deleted by a whiteout), the history entry that made it, the bytes
// wasted by files that later layers overwrite or delete, and dive's efficiency score. Also the
// provenance of one path: which instruction added, changed or deleted it. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layerlab/images.h"
#include "layerlab/store.h"

namespace layerlab {

struct LayerFile {
  std::string path;  // "/app/app.py"
  char change = 'A';  // A added, C changed (it was in a lower layer), D deleted (a whiteout)
  char type = 'f';    // f file, d directory, l symlink, h hard link, o other
  int64_t size = 0;   // bytes (for D: what the deletion hides)
  bool opaque = false;  // a directory marked opaque (hides the lower layers' contents)
};

struct LayerInfo {
  int index = 0;  // 1 = bottom
  std::string diff_id;
  std::string created_by;  // the history entry that made it ("" when the history is missing)
  int64_t size = 0;
  std::vector<LayerFile> files;  // in tar order (sorted for layers layerlab wrote)
};

struct WastedPath {
  std::string path;
  int count = 0;            // how many layers hold a version of it (or delete it)
  int64_t total_size = 0;   // the bytes of all those versions
};

struct LayerReport {
  std::string image_id;
  std::vector<LayerInfo> layers;
  int64_t total_size = 0;      // the sum of the layers (the virtual size)
  int64_t wasted_bytes = 0;    // dive: all versions of paths that appear in 2+ layers
  double efficiency = 1.0;     // dive: smallest version of each path / all versions
  std::vector<WastedPath> wasted;  // biggest first
};

Result<LayerReport> ReportLayers(Store* store, Images* images, const std::string& image);

// One event in a path's life: which layer (and instruction) added, changed or deleted it.
struct PathEvent {
  int layer = 0;
  std::string diff_id;
  std::string created_by;
  char change = 'A';
  int64_t size = 0;
};
std::vector<PathEvent> PathHistory(const LayerReport& report, const std::string& path);

}  // namespace layerlab
