// Narrates trace events as one plain sentence each.
#include "cli/text_sink.h"

#include <fmt/format.h>

#include "cli/format.h"
#include "layerlab/digest.h"

namespace layerlab::cli {

namespace {

std::string Short(const std::string& s) {
  return s.rfind("sha256:", 0) == 0 ? ShortId(s) : s;
}

std::string Sentence(const TraceEvent& e) {
  std::string bytes = e.bytes >= 0 ? HumanSize(e.bytes) : "";
  switch (e.kind) {
    case TraceKind::kBlobWritten:
      return fmt::format("stored blob {} ({})", Short(e.subject), bytes);
    case TraceKind::kBlobExists:
      return fmt::format("blob {} is already stored; nothing written", Short(e.subject));
    case TraceKind::kLayerCreated:
      return fmt::format("new layer {} (diff {}, {})", Short(e.subject), Short(e.layer), bytes);
    case TraceKind::kLayerShared:
      return fmt::format("layer {} is already stored and is shared, not copied ({})",
                         Short(e.subject), bytes);
    case TraceKind::kImageCreated:
      return fmt::format("image {} created: {}, {}", Short(e.subject), e.detail, bytes);
    case TraceKind::kTagAdded:
      return fmt::format("tag {} -> image {}", e.subject, Short(e.detail));
    case TraceKind::kTagMoved:
      return fmt::format("tag {} moved to image {}", e.subject, Short(e.detail));
    case TraceKind::kTagRemoved:
      return fmt::format("tag {} removed", e.subject);
    case TraceKind::kImageDeleted:
      return fmt::format("image {} deleted", Short(e.subject));
    case TraceKind::kLayerFreed:
      return fmt::format("layer {} freed ({})", Short(e.subject), bytes);
    case TraceKind::kLayerKept:
      return fmt::format("layer {} kept", Short(e.subject));
    case TraceKind::kOrphanFound:
      return fmt::format("orphan {}", e.subject);
    case TraceKind::kOrphanRemoved:
      return fmt::format("removed {}", e.subject);
    case TraceKind::kStoreInitialized:
      return fmt::format("new store at {}", e.subject);
    case TraceKind::kSchemaMigrated:
      return fmt::format("store schema upgraded {}", e.detail);
    case TraceKind::kLayerUnpacked:
      return fmt::format("layer {} unpacked for use as a read-only lower layer", Short(e.subject));
    case TraceKind::kContainerCreated:
      return fmt::format("container {} ({}) created from image {}", Short(e.subject), e.detail,
                         Short(e.layer));
    case TraceKind::kWritableLayerCreated:
      return fmt::format("writable layer {} ({})", e.subject, bytes);
    case TraceKind::kUnionMounted:
      return fmt::format("union mounted at {}: {}", e.subject, e.detail);
    case TraceKind::kCopyUp:
      return fmt::format("copy-up of /{} ({}) {}", e.subject, bytes, e.detail);
    case TraceKind::kWhiteout:
      return fmt::format("whiteout for /{}", e.subject);
    case TraceKind::kOpaqueDir:
      return fmt::format("opaque directory /{}", e.subject);
    case TraceKind::kLaunchStep:
      return fmt::format("launch: {}", e.subject);
    case TraceKind::kContainerExited:
      return fmt::format("container {} exited with code {}", Short(e.subject), e.detail);
    case TraceKind::kBuildStep:
      return fmt::format("step {}: {}", e.detail.empty() ? "(metadata)" : e.detail, e.subject);
    case TraceKind::kCacheHit:
      return fmt::format("cache hit: reusing image {}{}", Short(e.detail),
                         e.layer.empty() ? "" : fmt::format(" and its layer {}", Short(e.layer)));
    case TraceKind::kCacheMiss:
      return "cache miss";
    case TraceKind::kStepDone:
      return e.layer.empty()
                 ? fmt::format("no layer, metadata only; image {}", Short(e.detail))
                 : fmt::format("new layer {} ({}); image {}", Short(e.layer), bytes,
                               Short(e.detail));
    case TraceKind::kContainerRemoved:
      return fmt::format("container {} removed ({} writable layer freed)", Short(e.subject),
                         bytes);
  }
  return TraceKindName(e.kind);
}

}  // namespace

void TextSink::Emit(const TraceEvent& event) {
  std::string line = Sentence(event);
  if (!event.why.empty()) line += fmt::format(" — {}", event.why);
  fmt::print(out_, "[explain] {}\n", line);
  std::fflush(out_);
}

}  // namespace layerlab::cli
