// Disk usage in layer terms: what `images`, `ps -s` and `system df` print, and why their sizes
// do not add up. An image's SIZE is its virtual size (the sum of its layers); a layer that two
// images share is listed in both but stored once. A container's SIZE is its writable layer; its
// virtual size adds the image's read-only layers, which every container of that image shares.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layerlab/containers.h"
#include "layerlab/store.h"

namespace layerlab {

struct ImageUsage {
  ImageRecord image;
  int64_t shared = 0;  // bytes of its layers that another image also uses
  int64_t unique = 0;  // bytes of its layers no other image uses
  int containers = 0;  // containers made from it
  int rows = 1;        // how many rows `images` prints for it (one per tag)
};

struct ContainerUsage {
  ContainerInfo container;
  int64_t writable = 0;  // the writable layer (ps -s SIZE)
  int64_t image = 0;     // its image's layers (virtual = writable + image)
  int siblings = 0;      // other containers of the same image (they share its layers)
};

struct DiskUsage {
  std::vector<ImageUsage> images;           // as ListImages orders them
  std::vector<ContainerUsage> containers;   // as Containers::List orders them
  int64_t layers_on_disk = 0;   // each distinct layer once (system df's Images SIZE)
  int64_t in_use = 0;           // unique bytes of images some container uses
  int64_t writable_total = 0;   // all containers' writable layers
  int64_t writable_reclaimable = 0;  // those of containers not running
  int active_images = 0, running = 0;
};

// go-units HumanSizeWithPrecision(size, precision): "4.26MB", "0B", "1.23kB". Docker's tables use
// precision 3; units.HumanSize (prune totals, VirtualSize in --format) uses 4: "1.982MB".
std::string HumanSize(int64_t bytes, int precision = 3);

Result<DiskUsage> ComputeUsage(Store* store, Containers* containers);

// Narrates usage (image_size / container_size / size_summary events) for `images` (what =
// "images": the images in usage.images, each counted `rows` times in the SIZE column), `ps -s`
// ("containers"), or both (`system df`, "all").
void ExplainUsage(const Tracer& tracer, const DiskUsage& usage, const std::string& what);

}  // namespace layerlab
