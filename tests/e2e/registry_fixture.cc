// See registry_fixture.h.
#include "e2e/registry_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace layerlab::testing {

namespace {

// A port the kernel says is free right now (bind to 0, read it back, close). Another process
// could take it before the registry binds it: Start() retries with a new one if so.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Output of a shell command (stderr discarded), or nullopt if it failed.
std::optional<std::string> Capture(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool RegistryServer::Installed() { return access(kRegistryBinary, X_OK) == 0; }

std::string RegistryServer::Start(const std::string& dir, const std::string& htpasswd) {
  dir_ = dir;
  std::filesystem::create_directories(dir_ + "/data");
  std::string why;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = FreePort();
    if (port == 0) return "no free port on 127.0.0.1";
    why = TryStart(port, htpasswd);
    if (why.empty()) return "";
    Stop();
  }
  return why;
}

std::string RegistryServer::TryStart(int port, const std::string& htpasswd) {
  port_ = port;
  std::string config = dir_ + "/config.yml";
  std::ofstream cfg(config, std::ios::trunc);
  cfg << "version: 0.1\n"
         "log:\n"
         "  level: warn\n"
         "storage:\n"
         "  filesystem:\n"
         "    rootdirectory: "
      << dir_
      << "/data\n"
         "  delete:\n"
         "    enabled: true\n"
         "http:\n"
         "  addr: 127.0.0.1:"
      << port
      << "\n"
         "  secret: layerlab-e2e-test-secret\n";
  if (!htpasswd.empty()) {
    std::ofstream(dir_ + "/htpasswd", std::ios::trunc) << htpasswd;
    cfg << "auth:\n"
           "  htpasswd:\n"
           "    realm: layerlab-test\n"
           "    path: "
        << dir_ << "/htpasswd\n";
  }
  cfg.close();
  std::string log = dir_ + "/registry.log";
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(out, 2);
    const char* argv[] = {kRegistryBinary, "serve", config.c_str(), nullptr};
    const char* envp[] = {nullptr};  // no REGISTRY_* (or any) variable leaks in as config
    execve(kRegistryBinary, const_cast<char**>(argv), const_cast<char**>(envp));
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "docker-registry exited at start-up:\n" + Log();
    }
    HttpReply r = HttpGet(port_, "/v2/");
    if (r.status == 200 || r.status == 401) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "docker-registry did not answer GET /v2/ within 15 s:\n" + Log();
}

void RegistryServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string RegistryServer::Log() const { return ReadFile(dir_ + "/registry.log"); }

HttpReply HttpGet(int port, const std::string& path, const std::string& extra_headers) {
  HttpReply reply;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return reply;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return reply;
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\n" + extra_headers + "\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return reply;
  }
  std::string raw;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/", 0) != 0 || end == std::string::npos) return reply;
  std::istringstream head(raw.substr(0, end));
  std::string line;
  std::getline(head, line);
  reply.status = std::atoi(line.substr(line.find(' ') + 1).c_str());
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = line.find_first_not_of(' ', colon + 1);
    reply.headers[name] = v == std::string::npos ? "" : line.substr(v);
  }
  reply.body = raw.substr(end + 4);
  return reply;
}

std::optional<std::string> BcryptHtpasswdLine(const std::string& user,
                                              const std::string& password) {
  auto valid = [&](std::optional<std::string> out) -> std::optional<std::string> {
    if (!out) return std::nullopt;
    std::string s = *out;
    size_t nl = s.find('\n');
    if (nl != std::string::npos) s = s.substr(0, nl);
    if (s.rfind(user + ":$2", 0) == 0) return s;
    if (s.rfind("$2", 0) == 0) return user + ":" + s;  // a bare hash
    return std::nullopt;
  };
  // Cost 4, the lowest bcrypt allows: the registry checks the hash on every request.
  std::vector<std::string> tries = {
      "htpasswd -C 4 -Bbn " + Quote(user) + " " + Quote(password),
      "python3 -W ignore -c 'import crypt,sys; "
      "print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' " +
          Quote(password),
      "python3 -c 'import bcrypt,sys; "
      "print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(rounds=4)).decode())' " +
          Quote(password),
      "mkpasswd -m bcrypt -R 4 " + Quote(password),
  };
  for (const auto& cmd : tries) {
    if (auto line = valid(Capture(cmd))) return line;
  }
  return std::nullopt;
}

}  // namespace layerlab::testing
