// Containers: an image's read-only layers + one thin writable layer + a config. Creating,
// listing, changing files through the union (`cp`, which copies up), `diff`, `commit`, `export`,
// removing. Two storage drivers: `overlay` (kernel overlayfs in a user + mount namespace) and
// `copy` (a full private copy of the image's files, like Docker's old vfs driver).
// Not thread-safe; forks for overlay work, so use from a single-threaded process.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "layerlab/images.h"
#include "layerlab/launch.h"
#include "layerlab/layer_fs.h"
#include "layerlab/store.h"

namespace layerlab {

enum class StorageDriver { kOverlay, kCopy };
const char* StorageDriverName(StorageDriver d);
Result<StorageDriver> ParseStorageDriver(const std::string& name);

struct ContainerInfo {
  std::string id;  // 64 hex
  std::string name;
  std::string image_id;
  std::string image_name;  // as the user named it at create ("busybox")
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  StorageDriver driver = StorageDriver::kOverlay;
  std::string state;  // created, running, exited
  int exit_code = 0;
  int64_t created = 0;
  int64_t started = 0;
  int64_t finished = 0;
  pid_t pid = 0;                 // host pid of PID 1 while running
  pid_t supervisor = 0;          // `run -d`: the process that waits for it and keeps its log
  std::vector<std::string> env;  // the full environment (image + -e + Docker's defaults)
  std::string workdir;           // "" = the image's WORKDIR, else "/"
  std::string user;              // "" = the image's USER, else root
  std::string hostname;          // default: the short id
  std::string network = "none";  // none | host
  ResourceLimits limits;
  bool tty = false;
  bool auto_remove = false;      // --rm: removed when it exits (Docker's HostConfig.AutoRemove)
  // Entrypoint and Cmd joined by spaces, as `ps` shows it.
  std::string Command() const;
};

// What `run`/`create` take besides the image and command.
struct RunOptions {
  std::vector<std::string> env;  // -e KEY=VALUE (or KEY: taken from the caller's environment)
  std::string workdir;           // -w
  std::string user;              // -u USER[:GROUP]
  std::string hostname;          // --hostname
  std::optional<std::vector<std::string>> entrypoint;  // --entrypoint
  std::string network = "none";  // --network none|host
  ResourceLimits limits;         // --memory, --pids-limit
  bool tty = false;              // -t
  bool auto_remove = false;      // --rm
};

struct CommitOptions {
  std::string message;
  std::string author;
  std::vector<std::string> changes;  // Dockerfile instructions: CMD, ENTRYPOINT, ENV, ...
  std::string reference;             // REPO[:TAG], optional
};

struct ContainerPruneReport {
  std::vector<std::string> deleted;  // ids
  int64_t reclaimed = 0;
};

class Containers {
 public:
  // `driver` is used for new containers; existing ones keep the driver they were made with.
  Containers(Store* store, Images* images, StorageDriver driver)
      : store_(store), images_(images), driver_(driver) {}

  // `create [--name N] IMAGE [CMD...]`: an empty writable layer over the image's layers.
  Result<ContainerInfo> Create(const std::string& image, const std::string& name,
                               const std::vector<std::string>& cmd,
                               const RunOptions& options = {});
  Result<std::vector<ContainerInfo>> List();
  // By name, full id or unique id prefix. NotFound: "No such container: X".
  Result<ContainerInfo> Get(const std::string& name_or_id);

