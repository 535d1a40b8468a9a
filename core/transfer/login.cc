// `login` / `logout`: credentials checked against the registry, kept in a 0600 JSON file in
// Docker's config.json shape ({"auths": {"HOST": {"auth": base64("user:pass")}}}).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layerlab/blob_store.h"
#include "layerlab/registry.h"
#include "transfer/registry_client.h"

namespace layerlab {

using json = nlohmann::json;

std::string DefaultAuthFile() {
  if (const char* f = std::getenv("LAYERLAB_AUTH_FILE"); f && *f) return f;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    return std::string(x) + "/layerlab/auth.json";
  }
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") + "/.config/layerlab/auth.json";
}

namespace {

json ReadAuth(const std::string& path) {
  std::ifstream in(path);
  if (!in) return json{{"auths", json::object()}};
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) j = json::object();
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = json::object();
  return j;
}

Status WriteAuth(const std::string& path, const json& j) {
  std::string dir = path.substr(0, path.rfind('/'));
  LL_RETURN_IF_ERROR(MakeDirs(dir));
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno(fmt::format("write `{}`", tmp), errno);
  fchmod(fd, 0600);
  std::string text = j.dump(1, '\t') + "\n";
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = fsync(fd) == 0 && ok;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::FromErrno(fmt::format("write `{}`", path), errno);
  }
  return Status::Ok();
}

}  // namespace

Status Login(const std::string& server, const std::string& user, const std::string& password,
             const RegistryOptions& options) {
  std::string path = options.auth_file.empty() ? DefaultAuthFile() : options.auth_file;
  std::string creds = transfer::Base64(user + ":" + password);
  // Check the credentials: the client reads them from the file, so try with a scratch copy.
  json j = ReadAuth(path);
  json previous = j["auths"].contains(server) ? j["auths"][server] : json();
  j["auths"][server] = {{"auth", creds}};
  LL_RETURN_IF_ERROR(WriteAuth(path, j));
  transfer::RegistryClient client(server, "", options);
  transfer::HttpRequest req;
  req.url = client.BaseUrl();
  auto r = client.Do(req);
  if (!r || r->status != 200) {
    if (previous.is_null()) {
      j["auths"].erase(server);
    } else {
      j["auths"][server] = previous;
    }
    (void)WriteAuth(path, j);
    if (!r) return r.error();
    return Status::InvalidArgument(fmt::format("login to {} failed: HTTP {}", server, r->status));
  }
  return Status::Ok();
}

Status Logout(const std::string& server, const RegistryOptions& options) {
  std::string path = options.auth_file.empty() ? DefaultAuthFile() : options.auth_file;
  json j = ReadAuth(path);
  if (!j["auths"].contains(server)) {
    return Status::NotFound(fmt::format("Not logged in to {}", server));
  }
  j["auths"].erase(server);
  return WriteAuth(path, j);
}

}  // namespace layerlab
