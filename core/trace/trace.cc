// Trace event names and the recording and JSON-lines sinks.
#include <chrono>

#include <nlohmann/json.hpp>

#include "layerlab/trace.h"

namespace layerlab {

inline constexpr int kTraceSchemaVersion = 1;

const char* TraceKindName(TraceKind kind) {
  switch (kind) {
    case TraceKind::kBlobWritten: return "blob_written";
    case TraceKind::kBlobExists: return "blob_exists";
    case TraceKind::kLayerCreated: return "layer_created";
    case TraceKind::kLayerShared: return "layer_shared";
    case TraceKind::kImageCreated: return "image_created";
    case TraceKind::kTagAdded: return "tag_added";
    case TraceKind::kTagMoved: return "tag_moved";
    case TraceKind::kTagRemoved: return "tag_removed";
    case TraceKind::kImageDeleted: return "image_deleted";
    case TraceKind::kLayerFreed: return "layer_freed";
    case TraceKind::kLayerKept: return "layer_kept";
    case TraceKind::kOrphanFound: return "orphan_found";
    case TraceKind::kOrphanRemoved: return "orphan_removed";
    case TraceKind::kStoreInitialized: return "store_initialized";
    case TraceKind::kSchemaMigrated: return "schema_migrated";
    case TraceKind::kLayerUnpacked: return "layer_unpacked";
    case TraceKind::kContainerCreated: return "container_created";
    case TraceKind::kWritableLayerCreated: return "writable_layer_created";
    case TraceKind::kUnionMounted: return "union_mounted";
    case TraceKind::kCopyUp: return "copy_up";
    case TraceKind::kWhiteout: return "whiteout";
    case TraceKind::kOpaqueDir: return "opaque_dir";
    case TraceKind::kContainerRemoved: return "container_removed";
    case TraceKind::kLaunchStep: return "launch_step";
    case TraceKind::kContainerExited: return "container_exited";
    case TraceKind::kBuildStep: return "build_step";
    case TraceKind::kCacheHit: return "cache_hit";
    case TraceKind::kCacheMiss: return "cache_miss";
    case TraceKind::kStepDone: return "step_done";
    case TraceKind::kImageSize: return "image_size";
    case TraceKind::kContainerSize: return "container_size";
    case TraceKind::kSizeSummary: return "size_summary";
    case TraceKind::kLayerCommitted: return "layer_committed";
    case TraceKind::kChangeListed: return "change_listed";
  }
  return "unknown";
}

std::vector<TraceKind> RecordingSink::Kinds() const {
  std::vector<TraceKind> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  return kinds;
}

std::string JsonLinesSink::ToJson(const TraceEvent& e) {
  nlohmann::ordered_json j;
  j["v"] = kTraceSchemaVersion;
  j["kind"] = TraceKindName(e.kind);
  j["subject"] = e.subject;
  if (!e.layer.empty()) j["layer"] = e.layer;
  if (e.bytes >= 0) j["bytes"] = e.bytes;
  if (!e.detail.empty()) j["detail"] = e.detail;
  if (!e.why.empty()) j["why"] = e.why;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<TraceEvent> JsonLinesSink::FromJson(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) return std::nullopt;
  std::string kind = j["kind"];
  for (int k = 0; k <= static_cast<int>(TraceKind::kLastKind); ++k) {
    if (kind != TraceKindName(static_cast<TraceKind>(k))) continue;
    TraceEvent e{static_cast<TraceKind>(k), j.value("subject", ""), j.value("layer", ""),
                 j.value("bytes", int64_t{-1}), j.value("detail", ""), j.value("why", "")};
    return e;
  }
  return std::nullopt;
}

void JsonLinesSink::Emit(const TraceEvent& event) {
  std::string line = ToJson(event);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace layerlab
