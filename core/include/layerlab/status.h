// Status and Result<T>: how every core/ function reports failure. No exception crosses core/'s
// public API; errno becomes a Status once, at the OS seam, and callers add context on the way up.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace layerlab {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // bad user input: a reference, a flag value, a file that is not a tar
  kNotFound,         // no such image, tag, blob or file
  kAlreadyExists,
  kConflict,         // refused because of other state (image in use, referenced by several tags)
  kCorrupt,          // stored data does not match its digest or cannot be parsed
  kIo,               // an OS call failed; errno() says which
  kUnsupported,
  kInternal,
};

// A value that says whether an operation succeeded. Cheap to copy when ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
  static Status Corrupt(std::string msg) { return {Code::kCorrupt, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {Code::kUnsupported, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  // An OS failure: "what: strerror (ENAME)". Pass the errno captured right after the call.
  static Status FromErrno(std::string what, int err);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int os_errno() const { return errno_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message" (the crun style of adding context).
  Status WithContext(const std::string& context) const;

 private:
  Status(Code code, std::string msg, int err = 0)
      : code_(code), message_(std::move(msg)), errno_(err) {}
  Code code_ = Code::kOk;
  std::string message_;
  int errno_ = 0;
};

// Result<T> holds a T or a failed Status. Its members match std::expected so it can become one.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit like expected
  Result(Status status) : v_(std::move(status)) {}          // NOLINT: must not be ok
  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Status& error() const { return std::get<1>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

// Name of an errno value ("ENOSPC"), or "errno N".
std::string ErrnoName(int err);

}  // namespace layerlab

// Early return helpers for the common "propagate on failure" pattern.
#define LL_RETURN_IF_ERROR(expr)         \
  do {                                   \
    ::layerlab::Status _st = (expr);     \
    if (!_st.ok()) return _st;           \
  } while (0)

#define LL_CONCAT_INNER(a, b) a##b
#define LL_CONCAT(a, b) LL_CONCAT_INNER(a, b)
#define LL_ASSIGN_OR_RETURN(lhs, expr) LL_ASSIGN_OR_RETURN_IMPL(LL_CONCAT(_res_, __LINE__), lhs, expr)
#define LL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.has_value()) return tmp.error();      \
  lhs = std::move(tmp).value()
