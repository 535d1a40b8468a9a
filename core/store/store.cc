// Store: opening (lock, schema), committing images, tags, and queries over the metadata.
#include "layerlab/store.h"

#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

#include "database.h"
#include "schema.h"

namespace layerlab {

using store::Database;
using store::Statement;
using store::Transaction;

std::string DefaultStoreRoot() {
  if (const char* r = std::getenv("LAYERLAB_ROOT"); r && *r) return r;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return fmt::format("{}/layerlab", x);
  const char* home = std::getenv("HOME");
  return fmt::format("{}/.local/share/layerlab", home && *home ? home : "/root");
}

Store::Store(std::string root, Tracer tracer)
    : root_(std::move(root)), tracer_(tracer), blobs_(root_, tracer) {}

Store::~Store() {
  db_.reset();
  if (lock_fd_ >= 0) close(lock_fd_);
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& root, Tracer tracer) {
  if (root.empty()) return Status::InvalidArgument("store root is empty");
  std::unique_ptr<Store> s(new Store(root, tracer));
  LL_RETURN_IF_ERROR(MakeDirs(root).WithContext("create store"));
  bool fresh = access((root + "/layerlab.db").c_str(), F_OK) != 0;
  LL_RETURN_IF_ERROR(s->blobs_.Init());
  std::string lock_path = root + "/lock";
  s->lock_fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->lock_fd_ < 0) return Status::FromErrno(fmt::format("open `{}`", lock_path), errno);
  while (flock(s->lock_fd_, LOCK_SH) != 0) {
    if (errno != EINTR) return Status::FromErrno(fmt::format("lock `{}`", lock_path), errno);
  }
  // Opening (switching a new database to WAL, migrating) is done by one command at a time, under
  // a lock of its own held only that long: two commands starting together on an empty root would
  // otherwise race to create the database, and the loser could be left in rollback-journal mode,
  // where a reader makes a writer fail with "database is locked".
  {
    std::string init_path = root + "/lock.init";
    int init_fd = open(init_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (init_fd < 0) return Status::FromErrno(fmt::format("open `{}`", init_path), errno);
    while (flock(init_fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        close(init_fd);
        return Status::FromErrno(fmt::format("lock `{}`", init_path), err);
      }
    }
    auto db = Database::Open(root + "/layerlab.db");
    Status migrated = db ? store::Migrate(db->get(), tracer) : db.error();
    close(init_fd);  // releases the lock
    if (!migrated.ok()) return migrated;
    s->db_ = std::move(*db);
  }
  if (fresh) tracer.Emit(TraceKind::kStoreInitialized, root, "no store existed at this root");
  return s;
}

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT value FROM meta WHERE key=?"));
  st.Bind(1, key);
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.ColumnText(0));
}

static int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

