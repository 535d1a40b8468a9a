// `layerlab cp SRC_PATH CONTAINER:DEST_PATH` and `cp CONTAINER:SRC_PATH DEST_PATH`.
#include <stdlib.h>

#include <cerrno>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"
#include "layerlab/layer_fs.h"

namespace layerlab::cli {

namespace {

// "name:/path" -> {"name", "/path"}; a host path (no colon before the first slash) -> {"", path}.
std::pair<std::string, std::string> SplitCpArg(const std::string& arg) {
  size_t colon = arg.find(':');
  size_t slash = arg.find('/');
  if (colon == std::string::npos || (slash != std::string::npos && slash < colon) || colon == 0) {
    return {"", arg};
  }
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

}  // namespace

int CmdCp(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("archive,a", po::bool_switch(), "Archive mode (copy all uid/gid information)");
  VerbArgs va = ParseVerbArgs("cp",
                              "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH\n"
                              "\tlayerlab cp [OPTIONS] SRC_PATH CONTAINER:DEST_PATH",
                              "Copy files/folders between a container and the local filesystem",
                              opts, args, 2, 2);
  if (va.exit_code >= 0) return va.exit_code;
  auto [src_c, src] = SplitCpArg(va.positional[0]);
  auto [dst_c, dst] = SplitCpArg(va.positional[1]);
  if (src_c.empty() == dst_c.empty()) {
    return Fail(src_c.empty() ? "must specify at least one container source"
                              : "copying between containers is not supported");
  }
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(src_c.empty() ? dst_c : src_c);
  if (!c) return Fail(c.error());
  if (src_c.empty() && src == "-") {
    return Fail("cp - CONTAINER:PATH (a tar on stdin) is not supported yet: give a host path");
  }
  if (dst == "-") {
    // Docker: a tar of SRC_PATH (named by its base name) on stdout.
    char tmpl[] = "/tmp/layerlab-cp-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return Fail(Status::FromErrno("mkdtemp", errno));
    Status copied = (*containers)->CopyOut(*c, src, tmpl);
    Result<WrittenLayer> tar = copied.ok() ? WriteTreeTar(tmpl, "/dev/stdout")
                                           : Result<WrittenLayer>(copied);
    (void)RemoveTree(tmpl);
    if (!tar) return Fail(tar.error());
    return 0;
  }
  Status st = src_c.empty() ? (*containers)->CopyIn(*c, src, dst)
                            : (*containers)->CopyOut(*c, src, dst);
  if (!st.ok()) return Fail(st);
  return 0;
}

}  // namespace layerlab::cli
