// Store: deleting images (rows first, then the files no row needs) and `system check`.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "database.h"
#include "layerlab/store.h"

namespace layerlab {

using store::Statement;
using store::Transaction;

namespace {

// A tmp/*.trash folder whose deleter still runs: it holds an flock on the folder.
bool BeingRemoved(const std::string& path) {
  if (path.size() < 6 || path.compare(path.size() - 6, 6, ".trash") != 0) return false;
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;  // gone meanwhile
  bool locked = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return locked;
}

Result<int64_t> Count(store::Database* db, const std::string& sql, const std::string& arg) {
  LL_ASSIGN_OR_RETURN(Statement st, db->Prepare(sql));
  st.Bind(1, arg);
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.ColumnInt(0) : 0;
}

}  // namespace

Result<DeleteReport> Store::DeleteImage(const std::string& id) {
  DeleteReport report;
  LL_ASSIGN_OR_RETURN(ImageRecord img, ReadImageRow(id));
  std::vector<std::string> blobs_to_remove;
  struct Kept {
    std::string chain, diff, user;
  };
  std::vector<Kept> kept;
  {
    Transaction tx(db_.get());
    LL_RETURN_IF_ERROR(tx.Begin());
    LL_ASSIGN_OR_RETURN(int64_t tags, Count(db_.get(), "SELECT COUNT(*) FROM tags WHERE image_id=?", id));
    LL_ASSIGN_OR_RETURN(int64_t users,
                        Count(db_.get(), "SELECT COUNT(*) FROM containers WHERE image_id=?", id));
    if (tags > 0 || users > 0) {
      return Status::Conflict(fmt::format("image {} still has tags or containers", ShortId(id)));
    }
    LL_ASSIGN_OR_RETURN(Statement del, db_->Prepare("DELETE FROM images WHERE id=?"));
    del.Bind(1, id);
    LL_RETURN_IF_ERROR(del.Run());
    // Children keep existing; they just lose their recorded parent.
    LL_ASSIGN_OR_RETURN(Statement orphan, db_->Prepare("UPDATE images SET parent='' WHERE parent=?"));
    orphan.Bind(1, id);
    LL_RETURN_IF_ERROR(orphan.Run());
    blobs_to_remove.push_back(id);
    blobs_to_remove.push_back(img.manifest_digest);
    // Walk the layers from the top: a layer goes when no image and no higher layer needs it.
    for (auto it = img.layers.rbegin(); it != img.layers.rend(); ++it) {
      LL_ASSIGN_OR_RETURN(int64_t used,
                          Count(db_.get(), "SELECT COUNT(*) FROM image_layers WHERE chain_id=?",
                                it->chain_id));
      LL_ASSIGN_OR_RETURN(int64_t children,
                          Count(db_.get(), "SELECT COUNT(*) FROM layers WHERE parent=?",
                                it->chain_id));
      if (used > 0 || children > 0) {
        LL_ASSIGN_OR_RETURN(Statement who,
                            db_->Prepare("SELECT image_id FROM image_layers WHERE chain_id=? "
                                         "LIMIT 1"));
        who.Bind(1, it->chain_id);
        LL_ASSIGN_OR_RETURN(bool row, who.Step());
        std::string user = row ? who.ColumnText(0) : "";
        kept.push_back({it->chain_id, it->diff_id, user});
        report.kept_layers.push_back(it->chain_id);
        continue;
      }
      LL_ASSIGN_OR_RETURN(Statement dl, db_->Prepare("DELETE FROM layers WHERE chain_id=?"));
      dl.Bind(1, it->chain_id);
      LL_RETURN_IF_ERROR(dl.Run());
      report.deleted_layers.push_back(it->chain_id);
      LL_ASSIGN_OR_RETURN(int64_t same_diff,
                          Count(db_.get(), "SELECT COUNT(*) FROM layers WHERE diff_id=?",
                                it->diff_id));
      if (same_diff == 0) blobs_to_remove.push_back(it->diff_id);
    }
    LL_RETURN_IF_ERROR(tx.Commit());
  }
  // The rows are gone; now the files. A crash here leaves orphans that `system check` removes.
  for (const auto& d : blobs_to_remove) LL_RETURN_IF_ERROR(blobs_.Remove(d));
  for (const auto& chain : report.deleted_layers) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(LayerDir(chain)).parent_path(), ec);
  }
  tracer_.Emit(TraceKind::kImageDeleted, id, "no tag, child or container uses it any more",
               img.size);
  for (const auto& chain : report.deleted_layers) {
    auto it = std::find_if(img.layers.begin(), img.layers.end(),
                           [&](const LayerRecord& l) { return l.chain_id == chain; });
    tracer_.Emit(TraceKind::kLayerFreed, chain, "no other image uses this layer", it->size,
                 it->diff_id);
  }
  for (const auto& k : kept) {
    tracer_.Emit(TraceKind::kLayerKept, k.chain,
                 k.user.empty() ? "a layer of another image is built on it"
                                : fmt::format("image {} still uses it", ShortId(k.user)),
                 -1, k.diff);
  }
  return report;
}

