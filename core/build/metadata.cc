// Metadata-only instructions (ENV, LABEL, CMD, ENTRYPOINT, EXPOSE, VOLUME, USER, ...): the
// history text BuildKit writes for each and the change it makes to the image config. Used by
// the builder and by `commit --change`.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "build/build_state.h"
#include "build/dockerfile_words.h"

namespace layerlab {

using build::GoMapSet;
using build::GoQuoteList;
using build::Join;
using build::ParseGoDuration;
using build::TrimLeft;
using build::TrimSpace;
using build::Upper;

namespace {

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

Result<ConfigChange> MetadataChange(const DockerfileNode& n, const ImageConfig& current,
                                    const ShellEnv& env, char escape, bool cmd_set) {
  const ShellLex lex(escape);
  const std::string& kw = n.keyword;
  std::string text;
  std::function<void(ImageConfig*)> apply;
  auto shell_form = [&](const std::vector<std::string>& args) {
    if (n.json) return args;
    std::vector<std::string> argv = current.shell.empty()
                                        ? std::vector<std::string>{"/bin/sh", "-c"}
                                        : current.shell;
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
  return ConfigChange{text, apply};
}

Status ApplyChangeLine(const std::string& line, ImageConfig* cfg) {
  LL_ASSIGN_OR_RETURN(Dockerfile df, ParseDockerfile(line, "--change"));
  for (const auto& n : df.nodes) {
    static const std::vector<std::string> kAllowed = {"cmd",    "entrypoint", "env",
                                                      "expose", "label",      "onbuild",
                                                      "user",   "volume",     "workdir",
                                                      "stopsignal"};
    if (std::find(kAllowed.begin(), kAllowed.end(), n.keyword) == kAllowed.end()) {
      return Status::InvalidArgument(
          fmt::format("{} is not a valid change command", Upper(n.keyword)));
    }
    ShellEnv env;
    for (const auto& kv : cfg->env) {
      size_t eq = kv.find('=');
      if (eq != std::string::npos) env.Set(kv.substr(0, eq), kv.substr(eq + 1));
    }
    if (n.keyword == "workdir") {
      LL_ASSIGN_OR_RETURN(std::string dir, ShellLex(df.escape).ProcessWord(n.args.at(0), env));
      cfg->working_dir = dir;
      continue;
    }
    LL_ASSIGN_OR_RETURN(ConfigChange change, MetadataChange(n, *cfg, env, df.escape, true));
    change.apply(cfg);
  }
  return Status::Ok();
}

}  // namespace layerlab
