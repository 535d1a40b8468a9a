// `layerlab save [-o FILE] [--format docker-archive|oci-dir] IMAGE...` and
// `layerlab load [-i FILE] [-q]` / `layerlab load --format oci-dir DIR[:TAG]`.
#include <unistd.h>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"
#include "layerlab/transfer.h"

namespace layerlab::cli {

namespace {

Result<ArchiveFormat> ParseFormat(const std::string& s) {
  if (s == "docker-archive" || s == "docker" || s.empty()) return ArchiveFormat::kDockerArchive;
  if (s == "oci-dir" || s == "oci") return ArchiveFormat::kOciDir;
  return Status::InvalidArgument(
      fmt::format("unknown format \"{}\": use docker-archive or oci-dir", s));
}

}  // namespace

int CmdSave(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("output,o", po::value<std::string>(), "Write to a file, instead of STDOUT")(
      "format", po::value<std::string>()->default_value("docker-archive"),
      "docker-archive (a tar Docker and OCI tools read) or oci-dir (an OCI layout directory)");
  VerbArgs va = ParseVerbArgs("save", "save [OPTIONS] IMAGE [IMAGE...]",
                              "Save one or more images to a tar archive (streamed to STDOUT by "
                              "default)",
                              opts, args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  auto format = ParseFormat(va.vm["format"].as<std::string>());
  if (!format) return Fail(format.error());
  std::string out = va.vm.count("output") ? va.vm["output"].as<std::string>() : "-";
  if (*format == ArchiveFormat::kOciDir && out == "-") {
    return Fail("--format oci-dir needs -o DIR");
  }
  auto store = ctx.store();
  auto images = ctx.images();
  if (!store || !images) return Fail(!store ? store.error() : images.error());
  Status st = SaveImages(*store, *images, va.positional, out, *format);
  if (!st.ok()) return Fail(st);
  return 0;
}

int CmdLoad(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("input,i", po::value<std::string>(),
                     "Read from tar archive file, instead of STDIN")(
      "quiet,q", po::bool_switch(), "Suppress the load output")(
      "format", po::value<std::string>()->default_value("docker-archive"),
      "docker-archive (any docker save or OCI archive) or oci-dir (then give DIR[:TAG])");
  VerbArgs va = ParseVerbArgs("load", "load [OPTIONS] | load --format oci-dir DIR[:TAG]",
                              "Load an image from a tar archive or STDIN", opts, args, 0, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto format = ParseFormat(va.vm["format"].as<std::string>());
  if (!format) return Fail(format.error());
  std::string in = va.vm.count("input") ? va.vm["input"].as<std::string>() : "-";
  std::string tag;
  if (*format == ArchiveFormat::kOciDir) {
    if (va.positional.empty()) return Fail("--format oci-dir needs a directory: load --format oci-dir DIR[:TAG]");
    in = va.positional[0];
    size_t colon = in.rfind(':');
    if (colon != std::string::npos && in.find('/', colon) == std::string::npos) {
      tag = in.substr(colon + 1);
      in = in.substr(0, colon);
    }
  } else if (!va.positional.empty()) {
    return UsageError("load", "\"layerlab load\" accepts no arguments (use -i FILE)");
  }
  if (in == "-" && isatty(0)) {
    return Fail("requested load from stdin, but stdin is empty");
  }
  auto store = ctx.store();
  auto images = ctx.images();
  if (!store || !images) return Fail(!store ? store.error() : images.error());
  auto loaded = LoadImages(*store, *images, in, *format, tag);
  if (!loaded) return Fail(loaded.error());
  if (va.vm["quiet"].as<bool>()) return 0;
  for (const auto& img : *loaded) {
    if (img.tags.empty()) fmt::print("Loaded image ID: {}\n", img.id);
    for (const auto& t : img.tags) fmt::print("Loaded image: {}\n", t);
  }
  return 0;
}

}  // namespace layerlab::cli
