// --explain: a plain-language line per trace event on stderr. The full narrator (colour, French,
// step-through) arrives with the tracer issue; this one already says what happened and why.
#pragma once

#include <cstdio>

#include "layerlab/trace.h"

namespace layerlab::cli {

class TextSink : public TraceSink {
 public:
  explicit TextSink(std::FILE* out) : out_(out) {}
  void Emit(const TraceEvent& event) override;

 private:
  std::FILE* out_;
};

}  // namespace layerlab::cli
