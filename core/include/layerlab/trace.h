// The tracer seam: every part of the engine reports what it does, and why, as TraceEvents sent to
// a TraceSink. A Tracer is a cheap value holding a nullable, non-owned sink; it is passed in
// (constructors or a context), never kept in a global. Emitting to a null sink costs nothing.
// Sinks are not required to be thread-safe; one Tracer is used from one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace layerlab {

// What happened. The JSON name of each kind is its snake_case spelling (see TraceKindName);
// the JSON-lines schema is documented in core/trace/README.md. Add kinds at the end.
enum class TraceKind {
  kBlobWritten,     // a blob landed in blobs/sha256 (subject = digest, bytes = size)
  kBlobExists,      // a blob was already stored, nothing written (content addressing)
  kLayerCreated,    // a layer row was added (subject = chain id, layer = diff id)
  kLayerShared,     // a layer was already in the store; the new image shares it
  kImageCreated,    // subject = image id
  kTagAdded,        // subject = reference, detail = image id
  kTagMoved,        // subject = reference, detail = new image id, why names the old one
  kTagRemoved,      // subject = reference ("Untagged:")
  kImageDeleted,    // subject = image id
  kLayerFreed,      // no image uses the layer any more; its files are removed
  kLayerKept,       // the deleted image used it, but another image still does
  kOrphanFound,     // system check: a file no row refers to
  kOrphanRemoved,
  kStoreInitialized,  // a fresh store was created (subject = root)
  kSchemaMigrated,    // detail = "v1 -> v2"
  kLayerUnpacked,     // a layer tar became a directory (an overlay lowerdir); subject = chain id
  kContainerCreated,  // subject = container id, detail = name; layer = the image id
  kWritableLayerCreated,  // subject = the upper dir (or full copy), bytes = its size
  kUnionMounted,      // subject = mount point, detail = driver and layer count
  kCopyUp,            // subject = path, bytes = bytes copied, layer = the lower's diff id
  kWhiteout,          // subject = path deleted from a lower layer
  kOpaqueDir,         // subject = directory whose lower contents are now hidden
  kContainerRemoved,  // subject = container id, bytes = writable layer size freed
  kLaunchStep,        // subject = one step of the launch plan (clone flags, maps, a mount, exec)
  kContainerExited,   // subject = container id, detail = exit code
  kBuildStep,         // subject = instruction (as the history shows it), detail = "[2/5]" or "" (metadata)
  kCacheHit,          // subject = instruction, layer = the reused layer's diff id, detail = image id
  kCacheMiss,         // subject = instruction, why = the reason
  kStepDone,          // subject = instruction, layer = new diff id or "", bytes = layer size, detail = image id; why = virtual size
  kImageSize,         // subject = image id, bytes = its SIZE (virtual), detail = its names; why = shared vs own
  kContainerSize,     // subject = container id, bytes = writable layer, layer = image id, detail = name; why = virtual
  kSizeSummary,       // subject = "images" | "containers" | "reclaimable", bytes = on disk; why = why sums differ
  kLayerCommitted,    // subject = container id, layer = new diff id, bytes = its size, detail = A/C/D counts
  kChangeListed,      // subject = path, detail = "A" | "C" | "D", layer = the lower layer's diff id it hides
  kLastKind = kChangeListed,
};

const char* TraceKindName(TraceKind kind);

struct TraceEvent {
  TraceKind kind;
  std::string subject;  // what the event is about: a digest, a reference, a path
  std::string layer;    // the layer involved (diff id or chain id), if any
  int64_t bytes = -1;   // a size, if any (-1 = none)
  std::string detail;   // more facts, short
  std::string why;      // the reason, in plain words: "no other image uses it"
};

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void Emit(const TraceEvent& event) = 0;
};

class Tracer {
 public:
  Tracer() = default;
  explicit Tracer(TraceSink* sink) : sink_(sink) {}
  bool enabled() const { return sink_ != nullptr; }
  void Emit(const TraceEvent& event) const {
    if (sink_ != nullptr) sink_->Emit(event);
  }
  void Emit(TraceKind kind, std::string subject, std::string why = {}, int64_t bytes = -1,
            std::string layer = {}, std::string detail = {}) const {
    if (sink_ == nullptr) return;
    sink_->Emit(TraceEvent{kind, std::move(subject), std::move(layer), bytes, std::move(detail),
                           std::move(why)});
  }

 private:
  TraceSink* sink_ = nullptr;
};

// Keeps every event, for tests that assert the exact sequence.
class RecordingSink : public TraceSink {
 public:
  void Emit(const TraceEvent& event) override { events.push_back(event); }
  std::vector<TraceKind> Kinds() const;
  std::vector<TraceEvent> events;
};

// Sends each event to several sinks (nulls skipped), in order.
class TeeSink : public TraceSink {
 public:
  explicit TeeSink(std::vector<TraceSink*> sinks) : sinks_(std::move(sinks)) {}
  void Emit(const TraceEvent& event) override {
    for (TraceSink* s : sinks_) {
      if (s != nullptr) s->Emit(event);
    }
  }

 private:
  std::vector<TraceSink*> sinks_;
};

// Writes one JSON object per line (schema in core/trace/README.md) to a FILE it does not own.
// Each line is flushed so a reader (or a killed process) sees whole lines.
class JsonLinesSink : public TraceSink {
 public:
  explicit JsonLinesSink(std::FILE* out) : out_(out) {}
  void Emit(const TraceEvent& event) override;
  // The JSON text of one event, without the newline.
  static std::string ToJson(const TraceEvent& event);
  // The event a line of ToJson holds; nullopt for anything else (an unknown kind included).
  static std::optional<TraceEvent> FromJson(const std::string& line);

 private:
  std::FILE* out_;
};

}  // namespace layerlab
