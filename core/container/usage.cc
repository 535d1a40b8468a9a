// Disk usage in layer terms (see usage.h), and its narration.
#include "layerlab/usage.h"

#include <fmt/format.h>

#include <iterator>
#include <map>

#include "layerlab/digest.h"

namespace layerlab {

namespace {

std::string Names(const ImageRecord& img) {
  if (img.tags.empty()) return "<none>:<none>";
  std::string out;
  for (const auto& t : img.tags) {
    if (!out.empty()) out += ", ";
    out += t.repository + ":" + t.tag;
  }
  return out;
}

}  // namespace

std::string HumanSize(int64_t bytes, int precision) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  size_t i = 0;
  while (size >= 1000.0 && i + 1 < std::size(kUnits)) {
    size /= 1000.0;
    ++i;
  }
  return fmt::format("{:.{}g}{}", size, precision, kUnits[i]);
}

Result<DiskUsage> ComputeUsage(Store* store, Containers* containers) {
  DiskUsage u;
  LL_ASSIGN_OR_RETURN(auto images, store->ListImages());
  LL_ASSIGN_OR_RETURN(auto ctrs, containers->List());
  std::map<std::string, int64_t> layer_size;
  std::map<std::string, int> users;  // chain id -> images using it
  for (const auto& img : images) {
    for (const auto& l : img.layers) {
      ++users[l.chain_id];
      layer_size[l.chain_id] = l.size;
    }
  }
  for (const auto& [chain, size] : layer_size) u.layers_on_disk += size;
  std::map<std::string, int> per_image;
  for (const auto& c : ctrs) ++per_image[c.image_id];
  for (const auto& img : images) {
    ImageUsage iu;
    iu.image = img;
    for (const auto& l : img.layers) {
      (users[l.chain_id] > 1 ? iu.shared : iu.unique) += l.size;
    }
    iu.containers = per_image[img.id];
    if (iu.containers > 0) {
      ++u.active_images;
      u.in_use += iu.unique;  // what Docker counts as in use: the image's unique size
    }
    u.images.push_back(std::move(iu));
  }
  std::map<std::string, int64_t> image_size;
  for (const auto& img : images) image_size[img.id] = img.size;
  for (const auto& c : ctrs) {
    ContainerUsage cu;
    cu.container = c;
    auto w = containers->WritableSize(c);
    cu.writable = w ? *w : 0;
    cu.image = image_size[c.image_id];
    cu.siblings = per_image[c.image_id] - 1;
    u.writable_total += cu.writable;
    if (c.state == "running") {
      ++u.running;
    } else {
      u.writable_reclaimable += cu.writable;
    }
    u.containers.push_back(std::move(cu));
  }
  return u;
}

void ExplainUsage(const Tracer& t, const DiskUsage& u, const std::string& what) {
  if (!t.enabled()) return;
  const bool images = what != "containers", containers = what != "images";
  if (images) {
    int64_t column = 0, on_disk = 0;  // the SIZE column's sum; each distinct layer once
    std::map<std::string, int64_t> layers;
    for (const auto& iu : u.images) {
      t.Emit(TraceKind::kImageSize, iu.image.id,
             fmt::format("{} layer(s): {} shared with other images, {} its own",
                         iu.image.layers.size(), HumanSize(iu.shared), HumanSize(iu.unique)),
             iu.image.size, "", Names(iu.image));
      column += iu.rows * iu.image.size;
      for (const auto& l : iu.image.layers) layers[l.chain_id] = l.size;
    }
    for (const auto& [chain, size] : layers) on_disk += size;
    std::string why =
        column == on_disk
            ? fmt::format("nothing is counted twice: the SIZE column adds up to {}, what the {} "
                          "layer(s) take on disk",
                          HumanSize(column), layers.size())
            : fmt::format("the SIZE column adds up to {}, but the {} distinct layer(s) take {} "
                          "on disk: a layer shared by several images, or an image listed under "
                          "several names, is stored once",
                          HumanSize(column), layers.size(), HumanSize(on_disk));
    t.Emit(TraceKind::kSizeSummary, "images", why, on_disk, "",
           fmt::format("{} image(s)", u.images.size()));
  }
  if (containers) {
    int64_t copies = 0;  // what a full copy per container would take
    for (const auto& cu : u.containers) {
      copies += cu.writable + cu.image;
      t.Emit(TraceKind::kContainerSize, cu.container.id,
             fmt::format("virtual {} = {} writable + {} of read-only image layers, shared with "
                         "{} other container(s) of the same image",
                         HumanSize(cu.writable + cu.image), HumanSize(cu.writable), HumanSize(cu.image),
                         cu.siblings),
             cu.writable, cu.container.image_id, cu.container.name);
    }
    t.Emit(TraceKind::kSizeSummary, "containers",
           fmt::format("their writable layers take {}; a full copy of the image per container "
                       "would take {}",
                       HumanSize(u.writable_total), HumanSize(copies)),
           u.writable_total, "", fmt::format("{} container(s)", u.containers.size()));
  }
  if (images && containers) {
    t.Emit(TraceKind::kSizeSummary, "reclaimable",
           fmt::format("{} of layers, all but those that only images used by a container hold "
                       "(Docker's rule: a layer an unused image shares counts too), and {} of "
                       "writable layers of stopped containers",
                       HumanSize(u.layers_on_disk - u.in_use), HumanSize(u.writable_reclaimable)),
           u.layers_on_disk - u.in_use + u.writable_reclaimable, "",
           fmt::format("{} active image(s), {} running container(s)", u.active_images,
                       u.running));
  }
}

}  // namespace layerlab
