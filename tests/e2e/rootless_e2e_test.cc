// The same isolation as an ordinary user (rootless: 0 inside is the caller outside). The tests
// run as root in CI, so this drops to uid/gid 65534 for the CLI it starts.
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "e2e/cli_harness.h"

namespace layerlab::testing {
namespace {

// Runs the CLI as uid/gid 65534 with the given store; returns stdout and the exit code.
CliResult RunAsNobody(const std::string& root, const std::vector<std::string>& args) {
  int out[2];
  if (pipe(out) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(out[0]);
    if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 ||
        setresuid(65534, 65534, 65534) != 0) {
      _exit(200);
    }
    setenv("LAYERLAB_ROOT", root.c_str(), 1);
    setenv("HOME", root.c_str(), 1);
    std::vector<char*> argv = {const_cast<char*>(LAYERLAB_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(LAYERLAB_BINARY, argv.data());
    _exit(127);
  }
  close(out[1]);
  CliResult r;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) r.out.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

class E2ERootlessTest : public CliTest {};

TEST_F(E2ERootlessTest, AnOrdinaryUserRunsAnIsolatedContainer) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  std::filesystem::permissions(scratch_, std::filesystem::perms::all);
  std::string root = scratch_ + "/nobody-store";
  CliResult r = RunAsNobody(root, {"run", "--name", "rl", "busybox", "sh", "-c",
                                   "echo $$; id -u; cat /proc/self/uid_map | tr -s ' '; "
                                   "ls /sys/class/net; echo x > /tmp/f"});
  if (r.out.find("clone(") != std::string::npos) {
    GTEST_SKIP() << "unprivileged user namespaces are off here: " << r.out;
  }
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // PID 1, root inside, which is 65534 outside; only loopback.
  EXPECT_EQ(r.out, "1\n0\n 0 65534 1\nlo\n");
  CliResult diff = RunAsNobody(root, {"diff", "rl"});
  EXPECT_EQ(diff.out, "C /tmp\nA /tmp/f\n");
  // The writable layer belongs to the user, on the host.
  struct stat st;
  bool found = false;
  for (const auto& e : std::filesystem::directory_iterator(root + "/containers")) {
    found = stat((e.path().string() + "/upper/tmp/f").c_str(), &st) == 0;
  }
  ASSERT_TRUE(found);
  EXPECT_EQ(st.st_uid, 65534u);
  // A commit records what the container saw: root-owned.
  EXPECT_EQ(RunAsNobody(root, {"commit", "rl", "mine:v1"}).exit_code, 0);
  EXPECT_EQ(RunAsNobody(root, {"system", "check"}).exit_code, 0);
}

TEST_F(E2ERootlessTest, AnOrdinaryUserBuildsAndRemovesContainers) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  std::filesystem::permissions(scratch_, std::filesystem::perms::all);
  std::string root = scratch_ + "/nobody-store";
  CliResult probe = RunAsNobody(root, {"run", "--rm", "busybox", "true"});
  if (probe.out.find("clone(") != std::string::npos) {
    GTEST_SKIP() << "unprivileged user namespaces are off here: " << probe.out;
  }
  ASSERT_EQ(probe.exit_code, 0) << probe.out;
  std::string ctx = scratch_ + "/ctx";
  std::filesystem::create_directories(ctx);
  WriteFile("ctx/Dockerfile", "FROM busybox\nRUN echo hi > /x && chmod 600 /etc/passwd\n");
  std::filesystem::permissions(ctx, std::filesystem::perms::all);
  std::filesystem::permissions(ctx + "/Dockerfile", std::filesystem::perms::all);
  // A RUN's container is removed afterwards: overlayfs left its work dir with mode 000.
  CliResult build = RunAsNobody(root, {"build", "-q", "-t", "mine:v1", ctx});
  ASSERT_EQ(build.exit_code, 0) << build.out;
  EXPECT_EQ(RunAsNobody(root, {"run", "--rm", "mine:v1", "cat", "/x"}).out, "hi\n");
  EXPECT_EQ(RunAsNobody(root, {"run", "--name", "kept", "busybox", "touch", "/y"}).exit_code, 0);
  CliResult rm = RunAsNobody(root, {"rm", "kept"});
  EXPECT_EQ(rm.exit_code, 0) << rm.out;
  EXPECT_EQ(RunAsNobody(root, {"ps", "-aq"}).out, "");
  EXPECT_NE(RunAsNobody(root, {"system", "check"}).out.find("0 orphans"), std::string::npos);
}

}  // namespace
}  // namespace layerlab::testing
