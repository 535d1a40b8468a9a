// SQLite wrapper: open with WAL and a busy timeout, prepared statements, transactions.
#include "database.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace layerlab::store {

namespace {
// Concurrent layerlab processes wait this long for the write lock before giving up.
constexpr int kBusyTimeoutMs = 10000;
}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::Corrupt(fmt::format("open database `{}`: {}", path, msg));
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::unique_ptr<Database> d(new Database(db, path));
  // WAL: readers never block the writer. synchronous=NORMAL: a transaction is atomic whatever
  // happens to the process (kill -9 leaves the old state or the new one); only a power cut may
  // lose the last commits, never corrupt the database. FULL would fsync every commit.
  {
    LL_ASSIGN_OR_RETURN(Statement mode, d->Prepare("PRAGMA journal_mode=WAL"));
    LL_ASSIGN_OR_RETURN(bool row, mode.Step());
    if (!row || mode.ColumnText(0) != "wal") {
      return Status::Corrupt(fmt::format("database `{}`: cannot switch to WAL mode (it is {})",
                                         path, row ? mode.ColumnText(0) : "unknown"));
    }
  }
  LL_RETURN_IF_ERROR(d->Exec("PRAGMA synchronous=NORMAL"));
  LL_RETURN_IF_ERROR(d->Exec("PRAGMA foreign_keys=ON"));
  // Every command is a short process, and the database is closed by each. Checkpointing the WAL
  // at close would cost two fdatasyncs and a new WAL file per command; not checkpointing lets the
  // WAL grow, and the first connection of each process rebuilds its index by reading the whole
  // WAL (at SQLite's default of 1000 pages, 4 MB read and checksummed by every command: ~2 ms of
  // `run --rm busybox true`). So the WAL is checkpointed when it passes 64 pages (256 kB, about
  // six `run --rm`), by whichever command commits then. The WAL is as safe as the database file.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  LL_RETURN_IF_ERROR(d->Exec("PRAGMA wal_autocheckpoint=64"));
  return d;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Error(const std::string& what) const {
  return Status::Corrupt(fmt::format("{} in `{}`: {}", what, path_, sqlite3_errmsg(db_)));
}

Status Database::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Code code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? Code::kConflict : Code::kCorrupt;
    std::string text = fmt::format("database `{}`: {}", path_, msg);
    return code == Code::kConflict ? Status::Conflict(text) : Status::Corrupt(text);
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return Error(fmt::format("prepare `{}`", sql));
  }
  return Statement(this, stmt);
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(fmt::format("step `{}`", sqlite3_sql(stmt_)));
}

Status Statement::Run() {
  for (;;) {
    auto r = Step();
    if (!r) return r.error();
    if (!*r) return Status::Ok();
  }
}

Status Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return Status::Ok();
}

std::string Statement::ColumnText(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  if (t == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(t),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Transaction::~Transaction() {
  if (open_) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Begin() {
  LL_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  LL_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace layerlab::store
