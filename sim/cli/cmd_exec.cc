// `layerlab exec [-i] [-e K=V] [-w DIR] [-u USER] CONTAINER CMD...` and `layerlab top CONTAINER`.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdExec(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("interactive,i", po::bool_switch(), "Keep STDIN open")(
      "tty,t", po::bool_switch(), "Allocate a pseudo-TTY")(
      "detach,d", po::bool_switch(), "Detached mode (not yet)")(
      "env,e", po::value<std::vector<std::string>>(), "Set environment variables")(
      "workdir,w", po::value<std::string>()->default_value(""), "Working directory")(
      "user,u", po::value<std::string>()->default_value(""), "Username or UID");
  const std::set<std::string> with_value = {"-e", "--env", "-w", "--workdir", "-u", "--user"};
  std::vector<std::string> own, rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].empty() && args[i][0] == '-') {
      own.push_back(args[i]);
      if (with_value.count(args[i]) && i + 1 < args.size()) own.push_back(args[++i]);
      continue;
    }
    rest.assign(args.begin() + static_cast<long>(i), args.end());
    break;
  }
  VerbArgs va = ParseVerbArgs("exec", "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
                              "Execute a command in a running container", opts, own, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  if (rest.size() < 2) {
    return UsageError("exec", "\"layerlab exec\" requires at least 2 arguments.\n\nUsage:  "
                              "layerlab exec [OPTIONS] CONTAINER COMMAND [ARG...]");
  }
  if (va.vm["detach"].as<bool>()) return Fail("exec -d is not available yet");
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(rest[0]);
  if (!c) return Fail(c.error());
  RunOptions o;
  if (va.vm.count("env")) o.env = va.vm["env"].as<std::vector<std::string>>();
  o.workdir = va.vm["workdir"].as<std::string>();
  o.user = va.vm["user"].as<std::string>();
  o.tty = va.vm["tty"].as<bool>();
  LaunchIo io;
  int devnull = -1;
  if (!va.vm["interactive"].as<bool>()) io.in = devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  LaunchError error;
  ctx.Close();  // hold no store lock while the command runs (it may be long)
  auto code = (*ctx.containers())->Exec(*c, std::vector<std::string>(rest.begin() + 1, rest.end()),
                                        o, io, &error);
  if (devnull >= 0) close(devnull);
  if (!code) {
    fmt::print(stderr, "layerlab: exec failed: {}\n", code.error().message());
    return error.exit_code ? error.exit_code : 126;
  }
  return *code;
}

int CmdTop(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  VerbArgs va = ParseVerbArgs("top", "top CONTAINER", "Display the running processes of a container",
                              opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(va.positional[0]);
  if (!c) return Fail(c.error());
  if (c->state != "running") return Fail(fmt::format("container {} is not running", c->id));
  char target[128] = {};
  if (readlink(fmt::format("/proc/{}/ns/pid", c->pid).c_str(), target, sizeof target - 1) < 0) {
    return Fail(Status::FromErrno("read the container's pid namespace", errno));
  }
  Table t;
  t.AddRow({"UID", "PID", "PPID", "CMD"});
  DIR* d = opendir("/proc");
  while (struct dirent* e = d ? readdir(d) : nullptr) {
    std::string pid = e->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    char ns[128] = {};
    if (readlink(("/proc/" + pid + "/ns/pid").c_str(), ns, sizeof ns - 1) < 0) continue;
    if (std::string(ns) != target) continue;
    std::ifstream status("/proc/" + pid + "/status");
    std::string line, uid = "?", ppid = "?";
    while (std::getline(status, line)) {
      std::istringstream ls(line);
      std::string key, value;
      ls >> key >> value;
      if (key == "Uid:") uid = value;
      if (key == "PPid:") ppid = value;
    }
    std::ifstream cmdline("/proc/" + pid + "/cmdline");
    std::string cmd((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    for (auto& ch : cmd) ch = ch == '\0' ? ' ' : ch;
    while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
    t.AddRow({uid, pid, ppid, cmd});
  }
  if (d) closedir(d);
  fmt::print("{}", t.Render());
  return 0;
}

}  // namespace layerlab::cli
