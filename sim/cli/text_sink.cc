// The narrator (see text_sink.h): English sentences, layout, colour, and --step.
#include "cli/text_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <unistd.h>

#include "cli/format.h"
#include "layerlab/digest.h"

namespace layerlab::cli {

std::string Short(const std::string& s) {
  if (s.rfind("sha256:", 0) == 0) return ShortId(s);
  bool hex = s.size() == 64 &&
             std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(c) && !std::isupper(c); });
  return hex ? s.substr(0, 12) : s;
}

std::string SentenceEn(const TraceEvent& e) {
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
      return fmt::format("image {} created ({})", Short(e.subject), bytes);
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
    case TraceKind::kImageSize:
      return fmt::format("image {} ({}): SIZE {} is its virtual size, the sum of its layers",
                         Short(e.subject), e.detail, bytes);
    case TraceKind::kContainerSize:
      return fmt::format("container {} ({}): SIZE {} is its writable layer only",
                         Short(e.subject), e.detail, bytes);
    case TraceKind::kSizeSummary:
      if (e.subject == "images") return fmt::format("{} listed, {} of layers on disk", e.detail, bytes);
      if (e.subject == "containers") return fmt::format("{}: {} written in all", e.detail, bytes);
      return fmt::format("reclaimable: {} ({})", bytes, e.detail);
    case TraceKind::kLayerCommitted:
      return fmt::format("container {}'s writable layer committed as layer {} ({}: {})",
                         Short(e.subject), Short(e.layer), bytes, e.detail);
    case TraceKind::kChangeListed: {
      std::string from = e.detail.size() > 2 ? e.detail.substr(2) : "";
      return fmt::format("{} /{}{}", e.detail.substr(0, 1), e.subject,
                         from.empty() ? "" : ", over the version " + from);
    }
  }
  return TraceKindName(e.kind);
}

namespace {

// A short label per kind of event, so lines align and a colour tells the subsystem.
struct Label {
  const char* text;
  int color;  // ANSI
};

Label LabelOf(TraceKind k) {
  switch (k) {
    case TraceKind::kBuildStep:
    case TraceKind::kStepDone: return {"build", 36};
    case TraceKind::kCacheHit:
    case TraceKind::kCacheMiss: return {"cache", 36};
    case TraceKind::kCopyUp: return {"copy-up", 33};
    case TraceKind::kChangeListed: return {"diff", 33};
    case TraceKind::kImageSize:
    case TraceKind::kContainerSize:
    case TraceKind::kSizeSummary: return {"size", 36};
    case TraceKind::kLayerCommitted: return {"commit", 32};
    case TraceKind::kWhiteout:
    case TraceKind::kOpaqueDir: return {"whiteout", 31};
    case TraceKind::kLaunchStep: return {"launch", 35};
    case TraceKind::kContainerCreated:
    case TraceKind::kContainerExited:
    case TraceKind::kContainerRemoved:
    case TraceKind::kWritableLayerCreated: return {"container", 34};
    case TraceKind::kUnionMounted: return {"union", 34};
    case TraceKind::kTagAdded:
    case TraceKind::kTagMoved:
    case TraceKind::kTagRemoved: return {"tag", 32};
    case TraceKind::kImageCreated:
    case TraceKind::kImageDeleted: return {"image", 32};
    case TraceKind::kLayerCreated:
    case TraceKind::kLayerShared:
    case TraceKind::kLayerFreed:
    case TraceKind::kLayerKept:
    case TraceKind::kLayerUnpacked: return {"layer", 32};
    default: return {"store", 32};
  }
}

std::string Cut(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "~";
}

}  // namespace

std::string NarrationLanguage(const std::string& flag) {
  if (!flag.empty()) return flag.rfind("fr", 0) == 0 ? "fr" : "en";
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return std::string(v).rfind("fr", 0) == 0 ? "fr" : "en";
  }
  return "en";
}

TextSink::TextSink(std::FILE* out, NarrationOptions options)
    : out_(out), options_(std::move(options)) {
  pausing_ = options_.step && options_.answers != nullptr;
  stacks_ = options_.step;
}

