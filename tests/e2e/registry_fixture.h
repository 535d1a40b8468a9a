// A real registry for tests: Debian's `docker-registry` (the distribution registry v2) started
// on 127.0.0.1 with a free port, a temp storage folder and an empty environment (it reads every
// REGISTRY_* variable as config), optionally behind htpasswd basic auth; plus a tiny HTTP GET
// so tests can look at what the registry holds without going through the code under test.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

namespace layerlab::testing {

inline constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";

class RegistryServer {
 public:
  RegistryServer() = default;
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;
  ~RegistryServer() { Stop(); }

  // True when the registry binary is installed.
  static bool Installed();

  // Starts a registry storing under `dir` (made if missing), with basic auth when `htpasswd` (the
  // file's contents, bcrypt entries) is given. Waits until GET /v2/ answers. Returns "" on
  // success, else why it failed (with the registry's log).
  std::string Start(const std::string& dir, const std::string& htpasswd = "");
  // Kills the registry and reaps it; safe to call twice.
  void Stop();

  int port() const { return port_; }
  // "127.0.0.1:PORT", the registry part of an image reference.
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  // The registry's own log (its access log shows every request: PATCH lines for chunks).
  std::string Log() const;

 private:
  std::string TryStart(int port, const std::string& htpasswd);

  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

struct HttpReply {
  int status = 0;                              // 0: no answer
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// A plain HTTP/1.0 GET to 127.0.0.1:port (optionally with extra "Name: value" header lines).
HttpReply HttpGet(int port, const std::string& path, const std::string& extra_headers = "");

// A bcrypt htpasswd line "USER:$2...$..." made by whichever tool is here (htpasswd -B, python3's
// crypt or bcrypt, mkpasswd -m bcrypt); nullopt when none is.
std::optional<std::string> BcryptHtpasswdLine(const std::string& user, const std::string& password);

}  // namespace layerlab::testing
