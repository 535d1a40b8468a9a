// Schema migrations, applied in order inside one transaction; PRAGMA user_version is the version.
#include "schema.h"

#include <fmt/format.h>

namespace layerlab::store {

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // v1: images, their layers and their tags.
      R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE layers (
  chain_id  TEXT PRIMARY KEY,
  diff_id   TEXT NOT NULL,
  parent    TEXT REFERENCES layers(chain_id),
  size      INTEGER NOT NULL,
  tar_size  INTEGER NOT NULL,
  created   INTEGER NOT NULL
);
CREATE INDEX layers_diff_id ON layers(diff_id);
CREATE TABLE images (
  id              TEXT PRIMARY KEY,
  manifest_digest TEXT NOT NULL,
  parent          TEXT,
  created         INTEGER NOT NULL,
  size            INTEGER NOT NULL,
  added           INTEGER NOT NULL
);
CREATE TABLE image_layers (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  chain_id TEXT NOT NULL REFERENCES layers(chain_id),
  PRIMARY KEY (image_id, position)
);
CREATE INDEX image_layers_chain ON image_layers(chain_id);
CREATE TABLE tags (
  name       TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  tag        TEXT NOT NULL,
  image_id   TEXT NOT NULL REFERENCES images(id),
  tagged     INTEGER NOT NULL
);
CREATE INDEX tags_image ON tags(image_id);
)sql",
      // v2: containers (they arrive with the copy-on-write issue; rmi must already see them), and
      // repository digests for images that came from or went to a registry.
      R"sql(
CREATE TABLE containers (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  image_id TEXT NOT NULL REFERENCES images(id),
  created  INTEGER NOT NULL,
  state    TEXT NOT NULL DEFAULT 'created',
  config   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX containers_image ON containers(image_id);
CREATE TABLE repo_digests (
  repository TEXT NOT NULL,
  digest     TEXT NOT NULL,
  image_id   TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  PRIMARY KEY (repository, digest)
);
)sql",
      // v3: the build cache. A row says: building `instruction` on image `parent_id` (with these
      // sources and args) gave `image_id`. `built` lists the images a build finished with (the
      // others are intermediate steps, shown by `images -a` only).
      R"sql(
CREATE TABLE build_cache (
  parent_id   TEXT NOT NULL,
  key         TEXT NOT NULL,
  instruction TEXT NOT NULL,
  sources     TEXT NOT NULL DEFAULT '{}',
  args        TEXT NOT NULL DEFAULT '{}',
  image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  created     INTEGER NOT NULL,
  PRIMARY KEY (parent_id, key)
);
CREATE INDEX build_cache_image ON build_cache(image_id);
CREATE TABLE built (image_id TEXT PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE);
)sql",
  };
  return kMigrations;
}

Result<int> SchemaVersion(Database* db) {
  LL_ASSIGN_OR_RETURN(Statement st, db->Prepare("PRAGMA user_version"));
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Corrupt("no user_version");
  return static_cast<int>(st.ColumnInt(0));
}

Status MigrateTo(Database* db, int target, const Tracer& tracer) {
  // The common case, a current store, needs no write lock: look first.
  {
    LL_ASSIGN_OR_RETURN(int current, SchemaVersion(db));
    if (current == target) return Status::Ok();
  }
  Transaction tx(db);
  LL_RETURN_IF_ERROR(tx.Begin());
  LL_ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  if (version > CurrentSchemaVersion()) {
    return Status::Unsupported(fmt::format(
        "store `{}` has schema version {}, newer than this layerlab understands ({}); "
        "use a newer layerlab",
        db->path(), version, CurrentSchemaVersion()));
  }
  if (version >= target) return Status::Ok();
  for (int v = version; v < target; ++v) {
    LL_RETURN_IF_ERROR(db->Exec(Migrations()[static_cast<size_t>(v)])
                           .WithContext(fmt::format("migrate schema v{} -> v{}", v, v + 1)));
  }
  LL_RETURN_IF_ERROR(db->Exec(fmt::format("PRAGMA user_version = {}", target)));
  LL_RETURN_IF_ERROR(tx.Commit());
  if (version > 0) {
    tracer.Emit(TraceKind::kSchemaMigrated, db->path(), "the store was made by an older layerlab",
                -1, {}, fmt::format("v{} -> v{}", version, target));
  }
  return Status::Ok();
}

Status Migrate(Database* db, const Tracer& tracer) {
  return MigrateTo(db, CurrentSchemaVersion(), tracer);
}

}  // namespace layerlab::store
