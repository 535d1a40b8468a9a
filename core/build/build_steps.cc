// The instructions: metadata ones change only the config (a history entry with empty_layer);
// RUN runs in a real container on the current image; WORKDIR makes its directory when missing.
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "build/build_run.h"
#include "build/dockerfile_words.h"
#include "layerlab/layer_fs.h"

namespace layerlab::build {

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep = " ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// "/a/./b/../c/" -> "/a/c".
std::string CleanAbs(const std::string& p) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string c = p.substr(i, j - i);
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!c.empty() && c != ".") {
      parts.push_back(c);
    }
    i = j + 1;
  }
  return "/" + Join(parts, "/");
}

void SetEnv(std::vector<std::string>* env, const std::string& k, const std::string& v) {
  for (auto& e : *env) {
    if (e.rfind(k + "=", 0) == 0) {
      e = k + "=" + v;
      return;
    }
  }
  env->push_back(k + "=" + v);
}

bool ValidSignal(const std::string& s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoi(s) > 0;
  static const std::vector<std::string> kNames = {
      "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
      "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
      "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
  std::string u = Upper(s);
  if (u.rfind("SIG", 0) == 0) u = u.substr(3);
  if (u.rfind("RTMIN", 0) == 0 || u.rfind("RTMAX", 0) == 0) return true;
  return std::find(kNames.begin(), kNames.end(), u) != kNames.end();
}

// Go's time.Duration String for whole milliseconds and up: "0s", "30s", "1m30s", "1h0m0s".
std::string GoDuration(int64_t ns) {
  if (ns == 0) return "0s";
  int64_t ms = ns / 1000000;
  int64_t h = ms / 3600000, m = (ms / 60000) % 60;
  double sec = static_cast<double>(ms % 60000) / 1000.0;
  std::string s = fmt::format("{}", sec);
  if (h) return fmt::format("{}h{}m{}s", h, m, s);
  if (m) return fmt::format("{}m{}s", m, s);
  return s + "s";
}

}  // namespace

Status BuildRun::Located(const DockerfileNode& n, const Status& st) const {
  if (st.ok() || st.message().rfind(df_->filename + ":", 0) == 0) return st;
  const std::string& line = df_->lines.at(static_cast<size_t>(n.start_line - 1));
  int col = static_cast<int>(line.size() - TrimLeft(line).size());
  std::string msg = DockerfileError(*df_, n.start_line, col, static_cast<int>(n.keyword.size()),
                                    st.message());
  switch (st.code()) {
    case Code::kNotFound: return Status::NotFound(msg);
    case Code::kInvalidArgument: return Status::InvalidArgument(msg);
    case Code::kUnsupported: return Status::Unsupported(msg);
    case Code::kConflict: return Status::Conflict(msg);
    default: return Status::Internal(msg);
  }
}

Status BuildRun::Dispatch(const Stage& stage, const DockerfileNode& n, StageState* s) {
  (void)stage;
  ShellEnv env = ExpansionEnv(*s);
  Status st;
  if (n.keyword == "arg") {
    st = Arg(n, s, env);
  } else if (n.keyword == "run") {
    st = Run(n, s);
  } else if (n.keyword == "copy" || n.keyword == "add") {
    st = Copy(n, s, env);
  } else if (n.keyword == "workdir") {
    st = Workdir(n, s, env);
  } else {
    st = Metadata(n, s, env);
  }
  return Located(n, st);
}

Status BuildRun::Arg(const DockerfileNode& n, StageState* s, const ShellEnv& env) {
  std::vector<std::string> shown;
  for (const auto& word : n.args) {
    size_t eq = word.find('=');
    std::string name = word.substr(0, eq);
    std::optional<std::string> value;
    std::string text = name;
    if (eq != std::string::npos) {
      LL_ASSIGN_OR_RETURN(std::string def, ShellLex(df_->escape).ProcessWord(word.substr(eq + 1), env));
      value = def;
      text += "=" + def;
    }
    if (auto it = options_.build_args.find(name); it != options_.build_args.end()) {
      value = it->second;
      used_args_.insert(name);
    } else if (!value && meta_declared_.count(name) && meta_.count(name)) {
      value = meta_[name];
    }
    std::erase_if(s->args, [&](const auto& kv) { return kv.first == name; });
    if (value) s->args.emplace_back(name, *value);
    shown.push_back(text);
  }
  return Step(n, s, CacheKey{"ARG " + Join(shown)}, false, nullptr, nullptr);
}

