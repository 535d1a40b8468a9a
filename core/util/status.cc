// Status helpers: errno names and context chaining.
#include "layerlab/status.h"

#include <cstring>

#include <fmt/format.h>

namespace layerlab {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
  return fmt::format("errno {}", err);
}

Status Status::FromErrno(std::string what, int err) {
  return Status(Code::kIo, fmt::format("{}: {} ({})", what, std::strerror(err), ErrnoName(err)),
                err);
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, fmt::format("{}: {}", context, message_), errno_);
}

}  // namespace layerlab
