// A thin RAII wrapper over SQLite (private to core/store: the only code that includes sqlite3.h).
// Statements bind by 1-based index; errors become Status values carrying SQLite's message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "layerlab/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace layerlab::store {

class Statement;

class Database {
 public:
  // Opens (creating if needed) with WAL, a busy timeout and foreign keys on.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status Exec(const std::string& sql);
  Result<Statement> Prepare(const std::string& sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  friend class Statement;
  Status Error(const std::string& what) const;
  sqlite3* db_;
  std::string path_;
};

class Statement {
 public:
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, const std::string& value);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);
  // Runs one step. Returns true when a row is ready, false when done.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  Status Reset();

  std::string ColumnText(int col) const;
  int64_t ColumnInt(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  friend class Database;
  Statement(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Database* db_;
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database* db) : db_(db) {}
  ~Transaction();
  Status Begin();
  Status Commit();

 private:
  Database* db_;
  bool open_ = false;
};

}  // namespace layerlab::store
