// --explain=html:FILE: one self-contained HTML page (inline CSS and JS, no network) that steps
// through a trace on a projector: per step the instruction, cache hit or miss, the layer stack
// with size bars, copy-ups, whiteouts and opaque dirs; and a browser of the final image's files
// that tells which instruction added, changed or deleted each one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "layerlab/layer_report.h"
#include "layerlab/trace.h"

namespace layerlab::render {

// The whole page. `events` in the order they happened; a trace with build_step events is shown
// one instruction per step (build_step up to its step_done or cache_hit; events before the first
// step and after the last one are listed with the first and last steps), any other trace one
// event per step. `report` (optional) is the final image's LayerReport: it gives the base
// layers' names and the file browser. `lang` "fr..." gives French labels, anything else English
// (event text stays as given). `title` heads the page (HTML-escaped here).
//
// The page opens at `#step=N` (1-based) when the URL says so; `&next=K` steps forward K times
// on load, `&press=KEY` dispatches a keydown of KEY, `&file=PATH` selects a file. What is shown
// is readable from the DOM: body[data-step][data-steps], #counter, #instruction, #line, #cache
// [data-cache], #stack[data-count] > li.layer[data-diff-id][data-size], #virtual-size
// [data-bytes], #copyups[data-count] > li.copyup[data-path][data-bytes][data-from],
// #whiteouts[data-count] > li.whiteout / li.opaque [data-path], #files li.file[data-path]
// [data-change][data-touched], #history[data-path] > li.hist[data-layer][data-change].
// Never fails; thread-compatible.
std::string RenderHtmlPage(const std::vector<TraceEvent>& events,
                           const std::optional<LayerReport>& report, const std::string& lang,
                           const std::string& title);

// The image whose LayerReport the page wants: the last image the trace names (a tag's target,
// a step's result, a created image, a container's image), skipping images the trace deleted
// afterwards; "" when there is none.
std::string LastImageInTrace(const std::vector<TraceEvent>& events);

}  // namespace layerlab::render
