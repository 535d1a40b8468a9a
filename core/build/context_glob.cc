// COPY/ADD sources against the build context, as BuildKit expands them (fsutil copy's
// ResolveWildcards), and symlink resolution scoped to the context (continuity's fs.RootPath), so
// that a link in the context can never make a build read a file of the host.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "layerlab/dockerignore.h"
#include "reference/path_match.h"

namespace layerlab {
namespace {

namespace fs = std::filesystem;
using reference_internal::PathMatch;
using reference_internal::PathMatchResult;

constexpr int kMaxSymlinks = 255;  // continuity's limit

// Splits on '/', dropping empty parts.
std::vector<std::string> Split(std::string_view p) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < p.size();) {
    size_t end = p.find('/', i);
    if (end == std::string_view::npos) end = p.size();
    if (end > i) parts.emplace_back(p.substr(i, end - i));
    i = end + 1;
  }
  return parts;
}

// Joins parts[from, to) with '/'; "." when there are none.
std::string Join(const std::vector<std::string>& parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += (out.empty() ? "" : "/") + parts[i];
  return out.empty() ? "." : out;
}

std::string Abs(const std::string& context_dir, std::string_view rel) {
  return rel == "." ? context_dir : context_dir + "/" + std::string(rel);
}

// fsutil's containsWildcards: a '*', '?' or '[' that no '\' escapes.
bool HasWildcard(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '*' || name[i] == '?' || name[i] == '[') {
      return true;
    }
  }
  return false;
}

// Why a path did not resolve: the first missing path and the last symlink followed to it.
struct Missing {
  std::string path;
  std::string via;  // " (reached through the symlink ...)" or ""
  std::string Text() const {
    return fmt::format("`{}` not found in the build context{}", path, via);
  }
};

// ResolveInContext; on NotFound also says what is missing.
Result<std::string> Resolve(const std::string& context_dir, std::string_view rel,
                            Missing& missing) {
  std::vector<std::string> done;  // resolved components: real directories (and a last entry)
  std::vector<std::string> todo = Split(rel);
  std::reverse(todo.begin(), todo.end());  // the next component is at the back
  int links = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.back());
    todo.pop_back();
    if (comp == ".") continue;
    if (comp == "..") {  // ".." at the context stays at the context, as at "/"
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(std::move(comp));
    const std::string now = Join(done, 0, done.size());
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(Abs(context_dir, now), ec);
    if (st.type() == fs::file_type::not_found || ec.value() == ENOTDIR) {
      missing.path = now;
      return Status::NotFound(missing.Text());
    }
    if (ec) {
      return Status::FromErrno(fmt::format("lstat `{}` in the build context", now), ec.value());
    }
    if (st.type() != fs::file_type::symlink) continue;
    if (++links > kMaxSymlinks) {
      return Status::FromErrno(fmt::format("resolve `{}` in the build context", rel), ELOOP);
    }
    const std::string target = fs::read_symlink(Abs(context_dir, now), ec).string();
    if (ec) return Status::FromErrno(fmt::format("readlink `{}`", now), ec.value());
    missing.via = fmt::format(
        " (reached through the symlink `{}` -> `{}`, which is followed inside the context, as if "
        "the context were `/`)",
        now, target);
    done.pop_back();
    if (target.starts_with('/')) done.clear();
    const std::vector<std::string> more = Split(target);
    todo.insert(todo.end(), more.rbegin(), more.rend());
  }
  return Join(done, 0, done.size());
}

// What the walk below the wildcard-free prefix looks for.
struct Glob {
  std::string_view pattern;  // the rest of the source, e.g. "*/a.txt"
  size_t max_slashes;        // a '/' in a name is matched by a '/' or a [...] of the pattern
};