Result<ImageRecord> Store::CommitImage(const NewImage& image) {
  for (const auto& l : image.layers) {
    if (!blobs_.Exists(l.diff_id)) {
      return Status::Internal(fmt::format("layer blob {} must be stored before its row", l.diff_id));
    }
  }
  if (!blobs_.Exists(image.config_digest) || !blobs_.Exists(image.manifest_digest)) {
    return Status::Internal("config and manifest blobs must be stored before the image row");
  }
  Transaction tx(db_.get());
  LL_RETURN_IF_ERROR(tx.Begin());
  struct Pending {
    TraceKind kind;
    std::string subject, layer, why;
    int64_t bytes;
  };
  std::vector<Pending> events;  // emitted after the commit: only what really happened
  int64_t total = 0;
  std::string parent_chain;
  std::vector<std::string> chains;
  for (const auto& l : image.layers) {
    std::string chain = ChainId(parent_chain, l.diff_id);
    LL_ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT 1 FROM layers WHERE chain_id=?"));
    q.Bind(1, chain);
    LL_ASSIGN_OR_RETURN(bool exists, q.Step());
    if (exists) {
      events.push_back({TraceKind::kLayerShared, chain, l.diff_id,
                        "the same layer on the same parents is already stored", l.size});
    } else {
      LL_ASSIGN_OR_RETURN(Statement ins,
                          db_->Prepare("INSERT INTO layers(chain_id,diff_id,parent,size,tar_size,"
                                       "created) VALUES(?,?,?,?,?,?)"));
      ins.Bind(1, chain).Bind(2, l.diff_id).Bind(4, l.size).Bind(5, l.tar_size).Bind(6, Now());
      if (parent_chain.empty()) ins.BindNull(3); else ins.Bind(3, parent_chain);
      LL_RETURN_IF_ERROR(ins.Run());
      events.push_back({TraceKind::kLayerCreated, chain, l.diff_id, "new content", l.size});
    }
    total += l.size;
    chains.push_back(chain);
    parent_chain = chain;
  }
  LL_ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT 1 FROM images WHERE id=?"));
  q.Bind(1, image.config_digest);
  LL_ASSIGN_OR_RETURN(bool image_exists, q.Step());
  if (!image_exists) {
    LL_ASSIGN_OR_RETURN(Statement ins,
                        db_->Prepare("INSERT INTO images(id,manifest_digest,parent,created,size,"
                                     "added) VALUES(?,?,?,?,?,?)"));
    ins.Bind(1, image.config_digest).Bind(2, image.manifest_digest).Bind(3, image.parent);
    ins.Bind(4, image.created).Bind(5, total).Bind(6, Now());
    LL_RETURN_IF_ERROR(ins.Run());
    for (size_t i = 0; i < chains.size(); ++i) {
      LL_ASSIGN_OR_RETURN(Statement il, db_->Prepare("INSERT INTO image_layers VALUES(?,?,?)"));
      il.Bind(1, image.config_digest).Bind(2, static_cast<int64_t>(i)).Bind(3, chains[i]);
      LL_RETURN_IF_ERROR(il.Run());
    }
    events.push_back({TraceKind::kImageCreated, image.config_digest, "",
                      fmt::format("{} layer(s)", chains.size()), total});
  }
  if (!image.meta_key.empty()) {
    LL_ASSIGN_OR_RETURN(Statement m, db_->Prepare("INSERT OR REPLACE INTO meta VALUES(?, '1')"));
    m.Bind(1, image.meta_key);
    LL_RETURN_IF_ERROR(m.Run());
  }
  // Tags are added through the same transaction so an image never appears half-named.
  Tracer saved = tracer_;
  RecordingSink tag_events;
  tracer_ = Tracer(&tag_events);
  for (const auto& ref : image.tags) {
    Status st = AddTag(image.config_digest, ref);
    if (!st.ok()) {
      tracer_ = saved;
      return st;
    }
  }
  tracer_ = saved;
  LL_RETURN_IF_ERROR(tx.Commit());
  for (const auto& e : events) tracer_.Emit(e.kind, e.subject, e.why, e.bytes, e.layer);
  for (const auto& e : tag_events.events) tracer_.Emit(e);
  return ReadImageRow(image.config_digest);
}

Status Store::AddTag(const std::string& image_id, const Reference& ref) {
  std::string name = ref.String();
  LL_ASSIGN_OR_RETURN(auto old, LookupTag(name));
  if (old && *old == image_id) return Status::Ok();
  LL_ASSIGN_OR_RETURN(Statement st,
                      db_->Prepare("INSERT OR REPLACE INTO tags(name,repository,tag,image_id,"
                                   "tagged) VALUES(?,?,?,?,?)"));
  Reference repo = ref;
  repo.tag.clear();
  repo.digest.clear();
  st.Bind(1, name).Bind(2, repo.FamiliarName()).Bind(3, ref.tag).Bind(4, image_id).Bind(5, Now());
  LL_RETURN_IF_ERROR(st.Run());
  if (old) {
    tracer_.Emit(TraceKind::kTagMoved, ref.FamiliarString(),
                 fmt::format("it named {} before; that image keeps its other names or becomes "
                             "<none>",
                             ShortId(*old)),
                 -1, {}, image_id);
  } else {
    tracer_.Emit(TraceKind::kTagAdded, ref.FamiliarString(),
                 "a tag is only a name pointing at an image id", -1, {}, image_id);
  }
  return Status::Ok();
}

Status Store::RemoveTag(const std::string& full_name) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("DELETE FROM tags WHERE name=?"));
  st.Bind(1, full_name);
  LL_RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) return Status::NotFound(fmt::format("no tag {}", full_name));
  auto parsed = ParseNormalizedNamed(full_name);
  tracer_.Emit(TraceKind::kTagRemoved, parsed.ref ? parsed.ref->FamiliarString() : full_name,
               "only the name goes; the image stays while other names or children use it");
  return Status::Ok();
}

