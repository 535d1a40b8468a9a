// A launch plan survives the pipe to a child forked before it was complete (ForkEarly), and a
// damaged one is refused, not half-read.
#include <sched.h>

#include <gtest/gtest.h>

#include "layerlab/launch.h"

namespace layerlab {
namespace {

LaunchPlan SamplePlan() {
  LaunchPlan p;
  p.clone_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET;
  p.deny_setgroups = true;
  p.lowers = {"/s/layers/a/init", "/s/layers/a/diff"};
  p.upper = "/s/containers/x/upper";
  p.work = "/s/containers/x/work";
  p.rootfs = "/s/mnt/root";
  p.volatile_upper = true;
  p.mounts = {{MountStep::Kind::kTmpfs, "", "/dev", "mode=755", false, "a fresh /dev"},
              {MountStep::Kind::kSysfs, "", "/sys", "", true, ""}};
  MountStep hosts{MountStep::Kind::kEtcFile, "", "/etc/hosts", "", false, ""};
  hosts.content = "127.0.0.1\tlocalhost\n127.0.0.1\tbox\n";
  p.mounts.push_back(hosts);
  p.etc_dir = "/s/mnt/etc";
  p.hostname = "box";
  p.uid = 65534;
  p.gid = 65534;
  p.groups = {65534, 100};
  p.env = {"PATH=/bin", "A=b c"};
  p.cwd = "/tmp";
  p.argv = {"sh", "-c", "echo \"hi\"\n"};
  p.network_host = false;
  return p;
}

TEST(LaunchPlanTest, JsonRoundTripKeepsWhatTheChildUses) {
  LaunchPlan in = SamplePlan();
  auto out = PlanFromJson(PlanToJson(in));
  ASSERT_TRUE(static_cast<bool>(out)) << out.error().message();
  EXPECT_EQ(out->clone_flags, in.clone_flags);
  EXPECT_EQ(out->deny_setgroups, in.deny_setgroups);
  EXPECT_EQ(out->lowers, in.lowers);
  EXPECT_EQ(out->upper, in.upper);
  EXPECT_EQ(out->work, in.work);
  EXPECT_EQ(out->rootfs, in.rootfs);
  EXPECT_EQ(out->volatile_upper, in.volatile_upper);
  ASSERT_EQ(out->mounts.size(), in.mounts.size());
  for (size_t i = 0; i < in.mounts.size(); ++i) {
    EXPECT_EQ(out->mounts[i].kind, in.mounts[i].kind) << i;
    EXPECT_EQ(out->mounts[i].target, in.mounts[i].target) << i;
    EXPECT_EQ(out->mounts[i].options, in.mounts[i].options) << i;
    EXPECT_EQ(out->mounts[i].read_only, in.mounts[i].read_only) << i;
    EXPECT_EQ(out->mounts[i].content, in.mounts[i].content) << i;
  }
  EXPECT_EQ(out->etc_dir, in.etc_dir);
  EXPECT_EQ(out->hostname, in.hostname);
  EXPECT_EQ(out->uid, in.uid);
  EXPECT_EQ(out->gid, in.gid);
  EXPECT_EQ(out->groups, in.groups);
  EXPECT_EQ(out->env, in.env);
  EXPECT_EQ(out->cwd, in.cwd);
  EXPECT_EQ(out->argv, in.argv);
  // What it describes is the same plan, step for step.
  EXPECT_EQ(DescribePlan(*out).size(), DescribePlan(in).size());
}

TEST(LaunchPlanTest, ADamagedPlanIsRefused) {
  std::string text = PlanToJson(SamplePlan());
  EXPECT_FALSE(static_cast<bool>(PlanFromJson(text.substr(0, text.size() / 2))));
  EXPECT_FALSE(static_cast<bool>(PlanFromJson("{\"clone_flags\": 1}")));
  EXPECT_FALSE(static_cast<bool>(PlanFromJson("{\"clone_flags\": \"x\"}")));
}

}  // namespace
}  // namespace layerlab