// filepath.Walk below base, in its order (names sorted bytewise per directory), without
// following symlinks. slashes = how many '/' the relative paths of this directory's entries hold.
Status WalkDir(const std::string& abs_dir, const std::string& rel, size_t slashes, const Glob& g,
               std::vector<std::string>& out) {
  std::error_code ec;
  std::vector<std::string> names;
  fs::directory_iterator it(abs_dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) {
    return Status::FromErrno(fmt::format("read directory `{}` of the build context", abs_dir),
                             ec.value());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string child = rel.empty() ? name : rel + "/" + name;
    if (PathMatch(g.pattern, child) == PathMatchResult::kMatch) {
      out.push_back(child);  // a matched directory is taken whole (filepath.SkipDir)
      continue;
    }
    // Upstream walks everything; deeper names than the pattern can match are skipped here.
    if (slashes + 1 > g.max_slashes) continue;
    const std::string abs_child = abs_dir + "/" + name;
    const fs::file_status st = fs::symlink_status(abs_child, ec);
    if (ec) return Status::FromErrno(fmt::format("lstat `{}`", abs_child), ec.value());
    if (st.type() == fs::file_type::directory) {
      LL_RETURN_IF_ERROR(WalkDir(abs_child, child, slashes + 1, g, out));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  const size_t n = path.size();
  std::string out = rooted ? "/" : "";
  size_t r = rooted ? 1 : 0;
  size_t dotdot = out.size();  // out[:dotdot] cannot be taken back by ".."
  while (r < n) {
    if (path[r] == '/' || (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))) {
      ++r;  // an empty or "." element
    } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
      r += 2;
      if (out.size() > dotdot) {
        size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        out += out.empty() ? ".." : "/..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      for (; r < n && path[r] != '/'; ++r) out.push_back(path[r]);
    }
  }
  return out.empty() ? "." : out;
}

Result<std::string> ResolveInContext(const std::string& context_dir, std::string_view rel_path) {
  Missing missing;
  return Resolve(context_dir, rel_path, missing);
}

Result<std::vector<std::string>> GlobContext(const std::string& context_dir,
                                             std::string_view source) {
  std::error_code ec;
  if (!fs::is_directory(context_dir, ec)) {
    return Status::NotFound(fmt::format("build context `{}` is not a directory", context_dir));
  }
  // BuildKit joins the source to "/" first: "../x" is "x", "dir/" is "dir".
  const std::vector<std::string> comps = Split(CleanPath("/" + std::string(source)));
  const size_t wild = std::find_if(comps.begin(), comps.end(), HasWildcard) - comps.begin();
  const std::string prefix = Join(comps, 0, wild);
  Missing missing;

  if (wild == comps.size()) {  // no wildcard: the path itself, if it resolves
    Result<std::string> resolved = Resolve(context_dir, prefix, missing);
    if (resolved.has_value()) return std::vector<std::string>{prefix};
    if (resolved.error().code() != Code::kNotFound) return resolved.error();
    if (missing.path == prefix && missing.via.empty()) {
      const std::string as = prefix == source ? "" : fmt::format(" (`{}` in the context)", prefix);
      return Status::NotFound(
          fmt::format("source `{}`{} not found in the build context", source, as));
    }
    return Status::NotFound(fmt::format("source `{}`: {}", source, missing.Text()));
  }
  const std::string pattern = Join(comps, wild, comps.size());
  if (PathMatch(pattern, "") == PathMatchResult::kBadPattern) {
    return Status::InvalidArgument(
        fmt::format("source `{}`: syntax error in pattern `{}`", source, pattern));
  }
  Result<std::string> base = Resolve(context_dir, prefix, missing);
  if (!base.has_value()) {
    if (base.error().code() != Code::kNotFound) return base.error();
    return Status::NotFound(fmt::format("source `{}`: {}", source, missing.Text()));
  }
  std::vector<std::string> found;
  const std::string abs_base = Abs(context_dir, *base);
  if (fs::is_directory(fs::symlink_status(abs_base, ec))) {  // a file: nothing below to match
    const Glob glob{pattern, static_cast<size_t>(std::count(pattern.begin(), pattern.end(), '/') +
                                                 std::count(pattern.begin(), pattern.end(), '['))};
    LL_RETURN_IF_ERROR(WalkDir(abs_base, "", 0, glob, found));
  }
  if (found.empty()) {
    return Status::NotFound(
        fmt::format("source `{}`: no file in the build context matches it", source));
  }
  for (std::string& match : found) {
    if (*base != ".") match = *base + "/" + match;
    // A matched symlink is copied as what it points to: that must be in the context too.
    Missing why;
    Result<std::string> target = Resolve(context_dir, match, why);
    if (!target.has_value()) {
      if (target.error().code() != Code::kNotFound) return target.error();
      return Status::NotFound(
          fmt::format("source `{}` matched `{}`, but {}", source, match, why.Text()));
    }
  }
  return found;
}

}  // namespace layerlab
