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
    s->args.emplace_back(name, value);
    shown.push_back(text);
  }
  return Step(n, s, CacheKey{"ARG " + Join(shown)}, false, nullptr, nullptr);
}

Status BuildRun::Metadata(const DockerfileNode& n, StageState* s, const ShellEnv& env) {
  LL_ASSIGN_OR_RETURN(ConfigChange change,
                      MetadataChange(n, s->config, env, df_->escape, s->cmd_set));
  if (n.keyword == "cmd") s->cmd_set = true;
  return Step(n, s, CacheKey{change.created_by}, false, change.apply, nullptr,
              /*history=*/n.keyword != "onbuild");
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
      // runCommandString: the value ENV gives the name wins; a declared ARG without a value
      // shows as "NAME=".
      std::optional<std::string> from_env;
      for (const auto& e : s->config.env) {
        if (e.rfind(k + "=", 0) == 0) from_env = e.substr(k.size() + 1);
      }
      std::string shown = from_env ? *from_env : v.value_or("");
      kvs.push_back(k + "=" + shown);
      args_json[k] = shown;
      if (!from_env && v) env.push_back(k + "=" + *v);
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
