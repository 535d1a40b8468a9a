// The supervisor of a detached container, and how the CLI starts it.
#include "cli/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "layerlab/image_config.h"

namespace layerlab::cli {

int ParseSignal(const std::string& text) {
  std::string s = text;
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return std::stoi(s);
  if (s.rfind("SIG", 0) == 0) s = s.substr(3);
  for (int sig = 1; sig < 32; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && s == abbrev) return sig;
  }
  return -1;
}

int StartDetached(Context& ctx, const ContainerInfo& c, bool auto_remove) {
  int ready[2];
  if (pipe(ready) != 0) return Fail(Status::FromErrno("pipe", errno));
  fcntl(ready[0], F_SETFD, FD_CLOEXEC);
  // --explain: the supervisor does the launch, so it sends its events back as JSON lines, and
  // they are narrated here like those of a foreground run.
  int events[2] = {-1, -1};
  if (ctx.tracer().enabled() && pipe2(events, O_NONBLOCK) == 0) {
    fcntl(events[0], F_SETFD, FD_CLOEXEC);
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Fail(Status::FromErrno("fork", errno));
  if (pid == 0) {
    close(ready[0]);
    setsid();
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::string fd = std::to_string(ready[1]);
    std::vector<std::string> args = {"layerlab", "--root", ctx.options().root};
    if (!ctx.options().storage_driver.empty()) {
      args.push_back("--storage-driver");
      args.push_back(ctx.options().storage_driver);
    }
    if (events[1] >= 0) {
      close(events[0]);
      args.push_back(fmt::format("--explain=json:/proc/self/fd/{}", events[1]));
    }
    for (const char* a : {"__supervise"}) args.push_back(a);
    args.push_back(c.id);
    args.push_back(fd);
    if (auto_remove) args.push_back("rm");  // run --rm -d: the supervisor removes it at the end
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(125);
  }
  close(ready[1]);
  std::string msg;
  char buf[1024];
  for (ssize_t n; (n = read(ready[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  close(ready[0]);
  waitpid(pid, nullptr, WNOHANG);
  if (events[0] >= 0) {
    close(events[1]);
    std::string lines;
    for (ssize_t n; (n = read(events[0], buf, sizeof buf)) > 0;) {
      lines.append(buf, static_cast<size_t>(n));
    }
    close(events[0]);
    for (size_t at = 0, nl; (nl = lines.find('\n', at)) != std::string::npos; at = nl + 1) {
      if (auto e = JsonLinesSink::FromJson(lines.substr(at, nl - at))) ctx.tracer().Emit(*e);
    }
  }
  if (msg == "ok") return 0;
  if (msg.empty()) return Fail("the container's supervisor died before the container started");
  size_t nl = msg.find('\n');
  int code = std::atoi(msg.substr(1, nl).c_str());
  fmt::print(stderr, "layerlab: Error response from the launcher: {}\n", msg.substr(nl + 1));
  return code ? code : 125;
}

namespace {

struct LogWriter {
  int fd;
  std::string partial[2];
  void Add(int stream, const char* data, size_t n) {
    partial[stream].append(data, n);
    size_t nl;
    while ((nl = partial[stream].find('\n')) != std::string::npos) {
      Line(stream, partial[stream].substr(0, nl));
      partial[stream].erase(0, nl + 1);
    }
  }
  void Line(int stream, const std::string& text) {
    std::string rec = fmt::format("{} {} {}\n", NowRfc3339Nano(), stream ? "stderr" : "stdout",
                                  text);
    ssize_t w = write(fd, rec.data(), rec.size());
    (void)w;
  }
  void Flush() {
    for (int s = 0; s < 2; ++s) {
      if (!partial[s].empty()) Line(s, partial[s]);
      partial[s].clear();
    }
  }
};

}  // namespace

int CmdSupervise(Context& ctx, const std::vector<std::string>& args) {
  if (args.size() != 2 && !(args.size() == 3 && args[2] == "rm")) return 2;
  const bool auto_remove = args.size() == 3;
  int ready = std::atoi(args[1].c_str());
  // The container must not inherit it, or the CLI would wait for the container's end.
  fcntl(ready, F_SETFD, FD_CLOEXEC);
  auto report = [&](const std::string& text) {
    ssize_t w = write(ready, text.data(), text.size());
    (void)w;
    close(ready);
  };
  auto containers = ctx.containers();
  if (!containers) {
    report("E125\n" + containers.error().message());
    return 1;
  }
  auto c = (*containers)->Get(args[0]);
  if (!c) {
    report("E125\n" + c.error().message());
    return 1;
  }
  auto plan = (*containers)->PlanLaunch(*c);
  auto before = (*containers)->Diff(*c);
  if (!plan || !before) {
    report("E125\n" + (plan ? before.error() : plan.error()).message());
    return 1;
  }
  int log = open((*containers)->LogPath(*c).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                 0640);
  int out[2], err[2];
  if (log < 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    report("E125\ncannot open the container's log");
    return 1;
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  LaunchIo io{devnull, out[1], err[1]};
  LaunchError error;
  auto started = StartPlan(*plan, io, &error, ctx.tracer());
  close(out[1]);
  close(err[1]);
  ContainerInfo info = *c;
  if (!started) {
    (void)(*containers)->MarkExited(&info, error.exit_code, *before);
    if (auto_remove) (void)(*containers)->Remove(info, /*force=*/true);
    report(fmt::format("E{}\n{}", error.exit_code, error.status.message()));
    return 1;
  }
  Status st = (*containers)->MarkRunning(&info, started->pid, getpid());
  report(st.ok() ? "ok" : "E125\n" + st.message());
  ctx.Close();  // hold no lock while the container runs
  signal(SIGPIPE, SIG_IGN);
  LogWriter writer{log, {}};
  // -t: the terminal's master is the container's output (stdout and stderr both go to the
  // terminal, as with Docker); we keep it open so the command never loses its terminal.
  if (started->tty_master >= 0) {
    close(out[0]);
    out[0] = started->tty_master;
  }
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      writer.Add(i, buf, static_cast<size_t>(n));
    }
  }
  writer.Flush();
  close(log);
  int code = WaitContainer(started->pid, /*forward_signals=*/false);
  auto again = ctx.containers();
  if (!again) return 1;
  auto fresh = (*again)->Get(info.id);
  if (!fresh) return 1;
  ContainerInfo done = *fresh;
  if (!(*again)->MarkExited(&done, code, *before).ok()) return 1;
  if (auto_remove) return (*again)->Remove(done, /*force=*/true).ok() ? 0 : 1;
  return 0;
}

}  // namespace layerlab::cli