Result<CheckReport> Store::Check(bool repair) {
  CheckReport report;
  if (repair) {
    // Exclusive: no other layerlab process is writing, so every staging file is stale.
    while (flock(lock_fd_, LOCK_EX) != 0) {
      if (errno != EINTR) return Status::FromErrno("lock the store", errno);
    }
  }
  std::set<std::string> referenced;
  auto collect = [&](const std::string& sql, const char* what) -> Status {
    LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
    for (;;) {
      LL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::string d = st.ColumnText(0);
      referenced.insert(d);
      if (!blobs_.Exists(d)) {
        report.missing.push_back(fmt::format("{} {} is missing", what, d));
      }
    }
    return Status::Ok();
  };
  LL_RETURN_IF_ERROR(collect("SELECT id FROM images", "config blob"));
  LL_RETURN_IF_ERROR(collect("SELECT manifest_digest FROM images", "manifest blob"));
  LL_RETURN_IF_ERROR(collect("SELECT DISTINCT diff_id FROM layers", "layer blob"));
  LL_ASSIGN_OR_RETURN(std::vector<std::string> present, blobs_.List());
  for (const auto& d : present) {
    if (!referenced.count(d)) {
      std::string path = blobs_.PathOf(d);
      report.orphans.push_back(path);
      tracer_.Emit(TraceKind::kOrphanFound, path, "no image or layer refers to this blob");
      if (repair) {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);  // a junk directory among blobs goes too
        if (ec) return Status::FromErrno(fmt::format("remove `{}`", path), ec.value());
        report.removed.push_back(path);
        tracer_.Emit(TraceKind::kOrphanRemoved, path, "repair");
      }
      continue;
    }
    ++report.blobs_checked;
    Status st = blobs_.Verify(d);
    if (!st.ok()) report.corrupt.push_back(st.message());
  }
  // Unpacked layers and container folders that no row names (an interrupted delete or create).
  auto dirs_without_rows = [&](const std::string& dir, const std::string& sql,
                               bool hex_of_digest) -> Status {
    LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
    std::set<std::string> known;
    for (;;) {
      LL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      known.insert(hex_of_digest ? DigestHex(st.ColumnText(0)) : st.ColumnText(0));
    }
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = e.path().filename();
      if (known.count(name)) continue;
      report.orphans.push_back(e.path());
      tracer_.Emit(TraceKind::kOrphanFound, e.path(), "no row refers to this folder");
      if (repair) {
        std::filesystem::remove_all(e.path(), ec);
        report.removed.push_back(e.path());
        tracer_.Emit(TraceKind::kOrphanRemoved, e.path(), "repair");
      }
    }
    return Status::Ok();
  };
  LL_RETURN_IF_ERROR(dirs_without_rows(root_ + "/layers", "SELECT chain_id FROM layers", true));
  LL_RETURN_IF_ERROR(dirs_without_rows(root_ + "/containers", "SELECT id FROM containers", false));
  // Staging files: those of a live process are work in progress, the rest are leftovers.
  DIR* dir = opendir(blobs_.tmp_dir().c_str());
  if (dir != nullptr) {
    while (struct dirent* e = readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      long pid = std::strtol(name.c_str(), nullptr, 10);
      bool alive = !repair && pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
      if (alive) continue;
      std::string path = blobs_.tmp_dir() + "/" + name;
      if (BeingRemoved(path)) continue;  // RemoveInBackground's deleter is at work
      report.orphans.push_back(path);
      tracer_.Emit(TraceKind::kOrphanFound, path, "staging file of a write that never finished");
      if (repair) {
        // Staging entries are files (blobs, tars) or directories (unpacked trees).
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
        if (ec) {
          closedir(dir);
          return Status::FromErrno(fmt::format("remove `{}`", path), ec.value());
        }
        report.removed.push_back(path);
        tracer_.Emit(TraceKind::kOrphanRemoved, path, "repair");
      }
    }
    closedir(dir);
  }
  if (repair) {
    while (flock(lock_fd_, LOCK_SH) != 0) {
      if (errno != EINTR) return Status::FromErrno("lock the store", errno);
    }
  }
  return report;
}

}  // namespace layerlab