Status BuildRun::Metadata(const DockerfileNode& n, StageState* s, const ShellEnv& env) {
  const ShellLex lex(df_->escape);
  const std::string& kw = n.keyword;
  std::string text;
  std::function<void(ImageConfig*)> apply;
  auto shell_form = [&](const std::vector<std::string>& args) {
    if (n.json) return args;
    std::vector<std::string> argv = s->config.shell.empty()
                                        ? std::vector<std::string>{"/bin/sh", "-c"}
                                        : s->config.shell;
    if (!args.empty()) argv.push_back(args[0]);
    return argv;
  };
  if (kw == "env" || kw == "label") {
    std::vector<std::pair<std::string, std::string>> kvs;
    std::vector<std::string> parts;
    for (const auto& kv : n.key_values) {
      LL_ASSIGN_OR_RETURN(std::string k, lex.ProcessWord(kv.key, env));
      LL_ASSIGN_OR_RETURN(std::string v, lex.ProcessWord(kv.value, env));
      if (k.empty()) return Status::InvalidArgument(fmt::format("{} names can not be blank", Upper(kw)));
      kvs.emplace_back(k, v);
      parts.push_back(k + "=" + v);
    }
    text = Upper(kw) + " " + Join(parts);
    apply = [kvs, kw](ImageConfig* c) {
      for (const auto& [k, v] : kvs) {
        if (kw == "env") {
          SetEnv(&c->env, k, v);
        } else {
          c->labels[k] = v;
        }
      }
    };
  } else if (kw == "maintainer") {
    std::string who = n.args.at(0);
    text = "MAINTAINER " + who;
    apply = [who](ImageConfig* c) { c->author = who; };
  } else if (kw == "user" || kw == "stopsignal") {
    LL_ASSIGN_OR_RETURN(std::string v, lex.ProcessWord(n.args.at(0), env));
    if (kw == "stopsignal" && !ValidSignal(v)) {
      return Status::InvalidArgument(fmt::format("Invalid signal: {}", v));
    }
    text = Upper(kw) + " " + v;
    apply = [v, kw](ImageConfig* c) { (kw == "user" ? c->user : c->stop_signal) = v; };
  } else if (kw == "expose") {
    std::vector<std::string> ports;
    for (const auto& a : n.args) {
      LL_ASSIGN_OR_RETURN(std::vector<std::string> words, lex.ProcessWords(a, env));
      for (auto w : words) {
        std::string proto = "tcp";
        if (size_t slash = w.find('/'); slash != std::string::npos) {
          proto = w.substr(slash + 1);
          std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
          w = w.substr(0, slash);
        }
        if (proto != "tcp" && proto != "udp" && proto != "sctp") {
          return Status::InvalidArgument(fmt::format("invalid proto: {}", proto));
        }
        int lo = 0, hi = 0;
        size_t dash = w.find('-');
        try {
          lo = std::stoi(w.substr(0, dash));
          hi = dash == std::string::npos ? lo : std::stoi(w.substr(dash + 1));
        } catch (...) {
          return Status::InvalidArgument(fmt::format("invalid containerPort: {}", w));
        }
        if (lo < 1 || hi > 65535 || hi < lo) {
          return Status::InvalidArgument(fmt::format("invalid containerPort: {}", w));
        }
        for (int p = lo; p <= hi; ++p) ports.push_back(fmt::format("{}/{}", p, proto));
      }
    }
    text = "EXPOSE " + GoMapSet(ports);
    apply = [ports](ImageConfig* c) {
      for (const auto& p : ports) {
        if (std::find(c->exposed_ports.begin(), c->exposed_ports.end(), p) ==
            c->exposed_ports.end()) {
          c->exposed_ports.push_back(p);
        }
      }
    };
  } else if (kw == "volume") {
    std::vector<std::string> vols;
    for (const auto& a : n.args) {
      LL_ASSIGN_OR_RETURN(std::string v, lex.ProcessWord(a, env));
      if (TrimSpace(v).empty()) {
        return Status::InvalidArgument("VOLUME specified can not be an empty string");
      }
      vols.push_back(v);
    }
    text = "VOLUME [" + Join(vols) + "]";
    apply = [vols](ImageConfig* c) {
      for (const auto& v : vols) {
        if (std::find(c->volumes.begin(), c->volumes.end(), v) == c->volumes.end()) {
          c->volumes.push_back(v);
        }
      }
    };
  } else if (kw == "cmd" || kw == "entrypoint") {
    std::vector<std::string> argv = shell_form(n.args);
    text = Upper(kw) + " " + GoQuoteList(argv);
    bool cmd_set = s->cmd_set;
    if (kw == "cmd") s->cmd_set = true;
    apply = [argv, kw, cmd_set](ImageConfig* c) {
      if (kw == "cmd") {
        c->cmd = argv;
      } else {
        c->entrypoint = argv;
        if (!cmd_set) c->cmd.reset();  // ENTRYPOINT drops a CMD inherited from the base
      }
    };
  } else if (kw == "shell") {
    std::vector<std::string> argv = n.args;
    text = "SHELL [" + Join(argv) + "]";
    apply = [argv](ImageConfig* c) { c->shell = argv; };
  } else if (kw == "healthcheck") {
    Healthcheck hc;
    if (n.args.at(0) == "NONE") {
      hc.test = {"NONE"};
    } else if (n.json) {
      hc.test = {"CMD"};
      hc.test.insert(hc.test.end(), n.args.begin() + 1, n.args.end());
    } else {
      hc.test = {"CMD-SHELL", n.args.at(1)};
    }
    for (const auto& f : n.flags) {
      size_t eq = f.find('=');
      std::string name = f.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      std::string value = eq == std::string::npos ? "" : f.substr(eq + 1);
      if (name == "retries") {
        try {
          hc.retries = std::stoi(value);
        } catch (...) {
          return Status::InvalidArgument(fmt::format("invalid --retries value: {}", value));
        }
        continue;
      }
      auto d = ParseGoDuration(value);
      if (!d) return Status::InvalidArgument(fmt::format("--{}: {}", name, d.error().message()));
      if (*d != 0 && *d < 1000000) {
        return Status::InvalidArgument(fmt::format("Interval \"{}\" cannot be less than 1ms", name));
      }
      (name == "interval"       ? hc.interval
       : name == "timeout"      ? hc.timeout
       : name == "start-period" ? hc.start_period
                                : hc.start_interval) = *d;
    }
    text = fmt::format("HEALTHCHECK &{{{} \"{}\" \"{}\" \"{}\" \"{}\" '\\x{:02x}'}}",
                       GoQuoteList(hc.test), GoDuration(hc.interval), GoDuration(hc.timeout),
                       GoDuration(hc.start_period), GoDuration(hc.start_interval), hc.retries);
    apply = [hc](ImageConfig* c) { c->healthcheck = hc; };
  } else if (kw == "onbuild") {
    std::string_view rest = TrimLeft(n.original);
    rest = TrimLeft(rest.substr(std::min(rest.size(), std::string_view("onbuild").size())));
    std::string trigger(rest);
    text = "ONBUILD " + trigger;
    apply = [trigger](ImageConfig* c) { c->on_build.push_back(trigger); };
  } else {
    return Status::Internal("no handler for " + kw);
  }
  return Step(n, s, CacheKey{text}, false, apply, nullptr);
}

