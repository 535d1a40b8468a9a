// `layerlab build [-t NAME]... [-f FILE] [--no-cache] [--target S] [--build-arg K=V]... [-q] DIR`,
// printed like `docker build --progress=plain`, plus why each cache miss happened.
#include <unistd.h>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"
#include "layerlab/builder.h"

namespace layerlab::cli {

namespace {

// BuildKit's plain progress on stderr: "#5 [2/3] COPY . /app", "#5 CACHED", "#5 DONE 0.1s".
class PlainProgress : public BuildProgress {
 public:
  explicit PlainProgress(bool quiet) : quiet_(quiet) {}
  bool printed() const { return printed_; }
  void Started(const BuildStep& step) override {
    if (quiet_ || step.vertex == 0) return;
    printed_ = true;
    fmt::print(stderr, "#{} {}\n", step.vertex, step.name);
    std::fflush(stderr);
  }
  void Missed(const BuildStep& step) override {
    if (quiet_ || step.vertex == 0 || step.miss_reason.empty()) return;
    size_t open = step.name.find('['), slash = step.name.find('/'), close = step.name.find(']');
    std::string where = step.name.substr(open + 1, close - open - 1);
    if (size_t sp = where.rfind(' '); sp != std::string::npos) where = where.substr(sp + 1);
    (void)slash;
    fmt::print(stderr, "#{} cache miss at step {}: {}\n", step.vertex, where, step.miss_reason);
    std::fflush(stderr);
  }
  void Finished(const BuildStep& step) override {
    if (quiet_ || step.vertex == 0) return;
    if (step.cached) {
      fmt::print(stderr, "#{} CACHED{}\n\n", step.vertex,
                 step.layer.empty() ? ""
                                    : fmt::format(" (reused layer {}, {})", ShortId(step.layer),
                                                  HumanSize(step.layer_size)));
    } else {
      fmt::print(stderr, "#{} DONE {:.1f}s\n\n", step.vertex, step.seconds);
    }
    std::fflush(stderr);
  }
  void Note(const std::string& line) override {
    if (quiet_) return;
    printed_ = true;
    fmt::print(stderr, "{}\n", line);
    std::fflush(stderr);
  }

 private:
  bool quiet_;
  bool printed_ = false;
};

}  // namespace

int CmdBuild(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("tag,t", po::value<std::vector<std::string>>()->composing(),
       "Name and optionally a tag (format: \"name:tag\")")
      ("file,f", po::value<std::string>(), "Name of the Dockerfile (default: \"PATH/Dockerfile\")")
      ("no-cache", po::bool_switch(), "Do not use cache when building the image")
      ("target", po::value<std::string>(), "Set the target build stage to build")
      ("build-arg", po::value<std::vector<std::string>>()->composing(), "Set build-time variables")
      ("quiet,q", po::bool_switch(), "Suppress the build output and print image ID on success")
      ("progress", po::value<std::string>()->default_value("plain"),
       "Set type of progress output (plain; auto and tty print the same)");
  VerbArgs va = ParseVerbArgs("build", "build [OPTIONS] PATH", "Build an image from a Dockerfile",
                              opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  BuildOptions bo;
  bo.context_dir = va.positional[0];
  if (va.vm.count("file")) bo.dockerfile = va.vm["file"].as<std::string>();
  if (va.vm.count("tag")) bo.tags = va.vm["tag"].as<std::vector<std::string>>();
  if (va.vm.count("target")) bo.target = va.vm["target"].as<std::string>();
  bo.no_cache = va.vm["no-cache"].as<bool>();
  bool quiet = va.vm["quiet"].as<bool>();
  if (va.vm.count("build-arg")) {
    for (const auto& kv : va.vm["build-arg"].as<std::vector<std::string>>()) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        // Docker: --build-arg NAME takes the value from the environment, if set.
        if (const char* v = std::getenv(kv.c_str())) bo.build_args[kv] = v;
        continue;
      }
      bo.build_args[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  bo.output_fd = quiet ? -1 : 2;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto store = ctx.store();
  auto images = ctx.images();
  if (!store || !images) return Fail(!store ? store.error() : images.error());
  Builder builder(*store, *images, *containers);
  PlainProgress progress(quiet);
  auto result = builder.Build(bo, &progress);
  if (!result) {
    if (progress.printed()) fmt::print(stderr, "\n");
    return Fail(result.error());
  }
  if (quiet) fmt::print("{}\n", result->image_id);
  return 0;
}

}  // namespace layerlab::cli
