// The e2e harness: fork/exec the layerlab binary with pipes for stdin, stdout and stderr.
#include "e2e/cli_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <cstdio>
#include <fstream>

namespace layerlab::testing {

CliResult RunCli(const std::string& root, const std::vector<std::string>& args,
                 const std::string& stdin_text) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    setenv("LAYERLAB_ROOT", root.c_str(), 1);
    unsetenv("NO_COLOR");
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(LAYERLAB_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(LAYERLAB_BINARY, argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!stdin_text.empty()) {
    ssize_t w = write(in[1], stdin_text.data(), stdin_text.size());
    (void)w;
  }
  close(in[1]);
  CliResult r;
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

int StartCli(const std::string& root, const std::vector<std::string>& args,
             const std::string& stderr_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(err >= 0 ? err : devnull, 2);
    setenv("LAYERLAB_ROOT", root.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(LAYERLAB_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(LAYERLAB_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

void CliTest::SetUp() {
  char tmpl[] = "/tmp/layerlab-e2e-XXXXXX";
  scratch_ = mkdtemp(tmpl);
  root_ = scratch_ + "/store";
}

void CliTest::TearDown() {
  // Containers a test left running (run -d) have supervisors that still write to the store:
  // remove them first, then the folder; a file vanishing under remove_all is retried, not fatal.
  if (std::filesystem::exists(root_ + "/layerlab.db")) {
    CliResult ids = RunCli(root_, {"ps", "-a", "-q"});
    if (ids.exit_code == 0 && !ids.out.empty()) {
      std::vector<std::string> args = {"rm", "-f"};
      for (const auto& id : Lines(ids.out)) args.push_back(id);
      (void)RunCli(root_, args);
    }
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
    if (!ec) return;
    usleep(100 * 1000);
  }
}

std::string CliTest::Ok(const std::vector<std::string>& args) {
  CliResult r = Run(args);
  std::string cmd;
  for (const auto& a : args) cmd += a + " ";
  EXPECT_EQ(r.exit_code, 0) << "layerlab " << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err;
  return r.out;
}

std::string CliTest::WriteFile(const std::string& name, const std::string& content) {
  std::string path = scratch_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string CliTest::MakeTar(const std::string& name,
                             const std::vector<std::pair<std::string, std::string>>& files) {
  std::string dir = scratch_ + "/tree-" + name;
  for (const auto& [p, c] : files) WriteFile("tree-" + name + "/" + p, c);
  std::string tar = scratch_ + "/" + name;
  std::string cmd = "tar -C '" + dir + "' -cf '" + tar + "' .";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return tar;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::vector<std::string> Columns(const std::string& row) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < row.size()) {
    size_t gap = row.find("  ", pos);
    if (gap == std::string::npos) {
      out.push_back(row.substr(pos));
      break;
    }
    out.push_back(row.substr(pos, gap - pos));
    pos = row.find_first_not_of(' ', gap);
    if (pos == std::string::npos) break;
  }
  return out;
}

bool Matches(const std::string& s, const std::regex& re) { return std::regex_match(s, re); }

// The first word `sha256sum` prints for a file: its hex digest.
std::string Sha256Hex(const std::string& path) {
  std::string cmd = "sha256sum '" + path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  char buf[256] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  pclose(p);
  return std::string(buf, n).substr(0, 64);
}

// go-units HumanSizeWithPrecision: decimal units, `precision` significant digits ("%.*g").
std::string GoHumanSize(int64_t bytes, int precision) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  double size = static_cast<double>(bytes);
  size_t i = 0;
  while (size >= 1000.0 && i + 1 < std::size(kUnits)) {
    size /= 1000.0;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g%s", precision, size, kUnits[i]);
  return buf;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The JSON lines of an --explain=json:FILE trace.
std::vector<nlohmann::json> ReadTrace(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object()) << line;
    out.push_back(j);
  }
  return out;
}

}  // namespace layerlab::testing
