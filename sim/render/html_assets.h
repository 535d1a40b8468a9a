// The fixed parts of the --explain=html page: its stylesheet, its body skeleton and its script
// (html_assets.cc). Private to sim/render.
#pragma once

namespace layerlab::render {

extern const char kHtmlPageCss[];
extern const char kHtmlPageBody[];
extern const char kHtmlPageJs[];

}  // namespace layerlab::render