Status BuildRun::Run(const DockerfileNode& n, StageState* s) {
  std::vector<std::string> argv;
  std::string shown;
  if (n.json) {
    argv = n.args;
  } else {
    argv = s->config.shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"} : s->config.shell;
    std::string cmd = n.args.at(0);
    if (!n.heredocs.empty()) {
      std::string trimmed(TrimSpace(cmd));
      const Heredoc& h = n.heredocs[0];
      bool only = n.heredocs.size() == 1 &&
                  (trimmed == "<<" + h.name || trimmed == "<<-" + h.name ||
                   (trimmed.find(h.name) != std::string::npos && trimmed.rfind("<<", 0) == 0 &&
                    trimmed.find(' ') == std::string::npos));
      if (only) {
        // `RUN <<EOF`: the heredoc is the script; a #! line names its interpreter.
        std::string body = h.chomp ? ChompHeredoc(h.content) : h.content;
        if (body.rfind("#!", 0) == 0) {
          size_t nl = body.find('\n');
          argv = SplitWhitespace(body.substr(2, nl == std::string::npos ? nl : nl - 2));
          argv.push_back("-c");
        }
        cmd = body;
      } else {
        // A heredoc inside a command: give the shell the whole text; it knows heredocs.
        for (const auto& doc : n.heredocs) cmd += "\n" + doc.content + doc.name;
      }
    }
    argv.push_back(cmd);
  }
  for (const auto& f : n.flags) {
    if (f != "--network=none" && f != "--network=default") {
      progress_->Note(fmt::format("WARNING: {}:{}: RUN {} is not supported by layerlab; ignored",
                                  df_->filename, n.start_line, f));
    }
  }
  // Build args in scope reach the command as environment (ENV wins) and show in the history.
  std::vector<std::string> env;
  nlohmann::ordered_json args_json = nlohmann::ordered_json::object();
  std::string prefix;
  if (!s->args.empty()) {
    std::vector<std::string> kvs;
    for (const auto& [k, v] : s->args) {
      kvs.push_back(k + "=" + v);
      args_json[k] = v;
      bool in_env = std::any_of(s->config.env.begin(), s->config.env.end(),
                                [&](const std::string& e) { return e.rfind(k + "=", 0) == 0; });
      if (!in_env) env.push_back(k + "=" + v);
    }
    prefix = fmt::format("|{} {} ", kvs.size(), Join(kvs));
  }
  CacheKey key{"RUN " + prefix + Join(argv) + " # buildkit", "{}", args_json.dump()};
  return Step(n, s, key, true, nullptr, [this, argv, env](StageState& st) {
    return RunInContainer(st, argv, env, Join(argv));
  });
}

Status BuildRun::Workdir(const DockerfileNode& n, StageState* s, const ShellEnv& env) {
  LL_ASSIGN_OR_RETURN(std::string path, ShellLex(df_->escape).ProcessWord(n.args.at(0), env));
  if (path.empty() || path[0] != '/') {
    path = (s->config.working_dir.empty() ? std::string("/") : s->config.working_dir) + "/" + path;
  }
  path = CleanAbs(path);
  std::string user = s->config.user;
  return Step(
      n, s, CacheKey{"WORKDIR " + path}, true,
      [path](ImageConfig* c) { c->working_dir = path; },
      [this, path, user](StageState& st) -> Result<std::optional<WrittenLayer>> {
        LL_ASSIGN_OR_RETURN(std::string image, EnsureImage(&st));
        LL_ASSIGN_OR_RETURN(auto lowers, containers_->LowerDirs(image));
        auto hit = FindInLowers(lowers, path.substr(1));
        if (path == "/" || (hit && S_ISDIR(hit->mode))) return std::optional<WrittenLayer>();
        CopyRequest req;
        req.dest = path;
        req.dest_dir = true;
        req.chown = user;
        return CopyInto(st, CopySource{}, req);
      });
}

}  // namespace layerlab::build
