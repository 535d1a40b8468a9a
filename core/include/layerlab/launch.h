// The namespace launcher. A launch is first a LaunchPlan (data: namespaces, id maps, mounts,
// pivot_root, hostname, user, env, cwd, argv), built from a container and its image, then
// executed: the command runs as PID 1 of new user, mount, pid, uts, ipc and net namespaces,
// pivot_root'ed into the union of its layers. Building is pure; executing forks (call from a
// single-threaded process).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "layerlab/cgroup.h"
#include "layerlab/status.h"
#include "layerlab/trace.h"

namespace layerlab {

struct MountStep {
  // kEtcFile: a file of the container's own tmpfs (LaunchPlan::etc_dir) holding `content`,
  // bound over `target` (/etc/hostname, /etc/hosts, /etc/resolv.conf).
  enum class Kind { kOverlay, kProc, kTmpfs, kBindDevice, kDevpts, kSysfs, kMqueue, kEtcFile };
  Kind kind;
  std::string source;  // host path (binds), or "" for virtual filesystems
  std::string target;  // path inside the new root, e.g. "/proc"
  std::string options; // fs data, e.g. "mode=755"
  bool read_only = false;
  std::string why;     // for --explain
  std::string content = {};  // kEtcFile
};

struct IdMap {
  uint32_t inside = 0, outside = 0, count = 1;
};

struct LaunchPlan {
  int clone_flags = 0;                 // CLONE_NEW* flags
  std::vector<IdMap> uid_map, gid_map;
  bool deny_setgroups = false;         // rootless: required before writing gid_map
  std::vector<std::string> lowers;     // overlay lowerdirs, top first
  std::string upper, work, rootfs;     // rootfs: where the union is mounted (or the copy dir)
  bool mount_overlay = true;           // false for the copy driver (rootfs is a plain dir)
  bool volatile_upper = false;         // --rm: the upper layer is never synced (see MountOverlay)
  std::vector<MountStep> mounts;       // after the root, in order
  // An empty directory on which the child mounts the small tmpfs that holds the kEtcFile files
  // (in its own mount namespace: every container can use the same one).
  std::string etc_dir;
  std::string hostname;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::vector<std::string> env;        // KEY=VALUE
  std::string cwd = "/";
  std::vector<std::string> argv;
  bool tty = false;
  bool network_host = false;
  std::string cgroup_name;  // with limits: the container's cgroups, joined before it runs
  ResourceLimits limits;
};

// "CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|..." (nsjail style, for --explain).
std::string CloneFlagNames(int flags);
// One line per step, for --explain and tests.
std::vector<std::string> DescribePlan(const LaunchPlan& plan);

// Where the child's stdio goes.
struct LaunchIo {
  int in = 0, out = 1, err = 2;
};

// A started container: the host pid of its PID 1.
struct Launched {
  pid_t pid = -1;
  int tty_master = -1;  // with plan.tty: the pseudo-terminal's master side (caller closes)
};

// Copies the caller's stdin to the container's terminal and the terminal to stdout until the
// container closes it; puts a terminal stdin in raw mode meanwhile (-t).
void RelayTty(int master);

// Starts the plan. Returns once the command has been exec'd (or failed to be: then the error is
// Docker's, e.g. `exec: "nosuch": executable file not found in $PATH`, with exit_code 127, or
// permission denied with 126).
struct LaunchError {
  Status status;
  int exit_code = 125;
};
// With `early`, the plan goes to that child (which must have been forked with the plan's clone
// flags and maps) instead of a new one.
struct EarlyChild;
Result<Launched> StartPlan(const LaunchPlan& plan, const LaunchIo& io, LaunchError* error,
                           const Tracer& tracer, EarlyChild* early = nullptr);

// A container's process forked before its plan is complete (a foreground `run`): its namespaces,
// the network's the costliest (about 0.6 ms), are made while the caller is still creating the
// container, on the other CPU. `shape` gives the clone flags and id maps, `io` its stdio;
// StartPlan sends it the rest. The network namespace is unshared by the child itself once its
// user namespace has its maps, so that, as with clone, it belongs to the container's.
struct EarlyChild {
  pid_t pid = -1;
  int clone_flags = 0;
  int plan_fd = -1;  // the parent writes the plan here, as JSON
  int err_fd = -1;   // the child's error, or EOF once the command is exec'd
};
Result<EarlyChild> ForkEarly(const LaunchPlan& shape, const LaunchIo& io);
// Kills and reaps a child that will get no plan (creating the container failed).
void AbandonEarly(EarlyChild* early);
std::string PlanToJson(const LaunchPlan& plan);
Result<LaunchPlan> PlanFromJson(const std::string& text);

// Waits for the container's PID 1 (forwarding SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
// SIGUSR2 to it when forward_signals). Returns the exit code: the command's own, or 128+signal.
int WaitContainer(pid_t pid, bool forward_signals);

// `exec`: a process joining a running container's namespaces (setns), chrooted into its root.
struct ExecSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd = "/";
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  bool set_groups = true;  // false rootless (setgroups is denied in that user namespace)
  bool tty = false;        // -t: a terminal from the container's devpts, relayed to our stdio
};
// Runs the command inside the container whose PID 1 is `pid` and waits for it (forwarding
// signals). Returns its exit code; a failed start returns the error with error->exit_code.
Result<int> ExecInContainer(pid_t pid, const ExecSpec& spec, const LaunchIo& io,
                            LaunchError* error);

// Parses /etc/passwd and /etc/group text to resolve USER[:GROUP] as Docker does: names or
// numbers; a numeric uid unknown to passwd is allowed; a name that is not there is an error.
struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string home = "/";
};
Result<ResolvedUser> ResolveUser(const std::string& spec, const std::string& passwd,
                                 const std::string& group);

}  // namespace layerlab
