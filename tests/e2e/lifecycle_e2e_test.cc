// Detached containers end to end: run -d keeps a supervisor that logs and records the end;
// ps shows Up/Exited from real state; stop (SIGTERM, then SIGKILL after -t), kill, wait, logs,
// start, restart, inspect; a container whose supervisor died is never shown as running.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "e2e/cli_harness.h"

namespace layerlab::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class E2ELifecycleTest : public CliTest {
 protected:
  void TearDown() override {
    // Leave no container running behind a failed test.
    for (const auto& id : Lines(Run({"ps", "-q", "--no-trunc"}).out)) Run({"kill", id});
    CliTest::TearDown();
  }
  nlohmann::json Inspect(const std::string& name) {
    auto j = nlohmann::json::parse(Ok({"inspect", name}), nullptr, false);
    return j.is_array() && !j.empty() ? j[0] : nlohmann::json::object();
  }
  // Waits (bounded) until the log has at least `n` lines.
  std::string LogsWithLines(const std::string& name, size_t n) {
    std::string out;
    for (int i = 0; i < 200 && Lines(out).size() < n; ++i) {
      out = Run({"logs", name}).out;
      if (Lines(out).size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return out;
  }
};

TEST_F(E2ELifecycleTest, DetachedRunIsUpThenStopKillsAShellAfterTheTimeout) {
  std::string id = Trim(Ok({"run", "-d", "--name", "bg", "busybox", "sh", "-c",
                            "echo started; echo oops >&2; while true; do sleep 0.1; done"}));
  ASSERT_TRUE(Matches(id, std::regex("^[0-9a-f]{64}$"))) << id;
  std::string ps = Ok({"ps"});
  EXPECT_NE(ps.find("Up "), std::string::npos) << ps;
  EXPECT_NE(ps.find(" bg\n"), std::string::npos) << ps;
  auto state = Inspect("bg")["State"];
  EXPECT_EQ(state["Status"], "running");
  EXPECT_GT(state["Pid"].get<int>(), 1);
  CliResult logs;
  for (int i = 0; i < 100 && logs.err.empty(); ++i) {
    logs = Run({"logs", "bg"});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(logs.out, "started\n");
  EXPECT_EQ(logs.err, "oops\n");
  EXPECT_TRUE(Matches(Lines(Ok({"logs", "-t", "bg"}))[0],
                      std::regex("^[0-9-]{10}T[0-9:.]+Z started$")));
  // sh as PID 1 ignores SIGTERM: stop waits -t seconds, then SIGKILL: 137.
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Ok({"stop", "-t", "1", "bg"}), "bg\n");
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_EQ(Ok({"wait", "bg"}), "137\n");
  EXPECT_NE(Ok({"ps", "-a"}).find("Exited (137)"), std::string::npos);
  EXPECT_EQ(Ok({"ps", "-q"}), "");
}

TEST_F(E2ELifecycleTest, WaitPrintsTheExitCodeAndTheLogKeepsEverything) {
  Ok({"run", "-d", "--name", "job", "busybox", "sh", "-c", "echo one; echo two; exit 7"});
  EXPECT_EQ(Ok({"wait", "job"}), "7\n");
  EXPECT_EQ(Ok({"logs", "job"}), "one\ntwo\n");
  EXPECT_EQ(Ok({"logs", "-f", "job"}), "one\ntwo\n");  // -f ends when the container has
  EXPECT_EQ(Inspect("job")["State"]["ExitCode"], 7);
}

TEST_F(E2ELifecycleTest, KillSendsTheSignalAndStartRunsItAgain) {
  Ok({"run", "-d", "--name", "k1", "busybox", "sh", "-c", "echo run; sleep 30"});
  EXPECT_EQ(Ok({"kill", "-s", "KILL", "k1"}), "k1\n");
  EXPECT_EQ(Ok({"wait", "k1"}), "137\n");
  EXPECT_EQ(Ok({"start", "k1"}), "k1\n");
  EXPECT_EQ(Inspect("k1")["State"]["Status"], "running");
  EXPECT_EQ(LogsWithLines("k1", 2), "run\nrun\n");
  Ok({"kill", "k1"});
  EXPECT_EQ(Ok({"wait", "k1"}), "137\n");
  CliResult not_running = Run({"kill", "k1"});
  EXPECT_EQ(not_running.exit_code, 1);
  EXPECT_NE(not_running.err.find("is not running"), std::string::npos);
}

TEST_F(E2ELifecycleTest, ADeadSupervisorIsFoundAndTheContainerMarkedExited) {
  Ok({"run", "-d", "--name", "orphan", "busybox", "sleep", "30"});
  auto state = Inspect("orphan")["State"];
  int pid = state["Pid"].get<int>(), supervisor = state["SupervisorPid"].get<int>();
  ASSERT_GT(supervisor, 1);
  // A crash: the supervisor dies first (so nobody records the end), then the container.
  ASSERT_EQ(kill(supervisor, SIGKILL), 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string ps = Ok({"ps", "-a", "--filter", "name=orphan"});
  EXPECT_EQ(ps.find("Up "), std::string::npos) << ps;
  EXPECT_NE(ps.find("Exited (255)"), std::string::npos) << ps;
  EXPECT_EQ(Ok({"ps", "-q"}), "");
}

TEST_F(E2ELifecycleTest, ExecJoinsTheRunningContainersNamespaces) {
  Ok({"run", "-d", "--name", "ex", "busybox", "sleep", "30"});
  std::string id12 = Trim(Ok({"ps", "-q"}));
  // Same pid namespace (sleep is PID 1, we are the next), same hostname, same root.
  EXPECT_EQ(Ok({"exec", "ex", "sh", "-c", "echo $$; hostname; cat /proc/1/cmdline | tr '\\0' ' '"}),
            "2\n" + id12 + "\nsleep 30 ");
  EXPECT_EQ(Ok({"exec", "-u", "nobody", "-w", "/tmp", "-e", "X=1", "ex", "sh", "-c",
                "id -u; pwd; echo $X"}),
            "65534\n/tmp\n1\n");
  EXPECT_EQ(Run({"exec", "ex", "sh", "-c", "exit 5"}).exit_code, 5);
  CliResult missing = Run({"exec", "ex", "nosuch"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.err.find("executable file not found in $PATH"), std::string::npos);
  // A write through exec lands in the container's writable layer.
  Ok({"exec", "ex", "sh", "-c", "echo hi > /root/x"});
  EXPECT_EQ(Ok({"diff", "ex"}), "C /root\nA /root/x\n");
  std::string top = Ok({"top", "ex"});
  EXPECT_NE(top.find("sleep 30"), std::string::npos) << top;
  Ok({"kill", "ex"});
  Ok({"wait", "ex"});
  EXPECT_NE(Run({"exec", "ex", "true"}).err.find("is not running"), std::string::npos);
}

TEST_F(E2ELifecycleTest, SignalsToAForegroundRunReachTheContainer) {
  std::string out = scratch_ + "/out";
  int fd = open(out.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  close(fd);
  int pid = StartCli(root_, {"run", "--name", "fg", "busybox", "sh", "-c",
                             "trap 'exit 42' TERM; echo ready; while true; do sleep 0.05; done"},
                     out);
  // Wait until the container's shell has installed its trap (PID 1 ignores a signal it has no
  // handler for, as in Docker without --init), then signal the CLI as a terminal would.
  bool trapped = false;
  for (int i = 0; i < 500 && !trapped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CliResult r = Run({"inspect", "fg"});
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded() || !j.is_array() || j.empty()) continue;
    int cpid = j[0]["State"].value("Pid", 0);
    if (cpid <= 0) continue;
    std::ifstream st("/proc/" + std::to_string(cpid) + "/status");
    for (std::string line; std::getline(st, line);) {
      if (line.rfind("SigCgt:", 0) == 0) {
        trapped = (std::stoull(line.substr(7), nullptr, 16) >> (SIGTERM - 1)) & 1;
      }
    }
  }
  ASSERT_TRUE(trapped);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42) << ReadAll(out);  // the trap ran: the signal was forwarded
  EXPECT_NE(Ok({"ps", "-a"}).find("Exited (42)"), std::string::npos);
}

TEST_F(E2ELifecycleTest, PidsAndMemoryLimitsApply) {
  if (geteuid() != 0) GTEST_SKIP() << "cgroup v1 is not delegated to ordinary users";
  CliResult forks = Run({"run", "--rm", "--pids-limit", "4", "busybox", "sh", "-c",
                         "for i in 1 2 3 4 5 6; do sleep 1 & done; wait"});
  if (forks.err.find("cgroup") != std::string::npos) GTEST_SKIP() << forks.err;
  EXPECT_NE(forks.err.find("can't fork"), std::string::npos) << forks.err;
  // Over the memory limit the kernel kills it: 128 + SIGKILL.
  EXPECT_EQ(Run({"run", "--rm", "--memory", "8m", "busybox", "sh", "-c",
                 "x=$(head -c 50000000 /dev/zero | tr '\\0' a); echo survived"})
                .exit_code,
            137);
  EXPECT_EQ(Run({"run", "--rm", "--memory", "64m", "busybox", "true"}).exit_code, 0);
  CliResult bad = Run({"run", "--rm", "--memory", "lots", "busybox", "true"});
  EXPECT_EQ(bad.err, "Error: invalid size: 'lots'\n");
}

TEST_F(E2ELifecycleTest, RestartStopsAndStartsItAgain) {
  Ok({"run", "-d", "--name", "rs", "busybox", "sh", "-c", "echo boot; sleep 30"});
  int first = Inspect("rs")["State"]["Pid"].get<int>();
  EXPECT_EQ(Ok({"restart", "-t", "0", "rs"}), "rs\n");
  auto state = Inspect("rs")["State"];
  EXPECT_EQ(state["Status"], "running");
  EXPECT_NE(state["Pid"].get<int>(), first);
  EXPECT_EQ(LogsWithLines("rs", 2), "boot\nboot\n");
}

TEST_F(E2ELifecycleTest, RunRmDetachedRemovesTheContainerWhenItExits) {
  std::string id = Trim(Ok({"run", "--rm", "-d", "--name", "brief", "busybox", "sh", "-c",
                            "sleep 0.3"}));
  EXPECT_EQ(id.size(), 64u) << id;
  // Up first, then gone (record and writable layer) once its command ended.
  EXPECT_NE(Ok({"ps", "-a", "--format", "{{.Names}}"}).find("brief"), std::string::npos);
  std::string left = "brief";
  for (int i = 0; i < 100 && !left.empty(); ++i) {
    usleep(50 * 1000);
    left = Trim(Ok({"ps", "-a", "-q"}));
  }
  EXPECT_EQ(left, "");
  EXPECT_EQ(Run({"inspect", "brief"}).exit_code, 1);
  EXPECT_NE(Ok({"system", "check"}).find("0 orphans"), std::string::npos);
}

TEST_F(E2ELifecycleTest, ExecTtyGivesTheCommandATerminalOfTheContainer) {
  if (std::system("command -v script >/dev/null") != 0) GTEST_SKIP() << "no `script` here";
  Ok({"run", "-d", "--name", "box", "busybox", "sleep", "3600"});
  std::string out = scratch_ + "/exec-tty.out";
  std::string cmd = "printf 'tty; echo $TERM; echo pid1=$(cat /proc/1/comm); exit 4\\n' | "
                    "LAYERLAB_ROOT='" + root_ + "' script -q -e -c '" + LAYERLAB_BINARY +
                    " exec -it box sh' " + out + " >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 4);  // the shell's exit code comes back through the terminal
  std::string text = ReadAll(out);
  // A terminal of the container's own devpts, Docker's TERM, and the container's PID 1 seen.
  EXPECT_NE(text.find("\n/dev/pts/"), std::string::npos) << text;
  EXPECT_NE(text.find("xterm"), std::string::npos) << text;
  EXPECT_NE(text.find("pid1=sleep"), std::string::npos) << text;
  Ok({"rm", "-f", "box"});
}

TEST_F(E2ELifecycleTest, DetachedWithATerminalAShellStaysUpAndLogsItsTerminal) {
  // docker run -dit busybox sh: the shell waits on its terminal instead of reading EOF.
  Ok({"run", "-dit", "--name", "shell", "busybox", "sh"});
  usleep(300 * 1000);
  EXPECT_EQ(Inspect("shell")["State"]["Status"], "running");
  EXPECT_EQ(Ok({"exec", "shell", "echo", "hi"}), "hi\n");
  std::string banner = LogsWithLines("shell", 3);
  EXPECT_NE(banner.find("built-in shell (ash)\r\n"), std::string::npos) << banner;
  Ok({"kill", "shell"});
  // A command that ends: its terminal output is the log, with the terminal's \r\n.
  Ok({"run", "-dt", "--name", "once", "busybox", "sh", "-c", "tty; echo done"});
  EXPECT_EQ(Trim(Ok({"wait", "once"})), "0");
  EXPECT_EQ(Ok({"logs", "once"}), "/dev/pts/0\r\ndone\r\n");
}

TEST_F(E2ELifecycleTest, TheContainerGroupHasTheLifecycleVerbs) {
  Ok({"container", "run", "-d", "--name", "grouped", "busybox", "sleep", "300"});
  EXPECT_EQ(Ok({"container", "exec", "grouped", "echo", "in"}), "in\n");
  auto j = nlohmann::json::parse(Ok({"container", "inspect", "grouped"}));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["Name"], "/grouped");
  EXPECT_EQ(j[0]["State"]["Status"], "running");
  // An image is not a container.
  CliResult image = Run({"container", "inspect", "busybox"});
  EXPECT_EQ(image.exit_code, 1);
  EXPECT_EQ(image.err, "Error: No such container: busybox\n");
  // inspect -f, Docker's most typed template.
  EXPECT_EQ(Ok({"inspect", "-f", "{{.State.Status}} {{.Name}}", "grouped"}), "running /grouped\n");
  EXPECT_EQ(Ok({"container", "inspect", "--format", "{{json .Config.Cmd}}", "grouped"}),
            "[\"sleep\",\"300\"]\n");
  EXPECT_EQ(Ok({"image", "inspect", "-f", "{{len .RootFS.Layers}}", "busybox"}), "1\n");
  EXPECT_EQ(Trim(Ok({"container", "kill", "grouped"})), "grouped");
  EXPECT_EQ(Trim(Ok({"container", "wait", "grouped"})), "137");
  Ok({"container", "rm", "grouped"});
}

TEST_F(E2ELifecycleTest, RmForceKillsARunningContainerFirst) {
  Ok({"run", "-d", "--name", "doomed", "busybox", "sleep", "3601"});
  auto state = Inspect("doomed")["State"];
  int pid = state["Pid"].get<int>(), supervisor = state["SupervisorPid"].get<int>();
  ASSERT_GT(pid, 1);
  EXPECT_EQ(Trim(Ok({"rm", "-f", "doomed"})), "doomed");
  // The container's PID 1 and its supervisor are gone, not left running without a record.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = kill(pid, 0) != 0 && kill(supervisor, 0) != 0;
    if (!gone) usleep(20 * 1000);
  }
  EXPECT_TRUE(gone) << "pid " << pid << " or supervisor " << supervisor << " still alive";
  EXPECT_EQ(Trim(Ok({"ps", "-aq"})), "");
  EXPECT_NE(Ok({"system", "check"}).find("0 orphans"), std::string::npos);
}

TEST_F(E2ELifecycleTest, RunDOfAMissingCommandFailsLikeDocker) {
  CliResult r = Run({"run", "-d", "--name", "nope", "busybox", "nosuch"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("exec: \"nosuch\": executable file not found in $PATH"), std::string::npos);
  EXPECT_NE(Ok({"ps", "-a"}).find("Exited (127)"), std::string::npos);
}

}  // namespace
}  // namespace layerlab::testing
