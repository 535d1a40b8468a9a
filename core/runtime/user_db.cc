// USER[:GROUP] resolved through the image's own /etc/passwd and /etc/group, as Docker does.
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

#include "layerlab/launch.h"

namespace layerlab {

namespace {

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ':')) out.push_back(f);
  if (!line.empty() && line.back() == ':') out.push_back("");
  return out;
}

bool IsNumber(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Result<ResolvedUser> ResolveUser(const std::string& spec, const std::string& passwd,
                                 const std::string& group) {
  ResolvedUser out;
  std::string user = spec, grp;
  if (size_t colon = spec.find(':'); colon != std::string::npos) {
    user = spec.substr(0, colon);
    grp = spec.substr(colon + 1);
  }
  if (user.empty()) user.assign(1, '0');  // (assigning "0" trips a GCC 12 -Wrestrict false positive)
  bool found = false;
  std::string user_name;
  std::stringstream pw(passwd);
  for (std::string line; std::getline(pw, line);) {
    auto f = Fields(line);
    if (f.size() < 7) continue;
    if (f[0] == user || (IsNumber(user) && f[2] == user)) {
      out.uid = static_cast<uid_t>(std::strtoul(f[2].c_str(), nullptr, 10));
      out.gid = static_cast<gid_t>(std::strtoul(f[3].c_str(), nullptr, 10));
      out.home = f[5].empty() ? "/" : f[5];
      user_name = f[0];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!IsNumber(user)) {
      return Status::InvalidArgument(fmt::format(
          "unable to find user {}: no matching entries in passwd file", user));
    }
    out.uid = static_cast<uid_t>(std::strtoul(user.c_str(), nullptr, 10));
    out.gid = 0;
  }
  if (!grp.empty()) {
    bool gfound = false;
    std::stringstream gr(group);
    for (std::string line; std::getline(gr, line);) {
      auto f = Fields(line);
      if (f.size() < 3) continue;
      if (f[0] == grp || (IsNumber(grp) && f[2] == grp)) {
        out.gid = static_cast<gid_t>(std::strtoul(f[2].c_str(), nullptr, 10));
        gfound = true;
        break;
      }
    }
    if (!gfound) {
      if (!IsNumber(grp)) {
        return Status::InvalidArgument(fmt::format(
            "unable to find group {}: no matching entries in group file", grp));
      }
      out.gid = static_cast<gid_t>(std::strtoul(grp.c_str(), nullptr, 10));
    }
  }
  // Supplementary groups: every group that lists the user by name.
  if (!user_name.empty()) {
    std::stringstream gr(group);
    for (std::string line; std::getline(gr, line);) {
      auto f = Fields(line);
      if (f.size() < 4) continue;
      std::stringstream members(f[3]);
      for (std::string m; std::getline(members, m, ',');) {
        if (m == user_name) out.groups.push_back(static_cast<gid_t>(std::strtoul(f[2].c_str(), nullptr, 10)));
      }
    }
  }
  return out;
}

}  // namespace layerlab