Result<std::optional<std::string>> Store::LookupTag(const std::string& full_name) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT image_id FROM tags WHERE name=?"));
  st.Bind(1, full_name);
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.ColumnText(0));
}

Result<std::vector<LayerRecord>> Store::LayersOf(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(Statement st,
                      db_->Prepare("SELECT l.chain_id, l.diff_id, IFNULL(l.parent,''), l.size, "
                                   "l.tar_size FROM image_layers il JOIN layers l ON "
                                   "l.chain_id = il.chain_id WHERE il.image_id=? "
                                   "ORDER BY il.position"));
  st.Bind(1, image_id);
  std::vector<LayerRecord> out;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnInt(3),
                   st.ColumnInt(4)});
  }
  return out;
}

Result<std::vector<TagRecord>> Store::TagsOf(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT name, repository, tag, image_id, tagged "
                                                 "FROM tags WHERE image_id=? ORDER BY name"));
  st.Bind(1, image_id);
  std::vector<TagRecord> out;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnText(3),
                   st.ColumnInt(4)});
  }
  return out;
}

Result<ImageRecord> Store::ReadImageRow(const std::string& id) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id, manifest_digest, parent, created, "
                                                 "size, added FROM images WHERE id=?"));
  st.Bind(1, id);
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound(fmt::format("No such image: {}", id));
  ImageRecord r;
  r.id = st.ColumnText(0);
  r.manifest_digest = st.ColumnText(1);
  r.parent = st.ColumnText(2);
  r.created = st.ColumnInt(3);
  r.size = st.ColumnInt(4);
  r.added = st.ColumnInt(5);
  LL_ASSIGN_OR_RETURN(r.layers, LayersOf(r.id));
  LL_ASSIGN_OR_RETURN(r.tags, TagsOf(r.id));
  LL_ASSIGN_OR_RETURN(Statement rd, db_->Prepare("SELECT repository, digest FROM repo_digests "
                                                 "WHERE image_id=? ORDER BY repository"));
  rd.Bind(1, r.id);
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool more, rd.Step());
    if (!more) break;
    r.repo_digests.emplace_back(rd.ColumnText(0), rd.ColumnText(1));
  }
  return r;
}

Result<std::optional<std::string>> Store::LookupRepoDigest(const std::string& repository,
                                                          const std::string& digest) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT image_id FROM repo_digests WHERE "
                                                 "repository=? AND digest=?"));
  st.Bind(1, repository).Bind(2, digest);
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.ColumnText(0));
}

Status Store::AddRepoDigest(const std::string& repository, const std::string& digest,
                            const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("INSERT OR REPLACE INTO repo_digests(repository,"
                                                 " digest, image_id) VALUES(?,?,?)"));
  st.Bind(1, repository).Bind(2, digest).Bind(3, image_id);
  return st.Run();
}

Result<std::optional<ImageRecord>> Store::GetImage(const std::string& id) {
  auto r = ReadImageRow(id);
  if (!r) {
    if (r.error().code() == Code::kNotFound) return std::optional<ImageRecord>();
    return r.error();
  }
  return std::optional<ImageRecord>(std::move(*r));
}

Result<std::vector<ImageRecord>> Store::ListImages() {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id FROM images ORDER BY created DESC, "
                                                 "added DESC, id"));
  std::vector<std::string> ids;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.ColumnText(0));
  }
  std::vector<ImageRecord> out;
  for (const auto& id : ids) {
    LL_ASSIGN_OR_RETURN(ImageRecord r, ReadImageRow(id));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<std::string>> Store::FindImagesByPrefix(const std::string& hex_prefix) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id FROM images WHERE substr(id, 8, ?)=?"));
  st.Bind(1, static_cast<int64_t>(hex_prefix.size())).Bind(2, hex_prefix);
  std::vector<std::string> out;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.ColumnText(0));
  }
  return out;
}

Result<std::vector<std::string>> Store::Children(const std::string& id) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id FROM images WHERE parent=?"));
  st.Bind(1, id);
  std::vector<std::string> out;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.ColumnText(0));
  }
  return out;
}

Result<std::vector<ContainerRef>> Store::ContainersUsing(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT id, name, state FROM containers WHERE "
                                                 "image_id=? ORDER BY created"));
  st.Bind(1, image_id);
  std::vector<ContainerRef> out;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnText(2)});
  }
  return out;
}

}  // namespace layerlab
