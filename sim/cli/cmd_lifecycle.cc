// The life of a detached container: stop, kill, wait, logs, restart, and `inspect` (a container,
// else an image).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/supervisor.h"
#include "cli/verbs.h"

namespace layerlab::cli {

namespace {

// Polls the store until the container has exited or `timeout_ms` passed (< 0: forever).
Result<ContainerInfo> WaitExited(Context& ctx, const std::string& id, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    LL_ASSIGN_OR_RETURN(Containers * containers, ctx.containers());
    LL_ASSIGN_OR_RETURN(ContainerInfo c, containers->Get(id));
    if (c.state != "running") return c;
    if (timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline) return c;
    ctx.Close();  // let the supervisor write its update
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int StopOne(Context& ctx, const std::string& name, int timeout_s) {
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(name);
  if (!c) return Fail(c.error());
  if (c->state != "running") {
    fmt::print("{}\n", name);
    return 0;
  }
  int sig = SIGTERM;
  auto images = ctx.images();
  if (images) {
    auto cfg = (*images)->ConfigOf(c->image_id);
    if (cfg && !cfg->stop_signal.empty() && ParseSignal(cfg->stop_signal) > 0) {
      sig = ParseSignal(cfg->stop_signal);
    }
  }
  Status st = (*containers)->Signal(*c, sig);
  if (!st.ok()) return Fail(st);
  auto after = WaitExited(ctx, c->id, timeout_s * 1000);
  if (after && after->state == "running") {
    // It did not stop in time (a shell as PID 1 ignores SIGTERM): SIGKILL, like Docker.
    auto again = ctx.containers();
    if (again) (void)(*again)->Signal(*after, SIGKILL);
    after = WaitExited(ctx, c->id, -1);
  }
  if (!after) return Fail(after.error());
  fmt::print("{}\n", name);
  return 0;
}

}  // namespace

int CmdStop(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("time,t", po::value<int>()->default_value(10),
                     "Seconds to wait before killing the container");
  VerbArgs va = ParseVerbArgs("stop", "stop [OPTIONS] CONTAINER [CONTAINER...]",
                              "Stop one or more running containers", opts, args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  int rc = 0;
  for (const auto& n : va.positional) rc |= StopOne(ctx, n, va.vm["time"].as<int>());
  return rc;
}

int CmdKill(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("signal,s", po::value<std::string>()->default_value("KILL"),
                     "Signal to send to the container");
  VerbArgs va = ParseVerbArgs("kill", "kill [OPTIONS] CONTAINER [CONTAINER...]",
                              "Kill one or more running containers", opts, args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  int sig = ParseSignal(va.vm["signal"].as<std::string>());
  if (sig <= 0) return Fail(fmt::format("invalid signal: {}", va.vm["signal"].as<std::string>()));
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  int rc = 0;
  for (const auto& n : va.positional) {
    auto c = (*containers)->Get(n);
    Status st = c ? (*containers)->Signal(*c, sig) : c.error();
    if (!st.ok()) {
      rc = Fail(st);
      continue;
    }
    fmt::print("{}\n", n);
  }
  return rc;
}

int CmdWait(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  VerbArgs va = ParseVerbArgs("wait", "wait CONTAINER [CONTAINER...]",
                              "Block until one or more containers stop, then print their exit "
                              "codes",
                              opts, args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  int rc = 0;
  for (const auto& n : va.positional) {
    auto c = WaitExited(ctx, n, -1);
    if (!c) {
      rc = Fail(c.error());
      continue;
    }
    fmt::print("{}\n", c->exit_code);
  }
  return rc;
}

int CmdLogs(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("follow,f", po::bool_switch(), "Follow log output")(
      "timestamps,t", po::bool_switch(), "Show timestamps");
  VerbArgs va = ParseVerbArgs("logs", "logs [OPTIONS] CONTAINER", "Fetch the logs of a container",
                              opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(va.positional[0]);
  if (!c) return Fail(c.error());
  std::string path = (*containers)->LogPath(*c), id = c->id;
  bool follow = va.vm["follow"].as<bool>(), stamps = va.vm["timestamps"].as<bool>();
  std::ifstream in(path);
  std::string line;
  for (;;) {
    while (std::getline(in, line)) {
      size_t a = line.find(' '), b = line.find(' ', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      std::string text = line.substr(b + 1);
      if (stamps) text = line.substr(0, a) + " " + text;
      std::FILE* out = line.compare(a + 1, 6, "stderr") == 0 ? stderr : stdout;
      fmt::print(out, "{}\n", text);
      std::fflush(out);
    }
    if (!follow) break;
    in.clear();
    auto now = WaitExited(ctx, id, 0);
    if (!now || now->state != "running") {
      // One last read: the supervisor writes the log before it records the exit.
      while (std::getline(in, line)) {
        size_t a = line.find(' '), b = line.find(' ', a + 1);
        if (b != std::string::npos) fmt::print("{}\n", stamps ? line.substr(0, a) + " " + line.substr(b + 1) : line.substr(b + 1));
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

int CmdRestart(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("time,t", po::value<int>()->default_value(10),
                     "Seconds to wait before killing the container");
  VerbArgs va = ParseVerbArgs("restart", "restart [OPTIONS] CONTAINER [CONTAINER...]",
                              "Restart one or more containers", opts, args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  for (const auto& n : va.positional) {
    int rc = StopOne(ctx, n, va.vm["time"].as<int>());
    if (rc != 0) return rc;
    auto containers = ctx.containers();
    if (!containers) return Fail(containers.error());
    auto c = (*containers)->Get(n);
    if (!c) return Fail(c.error());
    rc = StartDetached(ctx, *c);
    if (rc != 0) return rc;
  }
  return 0;
}

int CmdInspect(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("format,f", po::value<std::string>()->default_value(""),
                     "Format output using a Go template: {{.State.Status}}, {{json .Config}}");
  VerbArgs va = ParseVerbArgs("inspect", "inspect [OPTIONS] NAME|ID [NAME|ID...]",
                              "Return low-level information on containers or images", opts, args,
                              1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  // Like Docker: a container of that name first, else an image.
  if (va.positional.size() == 1) {
    auto c = (*containers)->Get(va.positional[0]);
    if (c) {
      auto json = (*containers)->InspectJson(*c);
      if (!json) return Fail(json.error());
      return PrintInspected(*json, va.vm["format"].as<std::string>());
    }
  }
  return CmdImageInspect(ctx, args);
}

// `container inspect`: containers only (Docker: "No such container"), as a JSON array.
int CmdContainerInspect(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("format,f", po::value<std::string>()->default_value(""),
                     "Format output using a Go template: {{.State.Status}}, {{json .Config}}");
  VerbArgs va = ParseVerbArgs("container inspect",
                              "container inspect [OPTIONS] CONTAINER [CONTAINER...]",
                              "Display detailed information on one or more containers", opts,
                              args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  std::string out;
  int rc = 0;
  for (const auto& name : va.positional) {
    auto c = (*containers)->Get(name);
    auto json = c ? (*containers)->InspectJson(*c) : Result<std::string>(c.error());
    if (!json) {
      fmt::print(stderr, "Error: No such container: {}\n", name);
      rc = 1;
      continue;
    }
    // InspectJson gives a one-element array: join them into one.
    std::string body = *json;
    size_t open = body.find('['), close = body.rfind(']');
    if (open == std::string::npos || close == std::string::npos) continue;
    body = body.substr(open + 1, close - open - 1);
    while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
    out += (out.empty() ? "" : ",") + body;
  }
  int printed = PrintInspected(fmt::format("[{}\n]", out), va.vm["format"].as<std::string>());
  return rc != 0 ? rc : printed;
}

}  // namespace layerlab::cli