  // The image's unpacked layers, top first (the overlay lowerdir order).
  Result<std::vector<std::string>> LowerDirs(const std::string& image_id);
  // The container's lower dirs: its init layer (mount points for /proc, /dev, /sys and the
  // /etc files bound in at run time, so they never land in the writable layer), then the
  // image's layers, top first.
  Result<std::vector<std::string>> ContainerLowers(const ContainerInfo& c);
  // The init layer an overlay container of the image with these lower dirs uses (made if
  // missing): one per image's top layer, shared by all its containers.
  Result<std::string> EnsureSharedInit(const std::vector<std::string>& lowers);
  // ROOT/mnt/root, where a container's union is mounted, and ROOT/mnt/etc, where the tmpfs of
  // its /etc files is (each in the container's own mount namespace, so all can share them).
  std::string MountPoint() const;
  std::string EtcDir() const;
  // The launch plan for `run`/`start` (reads the image's /etc/passwd for USER).
  Result<LaunchPlan> PlanLaunch(const ContainerInfo& c);
  // What of the plan is known before the container exists: the clone flags and id maps of a
  // container with this network (for ForkEarly).
  static LaunchPlan LaunchShape(const std::string& network);
  // `run` without -d: marks it running, starts it, waits (forwarding signals), marks it exited
  // and reports its copy-ups. Returns the exit code; a failed start returns the error with
  // `error->exit_code` (125, or 126/127 for the command). With `early` (ForkEarly with
  // LaunchShape(c.network)), that child becomes the container; the caller abandons it if it is
  // still there (early->pid > 0) when this returns.
  Result<int> RunAttached(const ContainerInfo& c, const LaunchIo& io, LaunchError* error,
                          EarlyChild* early = nullptr);
  // State changes, recorded in the store. MarkExited also reports the run's copy-ups.
  Status MarkRunning(ContainerInfo* c, pid_t pid, pid_t supervisor);
  Status MarkExited(ContainerInfo* c, int exit_code, const std::vector<Change>& before);
  // ROOT/containers/<id>/log: one record per line, "<RFC 3339 nano time> <stdout|stderr> <text>".
  std::string LogPath(const ContainerInfo& c) const;
  // Sends a signal to the container's PID 1.
  Status Signal(const ContainerInfo& c, int sig);
  // `exec [-e] [-w] [-u] C CMD...`: a new process in the running container's namespaces.
  Result<int> Exec(const ContainerInfo& c, const std::vector<std::string>& argv,
                   const RunOptions& options, const LaunchIo& io, LaunchError* error);
  // `inspect CONTAINER`: Docker-like JSON (one object).
  Result<std::string> InspectJson(const ContainerInfo& c);
  // The writable layer: the overlay upper dir, or the copy driver's full copy.
  std::string WritableDir(const ContainerInfo& c) const;

  Result<std::vector<Change>> Diff(const ContainerInfo& c);
  // Narrates `changes` (as Diff returned them): for each path, what the writable layer holds
  // and which image layer's version it hides (change_listed events). Only when traced.
  Status ExplainDiff(const ContainerInfo& c, const std::vector<Change>& changes);
  // Docker's size rules applied to what the container wrote (ps -s SIZE).
  Result<int64_t> WritableSize(const ContainerInfo& c);

  // `cp HOST_SRC C:DST` and `cp C:SRC HOST_DST`. Container paths resolve inside the container's
  // root (symlinks included), never outside it. Writes through the union copy up.
  Status CopyIn(const ContainerInfo& c, const std::string& host_src, const std::string& dst);
  Status CopyOut(const ContainerInfo& c, const std::string& src, const std::string& host_dst);
  // `export C -o FILE`: the merged filesystem as a tar.
  Status Export(const ContainerInfo& c, const std::string& out_path);
  // `commit`: the writable layer becomes a new layer on the image's. Returns the image id.
  Result<std::string> Commit(const ContainerInfo& c, const CommitOptions& options);
  // `rm [-f]`: the record, then the writable layer; the image is untouched.
  Status Remove(const ContainerInfo& c, bool force);
  Result<ContainerPruneReport> Prune();

  // Runs fn with the container's merged root (mounted in a private namespace for overlay, in a
  // forked child: fn must only do filesystem work), then reports the copy-ups, whiteouts and
  // opaque dirs the step caused.
  Status Mutate(const ContainerInfo& c, const std::function<Status(const std::string&)>& fn);
  Status WithRoot(const ContainerInfo& c, const std::function<Status(const std::string&)>& fn);

 private:
  Result<ContainerInfo> FromRow(const ContainerRow& row);
  // Marks a "running" container whose processes are all gone as exited (255).
  Status Refresh(ContainerInfo* c);
  // Emits copy_up / whiteout / opaque_dir events for what changed since `before`.
  Status ReportChanges(const ContainerInfo& c, const std::vector<Change>& before);
  // Names lower layer `index` (0 = the top of `lower_count` lowers, which may include the init
  // layer) for narration: its diff id and "from layer N (abc123456789), made by: RUN ...".
  struct LowerName {
    std::string diff_id, label;
  };
  Result<std::function<LowerName(size_t)>> LowerNamer(const ContainerInfo& c, size_t lower_count);
  std::string ConfigJson(const ContainerInfo& c) const;
  Result<std::string> UniqueName();
  Store* store_;
  Images* images_;
  StorageDriver driver_;
};

// A random "adjective_surname" name, as Docker gives (namesgenerator).
std::string RandomContainerName(unsigned seed);

}  // namespace layerlab
