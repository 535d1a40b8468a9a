// Where a container's files live, end to end: the init layer shared by an image's containers,
// /etc/hostname, hosts and resolv.conf in a tmpfs of the container's own, --rm's volatile
// overlay, and a removed container's folder deleted in the background (and `system check`
// knowing a deletion in progress from a leftover).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "e2e/cli_harness.h"

namespace layerlab::testing {
namespace {

namespace fs = std::filesystem;

class E2ERunStorageTest : public CliTest {
 protected:
  std::string IdOf(const std::string& name) {
    return Trim(Ok({"inspect", "-f", "{{.Id}}", name}));
  }
  // The store's tmp/ entries ending in `suffix`.
  std::vector<std::string> TmpEntries(const std::string& suffix) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root_ + "/tmp", ec)) {
      std::string n = e.path().filename();
      if (n.ends_with(suffix)) out.push_back(e.path());
    }
    return out;
  }
};

TEST_F(E2ERunStorageTest, AnImagesContainersShareOneInitLayer) {
  Ok({"create", "--name", "ca", "busybox", "true"});
  Ok({"create", "--name", "cb", "busybox", "true"});
  for (const char* name : {"ca", "cb"}) {
    std::string dir = root_ + "/containers/" + IdOf(name);
    EXPECT_TRUE(fs::is_directory(dir + "/upper")) << name;
    EXPECT_FALSE(fs::exists(dir + "/init")) << name;
  }
  int inits = 0;
  for (const auto& e : fs::directory_iterator(root_ + "/layers")) {
    if (!fs::exists(e.path() / "init")) continue;
    ++inits;
    for (const char* p : {"dev", "proc", "sys", "etc/hostname", "etc/hosts", "etc/resolv.conf"}) {
      EXPECT_TRUE(fs::exists(e.path() / "init" / p)) << p;
    }
  }
  EXPECT_EQ(inits, 1);  // busybox has one layer: one init layer, beside it
  // Its mount points hide nothing: the containers show no change.
  Ok({"start", "-a", "ca"});
  EXPECT_EQ(Ok({"diff", "ca"}), "");
}

TEST_F(E2ERunStorageTest, EtcFilesAreTheContainersOwnInATmpfsAndNeverInItsLayer) {
  CliResult r = Run({"run", "--name", "ee", "--hostname", "box", "busybox", "sh", "-c",
                     "cat /etc/hostname; grep -c box /etc/hosts; cat /etc/resolv.conf; "
                     "grep ' /etc/hostname ' /proc/mounts | cut -d' ' -f3; "
                     "echo 10.0.0.1 db >> /etc/hosts; echo other > /etc/hostname"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "box\n1\n# --network none: this container has no network\ntmpfs\n");
  EXPECT_EQ(Ok({"diff", "ee"}), "");
  // Written anew at each start, from the container's settings (Docker rewrites its hosts file).
  EXPECT_EQ(Ok({"start", "-a", "ee"}), "box\n1\n# --network none: this container has no network\ntmpfs\n");
  // Nothing of them on disk in the container's folder.
  std::string dir = root_ + "/containers/" + IdOf("ee");
  for (const char* f : {"hostname", "hosts", "resolv.conf", "merged", "init"}) {
    EXPECT_FALSE(fs::exists(dir + "/" + f)) << f;
  }
}

TEST_F(E2ERunStorageTest, RmMountsTheUnionVolatileAndSaysSo) {
  CliResult rm = Run({"--explain", "run", "--rm", "busybox", "true"});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_NE(rm.err.find("volatile: --rm throws the writable layer away at exit"),
            std::string::npos)
      << rm.err;
  CliResult kept = Run({"--explain", "run", "--name", "kept", "busybox", "true"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(kept.err.find("volatile"), std::string::npos) << kept.err;
  EXPECT_EQ(Trim(Ok({"inspect", "-f", "{{.HostConfig.AutoRemove}}", "kept"})), "false");
}

TEST_F(E2ERunStorageTest, AVolatileUnionCanBeMountedAgainWhileItRuns) {
  // The kernel marks a volatile work dir and refuses to mount it again; `cp` into a running
  // --rm container mounts its union a second time, and must clear the mark first.
  Ok({"run", "-d", "--rm", "--name", "vv", "busybox", "sleep", "100000"});
  EXPECT_EQ(Trim(Ok({"inspect", "-f", "{{.HostConfig.AutoRemove}}", "vv"})), "true");
  std::string f = WriteFile("in.txt", "one");
  Ok({"cp", f, "vv:/tmp/one.txt"});
  Ok({"cp", f, "vv:/tmp/two.txt"});
  EXPECT_EQ(Ok({"diff", "vv"}), "C /tmp\nA /tmp/one.txt\nA /tmp/two.txt\n");
  Ok({"kill", "vv"});
  // The supervisor removes it once it has exited.
  for (int i = 0; i < 200 && !Ok({"ps", "-a", "-q"}).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
}

TEST_F(E2ERunStorageTest, RmTakesTheFolderAwayAtOnceAndDeletesItInTheBackground) {
  Ok({"run", "--name", "big", "busybox", "sh", "-c",
      "mkdir /data; i=0; while [ $i -lt 300 ]; do echo $i > /data/f$i; i=$((i+1)); done"});
  std::string dir = root_ + "/containers/" + IdOf("big");
  ASSERT_TRUE(fs::exists(dir + "/upper/data/f299"));
  Ok({"rm", "big"});
  EXPECT_FALSE(fs::exists(dir));
  // A deletion in progress is not an orphan; once done, nothing is left.
  EXPECT_NE(Ok({"system", "check"}).find(" 0 orphans"), std::string::npos);
  for (int i = 0; i < 400 && !TmpEntries(".trash").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(TmpEntries(".trash").empty());
  EXPECT_NE(Ok({"system", "check"}).find(" 0 orphans"), std::string::npos);
}

TEST_F(E2ERunStorageTest, CheckTellsADeletionInProgressFromALeftover) {
  Ok({"images", "-q"});  // makes the store
  // A folder whose deleter holds its lock is work in progress...
  std::string trash = root_ + "/tmp/999999999.1.trash";
  fs::create_directories(trash + "/upper/x");
  int fd = open(trash.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  EXPECT_NE(Ok({"system", "check"}).find(" 0 orphans"), std::string::npos);
  EXPECT_NE(Ok({"system", "check", "--repair"}).find(" 0 orphans"), std::string::npos);
  EXPECT_TRUE(fs::exists(trash));
  // ...and once no process holds it (its deleter was killed), a leftover that --repair removes.
  close(fd);
  CliResult check = Run({"system", "check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("orphan: " + trash), std::string::npos) << check.out;
  Ok({"system", "check", "--repair"});
  EXPECT_FALSE(fs::exists(trash));
}

}  // namespace
}  // namespace layerlab::testing
