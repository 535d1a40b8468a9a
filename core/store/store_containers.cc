// Store: container rows, and the unpacked-layer and container folders they use.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "database.h"
#include "layerlab/layer_fs.h"
#include "layerlab/store.h"

namespace layerlab {

using store::Statement;

std::string Store::LayerDir(const std::string& chain_id) const {
  return fmt::format("{}/layers/{}/diff", root_, DigestHex(chain_id));
}

std::string Store::ContainerDir(const std::string& id) const {
  return fmt::format("{}/containers/{}", root_, id);
}

Result<std::string> Store::EnsureUnpacked(const LayerRecord& layer) {
  std::string diff = LayerDir(layer.chain_id);
  if (access(diff.c_str(), F_OK) == 0) return diff;
  std::string final_dir = diff.substr(0, diff.size() - 5);  // ROOT/layers/<hex>
  LL_RETURN_IF_ERROR(MakeDirs(root_ + "/layers"));
  std::string stage = blobs_.NewTmpPath("layer");
  LL_RETURN_IF_ERROR(MakeDirs(stage + "/diff"));
  auto unpacked = UnpackLayer(blobs_.PathOf(layer.diff_id), stage + "/diff", {});
  if (!unpacked) {
    (void)RemoveTree(stage);
    return Status(unpacked.error()).WithContext(
        fmt::format("unpack layer {}", ShortId(layer.chain_id)));
  }
  // Another process may have unpacked the same layer meanwhile: then keep theirs.
  if (rename(stage.c_str(), final_dir.c_str()) != 0) {
    int err = errno;
    (void)RemoveTree(stage);
    if (err != EEXIST && err != ENOTEMPTY) {
      return Status::FromErrno(fmt::format("rename `{}` to `{}`", stage, final_dir), err);
    }
    return diff;
  }
  LL_RETURN_IF_ERROR(SyncDir(root_ + "/layers"));
  tracer_.Emit(TraceKind::kLayerUnpacked, layer.chain_id,
               fmt::format("first use: its tar becomes a directory that every container of every "
                           "image with this layer shares read-only ({} entries, {} whiteouts)",
                           unpacked->entries, unpacked->whiteouts),
               layer.size, layer.diff_id);
  return diff;
}

namespace {

// Deleters started by this process that have not been reaped yet.
std::vector<pid_t>& Deleters() {
  static std::vector<pid_t> pids;
  return pids;
}

}  // namespace

Status Store::RemoveInBackground(const std::string& dir) {
  // A long-lived caller (a test, a benchmark) reaps its earlier deleters as it goes; a command
  // exits long before, and its deleter is then reaped by init.
  std::erase_if(Deleters(), [](pid_t p) { return waitpid(p, nullptr, WNOHANG) != 0; });
  std::string trash = blobs_.NewTmpPath("trash");
  if (rename(dir.c_str(), trash.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return RemoveTree(dir);  // not a folder we can move: delete it in place
  }
  // The lock is on the open file: the deleter holds it after we close our descriptor.
  int lock = open(trash.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock >= 0) (void)flock(lock, LOCK_EX);
  pid_t deleter = fork();
  if (deleter == 0) {
    setsid();  // out of the terminal's reach (a Ctrl-C meant for the next command)
    // Only the lock stays open: whoever reads our output must not wait for this process.
    if (lock > 0) close_range(0, static_cast<unsigned>(lock) - 1, 0);
    close_range(static_cast<unsigned>(lock) + 1, ~0U, 0);
    (void)RemoveTree(trash);
    _exit(0);
  }
  if (lock >= 0) close(lock);
  if (deleter < 0) return RemoveTree(trash);
  Deleters().push_back(deleter);
  return Status::Ok();
}

Status Store::InsertContainer(const ContainerRow& row) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("INSERT INTO containers(id,name,image_id,created,"
                                                 "state,config) VALUES(?,?,?,?,?,?)"));
  st.Bind(1, row.id).Bind(2, row.name).Bind(3, row.image_id).Bind(4, row.created);
  st.Bind(5, row.state).Bind(6, row.config);
  Status s = st.Run();
  if (!s.ok() && s.message().find("UNIQUE") != std::string::npos) {
    return Status::Conflict(fmt::format(
        "Conflict. The container name \"/{}\" is already in use. You have to remove (or "
        "rename) that container to be able to reuse that name.",
        row.name));
  }
  return s;
}

Result<std::vector<ContainerRow>> Store::ListContainers() {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id, name, image_id, created, state, "
                                                 "config FROM containers ORDER BY created DESC, "
                                                 "rowid DESC"));
  std::vector<ContainerRow> out;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnInt(3),
                   st.ColumnText(4), st.ColumnText(5)});
  }
  return out;
}

Result<bool> Store::ContainerNameTaken(const std::string& name) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT 1 FROM containers WHERE name=?"));
  st.Bind(1, name);
  return st.Step();
}

Result<std::optional<ContainerRow>> Store::FindContainer(const std::string& key) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id, name, image_id, created, state, "
                                                 "config FROM containers WHERE id=? OR name=?"));
  st.Bind(1, key).Bind(2, key);
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<ContainerRow>();
  return std::optional<ContainerRow>(ContainerRow{st.ColumnText(0), st.ColumnText(1),
                                                  st.ColumnText(2), st.ColumnInt(3),
                                                  st.ColumnText(4), st.ColumnText(5)});
}

Status Store::DeleteContainer(const std::string& id) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("DELETE FROM containers WHERE id=?"));
  st.Bind(1, id);
  return st.Run();
}

Status Store::UpdateContainer(const std::string& id, const std::string& state,
                              const std::string& config) {
  LL_ASSIGN_OR_RETURN(Statement st,
                      db_->Prepare("UPDATE containers SET state=?, config=? WHERE id=?"));
  st.Bind(1, state).Bind(2, config).Bind(3, id);
  return st.Run();
}

}  // namespace layerlab
