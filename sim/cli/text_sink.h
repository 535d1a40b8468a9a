// --explain and --step: the narrator. One aligned line per trace event on stderr, in English or
// French, coloured on a terminal (never when NO_COLOR is set); with --step it pauses at each
// step (Enter: next, c: continue without pausing, q: stop stepping) and draws the image's layer
// stack with each layer's size and the virtual size.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "layerlab/trace.h"

namespace layerlab::cli {

// One layer of a stack as --step draws it.
struct StackLayer {
  std::string id;  // short diff id
  int64_t size = 0;
  std::string created_by;
};

struct NarrationOptions {
  std::string lang = "en";  // "en" or "fr"
  bool color = false;
  bool step = false;
  // The layers of an image, bottom first (for --step); may be empty.
  std::function<std::vector<StackLayer>(const std::string& image_id)> layers;
  std::FILE* answers = nullptr;  // where --step reads Enter / c / q (the terminal)
};

class TextSink : public TraceSink {
 public:
  TextSink(std::FILE* out, NarrationOptions options);
  void Emit(const TraceEvent& event) override;

 private:
  bool IsPausePoint(const TraceEvent& e) const;
  void DrawStack(const std::string& image_id, bool writable_on_top);
  void Pause();

  std::FILE* out_;
  NarrationOptions options_;
  bool in_build_ = false;
  bool pausing_ = true;
  bool stacks_ = true;
  std::string container_image_;  // the image of the container being narrated
};

// The sentence for an event and the reason, in each language.
// An id as narration shows it: 12 hex digits for a digest ("sha256:...") or a container id.
std::string Short(const std::string& s);
std::string SentenceEn(const TraceEvent& e);
std::string SentenceFr(const TraceEvent& e);
std::string WhyFr(const TraceEvent& e);
// "en" or "fr": --lang if given, else from LC_ALL / LC_MESSAGES / LANG.
std::string NarrationLanguage(const std::string& flag);

}  // namespace layerlab::cli