bool TextSink::IsPausePoint(const TraceEvent& e) const {
  switch (e.kind) {
    case TraceKind::kStepDone:
    case TraceKind::kCacheHit:
    case TraceKind::kLaunchStep:
    case TraceKind::kContainerExited: return true;
    case TraceKind::kImageCreated:
    case TraceKind::kImageDeleted:
    case TraceKind::kTagAdded:
    case TraceKind::kTagMoved:
    case TraceKind::kTagRemoved:
    case TraceKind::kContainerCreated:
    case TraceKind::kCopyUp:
    case TraceKind::kWhiteout: return !in_build_;
    default: return false;
  }
}

void TextSink::Emit(const TraceEvent& event) {
  if (event.kind == TraceKind::kBuildStep) in_build_ = true;
  if (event.kind == TraceKind::kContainerCreated) container_image_ = event.layer;
  const bool fr = options_.lang == "fr";
  std::string sentence = fr ? SentenceFr(event) : SentenceEn(event);
  std::string why = fr ? WhyFr(event) : event.why;
  Label label = LabelOf(event.kind);
  auto paint = [&](const std::string& s, int code) {
    return options_.color ? fmt::format("\033[{}m{}\033[0m", code, s) : s;
  };
  std::string line = fmt::format("[explain] {} {}", paint(fmt::format("{:<9}", label.text),
                                                           label.color), sentence);
  if (!why.empty()) line += " " + paint(fmt::format("— {}", why), 2);
  fmt::print(out_, "{}\n", line);
  if (stacks_ && IsPausePoint(event)) {
    if (event.kind == TraceKind::kStepDone || event.kind == TraceKind::kCacheHit) {
      DrawStack(event.detail, false);
    } else if (event.kind == TraceKind::kContainerExited) {
      DrawStack(container_image_, true);
    }
    Pause();
  }
  std::fflush(out_);
}

void TextSink::DrawStack(const std::string& image_id, bool writable_on_top) {
  if (!options_.layers || image_id.empty()) return;
  std::vector<StackLayer> layers = options_.layers(image_id);
  const bool fr = options_.lang == "fr";
  int64_t total = 0, biggest = 1;
  for (const auto& l : layers) {
    total += l.size;
    biggest = std::max(biggest, l.size);
  }
  const std::string rule = "  +" + std::string(86, '-') + "+";
  fmt::print(out_, "{}\n", rule);
  if (writable_on_top) {
    fmt::print(out_, "  | {:<84} |\n",
               fr ? "   (couche inscriptible du conteneur, au-dessus de tout)"
                  : "   (the container's writable layer, on top of everything)");
  }
  for (size_t i = layers.size(); i-- > 0;) {
    const StackLayer& l = layers[i];
    int bar = l.size == 0 ? 0 : std::max<int>(1, static_cast<int>(20 * l.size / biggest));
    fmt::print(out_, "  | {:>2} {} {:>8} {:<20} {:<36} |\n", i + 1, l.id, HumanSize(l.size),
               std::string(static_cast<size_t>(bar), '#'), Cut(l.created_by, 36));
  }
  fmt::print(out_, "{}\n", rule);
  if (fr) {
    fmt::print(out_, "  taille virtuelle {} = la somme de {} couche(s)\n", HumanSize(total),
               layers.size());
  } else {
    fmt::print(out_, "  virtual size {} = the sum of {} layer(s)\n", HumanSize(total),
               layers.size());
  }
}

void TextSink::Pause() {
  if (!pausing_) return;
  const bool fr = options_.lang == "fr";
  fmt::print(out_, "{}", fr ? "[pas à pas] Entrée : suivant · c : continuer sans pause · q : "
                              "arrêter le pas à pas "
                            : "[step] Enter: next · c: continue without pausing · q: stop "
                              "stepping ");
  std::fflush(out_);
  char buf[64];
  if (std::fgets(buf, sizeof buf, options_.answers) == nullptr) {
    pausing_ = false;
    fmt::print(out_, "\n");
    return;
  }
  if (!isatty(fileno(options_.answers))) fmt::print(out_, "\n");  // no echo to end the line
  if (buf[0] == 'c' || buf[0] == 'C') pausing_ = false;
  if (buf[0] == 'q' || buf[0] == 'Q') {
    pausing_ = false;
    stacks_ = false;
  }
}

}  // namespace layerlab::cli
