// `run` end to end: the command is PID 1 of its own namespaces, sees only the image, exits with
// its own code; Docker's errors for a missing command (127); -u, -e, -w, --rm, --hostname.
#include <unistd.h>

#include <sys/wait.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "e2e/cli_harness.h"

namespace layerlab::testing {
namespace {

class E2ERunTest : public CliTest {
 protected:
  // Skips the test where the kernel refuses the namespaces (the message says which).
  CliResult RunIn(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"run", "--rm"};
    full.insert(full.end(), args.begin(), args.end());
    return Run(full);
  }
};

TEST_F(E2ERunTest, CommandIsPid1AndSeesOnlyItsOwnProcesses) {
  CliResult r = RunIn({"busybox", "sh", "-c", "echo $$; ps -o pid= > /tmp/ps; wc -l < /tmp/ps"});
  if (r.err.find("clone(") != std::string::npos) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // PID 1, and ps lists only sh and itself: nothing from the host.
  EXPECT_EQ(r.out, "1\n2\n");
}

TEST_F(E2ERunTest, RootIsTheImageNotTheHost) {
  std::string marker = scratch_ + "/host-marker";
  std::ofstream(marker) << "x";
  CliResult r = RunIn({"busybox", "sh", "-c", "ls / | tr '\\n' ' '; test -e " + marker +
                                                  " && echo LEAK || echo sealed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "bin dev etc home proc root sys tmp usr var sealed\n");
}

TEST_F(E2ERunTest, HostnameIsTheShortIdAndOnlyLoopbackExists) {
  CliResult r = Run({"run", "--name", "h1", "busybox", "sh", "-c",
                     "hostname; cat /etc/hostname; ls /sys/class/net"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = Trim(Ok({"ps", "-a", "-q", "--filter", "name=h1"}));
  EXPECT_EQ(r.out, id + "\n" + id + "\nlo\n");
  EXPECT_EQ(Trim(Run({"run", "--rm", "--hostname", "box", "busybox", "hostname"}).out), "box");
}

TEST_F(E2ERunTest, TheCgroupTreeIsSeenFromItsOwnRoot) {
  // cgroup namespace: the container's cgroup is "/" inside, whatever it is on the host.
  CliResult r = Run({"run", "--rm", "busybox", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& line : Lines(r.out)) EXPECT_EQ(line.substr(line.rfind(':')), ":/") << r.out;
}

TEST_F(E2ERunTest, ARefusedNamespaceIsNamedWithTheReason) {
  // In a user namespace of our own where no more may be made (user.max_user_namespaces = 0),
  // the kernel refuses CLONE_NEWUSER: the message names the namespace and why.
  std::string out = scratch_ + "/refused.txt";
  std::string cmd = "unshare --user --map-root-user sh -c 'echo 0 > "
                    "/proc/sys/user/max_user_namespaces && LAYERLAB_ROOT=" + scratch_ +
                    "/inner exec " + LAYERLAB_BINARY + " run --rm busybox true' >" + out +
                    " 2>&1; echo \"rc=$?\" >>" + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find("max_user_namespaces: Permission denied") != std::string::npos) {
    GTEST_SKIP() << "cannot lower user.max_user_namespaces here: " << text;
  }
  EXPECT_NE(text.find("the kernel refused the user namespace (CLONE_NEWUSER: No space left on "
                      "device); unprivileged user namespaces are off here"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rc=125"), std::string::npos) << text;
}

TEST_F(E2ERunTest, AnEmptyEntrypointClearsTheImagesAndHostNetworkKeepsTheHostsName) {
  Ok({"commit", "-c", "ENTRYPOINT [\"echo\", \"from-entrypoint\"]",
      Trim(Ok({"create", "busybox"})), "ep:1"});
  EXPECT_EQ(Run({"run", "--rm", "ep:1", "x"}).out, "from-entrypoint x\n");
  CliResult cleared = Run({"run", "--rm", "--entrypoint", "", "ep:1", "echo", "plain"});
  EXPECT_EQ(cleared.exit_code, 0) << cleared.err;
  EXPECT_EQ(cleared.out, "plain\n");
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(Trim(Run({"run", "--rm", "--network", "host", "busybox", "hostname"}).out), host);
}

TEST_F(E2ERunTest, ExitCodeIsTheCommandsOwn) {
  EXPECT_EQ(RunIn({"busybox", "sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(RunIn({"busybox", "true"}).exit_code, 0);
  // Killed by a signal: 128 + the signal (a child, since PID 1 ignores SIGKILL from inside).
  EXPECT_EQ(RunIn({"busybox", "sh", "-c", "sh -c 'kill -9 $$'; exit $?"}).exit_code, 137);
}

TEST_F(E2ERunTest, MissingCommandFailsLikeDocker) {
  CliResult r = RunIn({"busybox", "nosuch"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("exec: \"nosuch\": executable file not found in $PATH"), std::string::npos)
      << r.err;
  CliResult perm = RunIn({"busybox", "/etc/passwd"});
  EXPECT_EQ(perm.exit_code, 126) << perm.err;
  EXPECT_NE(perm.err.find("permission denied"), std::string::npos) << perm.err;
}

TEST_F(E2ERunTest, UserEnvAndWorkdirApply) {
  if (geteuid() != 0) GTEST_SKIP() << "-u nobody needs a uid range; rootless has only root";
  EXPECT_EQ(RunIn({"-u", "nobody", "busybox", "id"}).out,
            "uid=65534(nobody) gid=65534(nobody)\n");
  EXPECT_EQ(RunIn({"-e", "GREETING=hi", "-w", "/tmp", "busybox", "sh", "-c",
                   "echo $GREETING $PWD $HOME"})
                .out,
            "hi /tmp /root\n");
  CliResult bad = RunIn({"-u", "nosuchuser", "busybox", "id"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("unable to find user nosuchuser"), std::string::npos) << bad.err;
}

TEST_F(E2ERunTest, WritesLandInTheWritableLayerWithACopyUpReport) {
  std::string trace = scratch_ + "/trace.jsonl";
  CliResult r = Run({"--explain=json:" + trace, "run", "--name", "ww", "busybox", "sh", "-c",
                     "echo changed >> /etc/passwd; rm /etc/group; echo new > /root/file"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Ok({"diff", "ww"}),
            "C /etc\nD /etc/group\nC /etc/passwd\nC /root\nA /root/file\n");
  int copy_ups = 0, whiteouts = 0, launch_steps = 0;
  for (const auto& e : ReadTrace(trace)) {
    if (e["kind"] == "copy_up") {
      ++copy_ups;
      EXPECT_EQ(e["subject"], "etc/passwd");
    }
    if (e["kind"] == "whiteout") ++whiteouts;
    if (e["kind"] == "launch_step") ++launch_steps;
  }
  EXPECT_EQ(copy_ups, 1);
  EXPECT_EQ(whiteouts, 1);
  EXPECT_GT(launch_steps, 5);
  // The image is unchanged: a new container sees the original file.
  EXPECT_EQ(RunIn({"busybox", "grep", "-c", "changed", "/etc/passwd"}).out, "0\n");
  // And `ps -a` shows how it ended.
  EXPECT_NE(Ok({"ps", "-a", "--filter", "name=ww"}).find("Exited (0)"), std::string::npos);
}

TEST_F(E2ERunTest, TtyGivesTheCommandItsOwnTerminal) {
  // `script` (util-linux) gives the CLI a terminal, as a student's shell would.
  if (std::system("command -v script >/dev/null") != 0) GTEST_SKIP() << "no `script` here";
  std::string out = scratch_ + "/tty.out";
  std::string cmd = "printf 'tty; echo $TERM; exit 3\\n' | LAYERLAB_ROOT='" + root_ +
                    "' script -q -e -c '" + LAYERLAB_BINARY + " run --rm -it busybox sh' " + out +
                    " >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 3);  // the shell's exit code comes back through the terminal
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("/dev/pts/0"), std::string::npos) << text;
  EXPECT_NE(text.find("xterm"), std::string::npos) << text;
}

TEST_F(E2ERunTest, EnvFileIsReadLikeDockers) {
  std::string f = WriteFile("env.list", "# a comment\n\nA=1\nB=two words\n");
  EXPECT_EQ(RunIn({"--env-file", f, "-e", "A=override", "busybox", "sh", "-c", "echo $A/$B"}).out,
            "override/two words\n");
  std::string bad = WriteFile("bad.list", "OK=1\n=oops\n");
  CliResult r = RunIn({"--env-file", bad, "busybox", "true"});
  EXPECT_EQ(r.err, "Error: " + bad + ":2: invalid environment variable: =oops\n");
}

// Kernels before 6.8 (Debian 12's 6.1) have no fsconfig "lowerdir+": the legacy mount(2) path
// with paths relative to the store must work too, and leave the caller's cwd alone.
TEST_F(E2ERunTest, LegacyOverlayMountWorks) {
  setenv("LAYERLAB_OVERLAY_LEGACY", "1", 1);
  CliResult r = Run({"run", "--name", "old", "busybox", "sh", "-c", "echo $$ > /tmp/pid"});
  std::string f = WriteFile("rel.txt", "relative");
  // cp with a relative host path: the mount must not have moved our cwd.
  std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(scratch_);
  CliResult cp = Run({"cp", "rel.txt", "old:/tmp/rel.txt"});
  std::filesystem::current_path(cwd);
  unsetenv("LAYERLAB_OVERLAY_LEGACY");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  EXPECT_EQ(Ok({"diff", "old"}), "C /tmp\nA /tmp/pid\nA /tmp/rel.txt\n");
}

TEST_F(E2ERunTest, EntrypointReplacesTheImagesCommand) {
  // Docker: --entrypoint also resets the image's CMD; what follows the image are its arguments.
  EXPECT_EQ(RunIn({"--entrypoint", "echo", "busybox", "hello", "world"}).out, "hello world\n");
  EXPECT_EQ(RunIn({"--entrypoint", "pwd", "busybox"}).out, "/\n");
}

TEST_F(E2ERunTest, RmRemovesTheContainerAfterItExits) {
  RunIn({"busybox", "true"});
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
}

TEST_F(E2ERunTest, CopyDriverRunsToo) {
  CliResult r = Run({"--storage-driver", "copy", "run", "--name", "cp", "busybox", "sh", "-c",
                     "echo x > /tmp/f; echo $$"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1\n");
  EXPECT_EQ(Ok({"diff", "cp"}), "C /tmp\nA /tmp/f\n");
}

TEST_F(E2ERunTest, AFailedCreateLeavesNoProcessBehind) {
  // A foreground run forks its container's process before creating the container; when the
  // create fails, that process must go too (killed at once, not left to notice its plan pipe
  // close).
  std::string image = "nosuch-" + scratch_.substr(scratch_.rfind('-') + 1);
  for (char& ch : image) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CliResult r = Run({"run", "--rm", image, "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.err, "Error: No such image: " + image + ":latest\n");
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(e.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(cmdline.find(image), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace layerlab::testing
