// `layerlab run` (attached) and `layerlab start -a`: the command runs as PID 1 of its own
// namespaces; its exit code becomes ours, like Docker's.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/supervisor.h"
#include "cli/verbs.h"

namespace layerlab::cli {

namespace {

// Options come before the image; the rest is the container's command.
void SplitAtImage(const std::vector<std::string>& args, const std::set<std::string>& with_value,
                  std::vector<std::string>* own, std::vector<std::string>* rest) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!a.empty() && a[0] == '-') {
      own->push_back(a);
      if (with_value.count(a) && i + 1 < args.size()) own->push_back(args[++i]);
      continue;
    }
    rest->assign(args.begin() + static_cast<long>(i), args.end());
    return;
  }
}

// The container's stdio: ours, but without -i its stdin is /dev/null.
struct AttachedIo {
  explicit AttachedIo(bool interactive) {
    if (!interactive) io.in = devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  ~AttachedIo() {
    if (devnull >= 0) close(devnull);
  }
  LaunchIo io;
  int devnull = -1;
};

int Attach(Context& ctx, Containers* containers, const ContainerInfo& c, const LaunchIo& io,
           bool remove, EarlyChild* early = nullptr) {
  LaunchError error;
  auto code = containers->RunAttached(c, io, &error, early);
  if (early != nullptr) AbandonEarly(early);  // not taken: the launch failed before
  int rc = code ? *code : error.exit_code;
  if (!code) {
    fmt::print(stderr, "layerlab: Error response from the launcher: {}\n",
               code.error().message());
  }
  // `c` as created: its processes are gone (a concurrent `rm -f` may have taken the rest).
  if (remove) (void)containers->Remove(c, true);
  (void)ctx;
  return rc;
}

}  // namespace

int CmdRun(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("name", po::value<std::string>()->default_value(""), "Assign a name")(
      "detach,d", po::bool_switch(), "Run container in background and print container ID")(
      "interactive,i", po::bool_switch(), "Keep STDIN open")(
      "tty,t", po::bool_switch(), "Allocate a pseudo-TTY")(
      "rm", po::bool_switch(), "Automatically remove the container when it exits")(
      "env,e", po::value<std::vector<std::string>>(), "Set environment variables")(
      "env-file", po::value<std::vector<std::string>>(), "Read in a file of environment variables")(
      "workdir,w", po::value<std::string>()->default_value(""), "Working directory inside")(
      "user,u", po::value<std::string>()->default_value(""), "Username or UID (USER[:GROUP])")(
      "hostname", po::value<std::string>()->default_value(""), "Container host name")(
      "entrypoint", po::value<std::string>(), "Overwrite the default ENTRYPOINT of the image")(
      "network", po::value<std::string>()->default_value("none"), "none (default) or host")(
      "memory,m", po::value<std::string>(), "Memory limit (e.g. 64m)")(
      "pids-limit", po::value<int64_t>()->default_value(0), "Tune container pids limit");
  std::vector<std::string> own, rest;
  SplitAtImage(args, {"--name", "-e", "--env", "--env-file", "-w", "--workdir", "-u", "--user", "--hostname",
                      "--entrypoint", "--network", "-m", "--memory", "--pids-limit"},
               &own, &rest);
  VerbArgs va = ParseVerbArgs("run", "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
                              "Create and run a new container from an image", opts, own, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  if (rest.empty()) {
    return UsageError("run", "\"layerlab run\" requires at least 1 argument.\n\nUsage:  "
                             "layerlab run [OPTIONS] IMAGE [COMMAND] [ARG...]");
  }
  RunOptions o;
  if (va.vm.count("env-file")) {
    // Docker's format: KEY=VALUE or KEY (taken from our environment); # comments, blank lines.
    for (const auto& path : va.vm["env-file"].as<std::vector<std::string>>()) {
      std::ifstream in(path);
      if (!in) return Fail(fmt::format("open {}: no such file or directory", path));
      int line_no = 0;
      for (std::string line; std::getline(in, line);) {
        ++line_no;
        size_t b = line.find_first_not_of(" \t");
        if (b == std::string::npos || line[b] == '#') continue;
        line = line.substr(b);
        if (line[0] == '=') {
          return Fail(fmt::format("{}:{}: invalid environment variable: {}", path, line_no, line));
        }
        o.env.push_back(line);
      }
    }
  }
  if (va.vm.count("env")) {
    for (const auto& e : va.vm["env"].as<std::vector<std::string>>()) o.env.push_back(e);
  }
  o.workdir = va.vm["workdir"].as<std::string>();
  o.user = va.vm["user"].as<std::string>();
  o.hostname = va.vm["hostname"].as<std::string>();
  o.network = va.vm["network"].as<std::string>();
  o.tty = va.vm["tty"].as<bool>();
  o.auto_remove = va.vm["rm"].as<bool>();
  o.limits.pids = va.vm["pids-limit"].as<int64_t>();
  if (va.vm.count("memory")) {
    auto bytes = ParseMemory(va.vm["memory"].as<std::string>());
    if (!bytes) return Fail(bytes.error());
    o.limits.memory = *bytes;
  }
  if (va.vm.count("entrypoint")) {
    // Docker: --entrypoint "" clears the image's ENTRYPOINT (the command runs on its own).
    const std::string& e = va.vm["entrypoint"].as<std::string>();
    o.entrypoint = e.empty() ? std::vector<std::string>{} : std::vector<std::string>{e};
  }
  bool detach = va.vm["detach"].as<bool>();
  AttachedIo attached(va.vm["interactive"].as<bool>());
  // In the foreground the container's process is forked first: its namespaces (the network's
  // ~0.6 ms) are made on the other CPU while we create the container. Not with -t (the terminal
  // comes with the whole plan); where the kernel refuses, the launch below says why.
  EarlyChild early;
  if (!detach && !o.tty) {
    if (auto e = ForkEarly(Containers::LaunchShape(o.network), attached.io)) early = *e;
  }
  auto containers = ctx.containers();
  auto c = containers ? (*containers)->Create(rest[0], va.vm["name"].as<std::string>(),
                                              std::vector<std::string>(rest.begin() + 1,
                                                                       rest.end()),
                                              o)
                      : Result<ContainerInfo>(containers.error());
  if (!c) {
    AbandonEarly(&early);
    Fail(c.error());
    return containers ? 125 : 1;
  }
  if (detach) {
    int rc = StartDetached(ctx, *c, va.vm["rm"].as<bool>());
    if (rc == 0) fmt::print("{}\n", c->id);
    return rc;
  }
  return Attach(ctx, *containers, *c, attached.io, va.vm["rm"].as<bool>(),
                early.pid > 0 ? &early : nullptr);
}

int CmdStart(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("attach,a", po::bool_switch(), "Attach STDOUT/STDERR and forward signals")(
      "interactive,i", po::bool_switch(), "Attach container's STDIN");
  VerbArgs va = ParseVerbArgs("start", "start [OPTIONS] CONTAINER", "Start a stopped container",
                              opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(va.positional[0]);
  if (!c) return Fail(c.error());
  if (c->state == "running") return Fail(fmt::format("container {} is already running", c->name));
  if (!va.vm["attach"].as<bool>()) {
    int rc = StartDetached(ctx, *c);
    if (rc == 0) fmt::print("{}\n", va.positional[0]);
    return rc;
  }
  AttachedIo attached(va.vm["interactive"].as<bool>());
  return Attach(ctx, *containers, *c, attached.io, false);
}

}  // namespace layerlab::cli
