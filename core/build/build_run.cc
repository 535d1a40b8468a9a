// The build loop: stages the target needs, FROM, each instruction as a cached step, the result.
#include "build/build_run.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "build/dockerfile_words.h"
#include "layerlab/digest.h"
#include "layerlab/layer_fs.h"

namespace layerlab::build {

namespace {

constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The stage a COPY --from or FROM names: by name, or by index for COPY --from=N.
std::optional<int> FindStage(const Plan& plan, const std::string& ref, int before, bool by_index) {
  std::string l = Lower(ref);
  for (const auto& s : plan.stages) {
    if (s.index >= before) break;
    if (!s.name.empty() && s.name == l) return s.index;
  }
  if (by_index && !ref.empty() && std::all_of(ref.begin(), ref.end(), ::isdigit)) {
    int i = std::stoi(ref);
    if (i < before) return i;
  }
  return std::nullopt;
}

bool MakesLayer(const std::string& kw) {
  return kw == "run" || kw == "copy" || kw == "add" || kw == "workdir";
}

}  // namespace

std::string BuildRun::StageLabel(const Stage& stage) const {
  if (plan_.stages.size() < 2) return "";
  return stage.name.empty() ? fmt::format("stage-{} ", stage.index) : stage.name + " ";
}

std::string BuildRun::StepName(const Stage& stage, const std::string& text) const {
  // BuildKit pads the step number to the width of the total: "[ 1/10]".
  int width = static_cast<int>(std::to_string(step_total_).size());
  return fmt::format("[{}{:>{}}/{}] {}", StageLabel(stage), step_no_, width, step_total_, text);
}

std::string BuildRun::TempName() {
  return fmt::format("build-{}-{}", getpid(), ++temp_count_);
}

void BuildRun::RemoveLeftovers() {
  auto list = containers_->List();
  if (!list) return;
  for (const auto& c : *list) {
    int pid = 0, n = 0;
    if (std::sscanf(c.name.c_str(), "build-%d-%d", &pid, &n) != 2 || pid <= 0) continue;
    if (pid == getpid()) continue;
    // Gone, or a zombie nobody has reaped yet: its build was killed mid-step.
    bool dead = kill(pid, 0) != 0 && errno == ESRCH;
    if (!dead) {
      std::FILE* f = std::fopen(fmt::format("/proc/{}/stat", pid).c_str(), "r");
      char state = 0;
      if (f != nullptr) {
        (void)!std::fscanf(f, "%*d (%*[^)]) %c", &state);
        std::fclose(f);
      }
      dead = state == 'Z' || f == nullptr;
    }
    if (dead) (void)containers_->Remove(c, true);
  }
}

Result<BuildResult> BuildRun::Run() {
  LL_ASSIGN_OR_RETURN(plan_, SplitStages(*df_));
  RemoveLeftovers();
  std::vector<Reference> tags;
  for (const auto& t : options_.tags) {
    auto parsed = ParseNormalizedTagged(t);
    if (!parsed.ref || parsed.ref->digested()) {
      return Status::InvalidArgument(
          fmt::format("invalid tag \"{}\": invalid reference format", t));
    }
    tags.push_back(*parsed.ref);
  }
  // ARGs before the first FROM: their values are visible to FROM lines (and to `ARG NAME` in a
  // stage that re-declares them).
  for (const DockerfileNode* n : plan_.meta_args) {
    ShellEnv env;
    for (const auto& [k, v] : meta_) env.Set(k, v);
    for (const auto& word : n->args) {
      size_t eq = word.find('=');
      std::string name = word.substr(0, eq);
      meta_declared_.insert(name);
      if (auto it = options_.build_args.find(name); it != options_.build_args.end()) {
        meta_[name] = it->second;
        used_args_.insert(name);
      } else if (eq != std::string::npos) {
        auto v = ShellLex(df_->escape).ProcessWord(word.substr(eq + 1), env);
        if (!v) {
          return Status::InvalidArgument(
              DockerfileError(*df_, n->start_line, 0, 3, v.error().message()));
        }
        meta_[name] = *v;
      }
    }
  }
  int target = static_cast<int>(plan_.stages.size()) - 1;
  if (!options_.target.empty()) {
    auto t = FindStage(plan_, options_.target, target + 1, false);
    if (!t) {
      return Status::NotFound(
          fmt::format("target stage \"{}\" could not be found", options_.target));
    }
    target = *t;
  }
  // The stages the target needs: FROM <stage> and COPY --from=<stage>, transitively.
  std::vector<bool> needed(plan_.stages.size(), false);
  needed[static_cast<size_t>(target)] = true;
  for (int i = target; i >= 0; --i) {
    if (!needed[static_cast<size_t>(i)]) continue;
    const Stage& st = plan_.stages[static_cast<size_t>(i)];
    ShellEnv meta_env;
    for (const auto& [k, v] : meta_) meta_env.Set(k, v);
    auto base = ShellLex(df_->escape).ProcessWord(st.from->args[0], meta_env);
    if (base) {
      if (auto d = FindStage(plan_, *base, i, false)) needed[static_cast<size_t>(*d)] = true;
    }
    for (const DockerfileNode* n : st.body) {
      for (const auto& f : n->flags) {
        if (n->keyword == "copy" && f.rfind("--from=", 0) == 0) {
          if (auto d = FindStage(plan_, f.substr(7), i, true)) needed[static_cast<size_t>(*d)] = true;
        }
      }
    }
  }
  for (const auto& st : plan_.stages) {
    if (needed[static_cast<size_t>(st.index)]) LL_RETURN_IF_ERROR(BuildStage(st));
  }
  for (const auto& d : temp_dirs_) (void)RemoveTree(d);
  StageState& final_state = done_[target];
  LL_ASSIGN_OR_RETURN(std::string id, EnsureImage(&final_state));
  LL_RETURN_IF_ERROR(store_->MarkBuilt(id));
  std::vector<std::string> unused;
  for (const auto& [k, v] : options_.build_args) {
    if (!used_args_.count(k)) unused.push_back(k);
  }
  if (!unused.empty()) {
    std::string names;
    for (size_t i = 0; i < unused.size(); ++i) names += (i ? " " : "") + unused[i];
    progress_->Note(fmt::format("[Warning] One or more build-args [{}] were not consumed", names));
  }
  int v = ++vertex_;
  progress_->Note(fmt::format("#{} exporting to image", v));
  progress_->Note(fmt::format("#{} writing image {} done", v, id));
  BuildResult result;
  result.image_id = id;
  for (const auto& ref : tags) {
    LL_RETURN_IF_ERROR(store_->AddTag(id, ref));
    progress_->Note(fmt::format("#{} naming to {} done", v, ref.String()));
    result.tags.push_back(ref.String());
  }
  progress_->Note(fmt::format("#{} DONE 0.0s", v));
  result.steps = steps_;
  result.cached = cached_;
  return result;
}

Status BuildRun::BuildStage(const Stage& stage) {
  stage_ = &stage;
  step_no_ = 0;
  step_total_ = 1;
  for (const DockerfileNode* n : stage.body) step_total_ += MakesLayer(n->keyword) ? 1 : 0;
  StageState s;
  LL_RETURN_IF_ERROR(From(stage, &s));
  for (const DockerfileNode* n : stage.body) LL_RETURN_IF_ERROR(Dispatch(stage, *n, &s));
  done_[stage.index] = std::move(s);
  return Status::Ok();
}

Status BuildRun::From(const Stage& stage, StageState* s) {
  auto t0 = std::chrono::steady_clock::now();
  ShellEnv meta_env;
  for (const auto& [k, v] : meta_) meta_env.Set(k, v);
  const DockerfileNode& n = *stage.from;
  auto name = ShellLex(df_->escape).ProcessWord(n.args[0], meta_env);
  if (!name) return Status::InvalidArgument(DockerfileError(*df_, n.start_line, 0, 4, name.error().message()));
  for (const auto& f : n.flags) {
    if (f.rfind("--platform=", 0) == 0 && f != "--platform=linux/amd64" &&
        f.find("$BUILDPLATFORM") == std::string::npos &&
        f.find("$TARGETPLATFORM") == std::string::npos) {
      progress_->Note(fmt::format("WARNING: {}:{}: {} ignored: layerlab builds linux/amd64 only",
                                  df_->filename, n.start_line, f));
    }
  }
  ++step_no_;
  BuildStep step;
  step.vertex = ++vertex_;
  step.line = n.start_line;
  std::string shown_name;
  if (Lower(*name) == "scratch") {
    s->config = ImageConfig{};
    s->config.env = {kDefaultPath};
    shown_name = "scratch";
  } else if (auto d = FindStage(plan_, *name, stage.index, false)) {
    *s = done_[*d];
    s->args.clear();
    s->rebuilt = false;
    shown_name = plan_.stages[static_cast<size_t>(*d)].name;
  } else {
    auto img = images_->Resolve(*name);
    if (!img) {
      return Status::NotFound(DockerfileError(
          *df_, n.start_line, 0, static_cast<int>(n.original.size()),
          fmt::format("{}: no such image in the store (layerlab has no network: `layerlab "
                      "pull` or `layerlab load` it first)",
                      *name)));
    }
    LL_RETURN_IF_ERROR(LoadImage(*img, s));
    auto parsed = ParseNormalizedTagged(*name);
    shown_name = parsed.ref ? parsed.ref->String() : *name;
    if (s->config.env.empty()) s->config.env = {kDefaultPath};
  }
  // ONBUILD triggers of the base run now, as if written after FROM (counted in the total).
  std::vector<std::string> triggers = std::move(s->config.on_build);
  s->config.on_build.clear();
  std::vector<Dockerfile> parsed;
  for (const auto& t : triggers) {
    LL_ASSIGN_OR_RETURN(Dockerfile sub, ParseDockerfile(t, fmt::format("{} (ONBUILD of {})",
                                                                       df_->filename, *name)));
    for (auto& node : sub.nodes) {
      if (node.keyword == "onbuild" || node.keyword == "from" || node.keyword == "maintainer") {
        return Status::InvalidArgument(DockerfileError(
            *df_, n.start_line, 0, 4,
            fmt::format("{} isn't allowed as an ONBUILD trigger (in {})", Upper(node.keyword),
                        *name)));
      }
      node.start_line = n.start_line;
      node.end_line = n.end_line;
      step_total_ += MakesLayer(node.keyword) ? 1 : 0;
    }
    parsed.push_back(std::move(sub));
  }
  step.instruction = "FROM " + shown_name;
  step.name = StepName(stage, step.instruction);
  step.image_id = s->image_id;
  for (const auto& l : s->layers) step.virtual_size += l.size;
  step.cached = false;
  step.metadata_only = true;
  progress_->Started(step);
  step.seconds = Since(t0);
  progress_->Finished(step);
  display_prefix_ = "ONBUILD ";
  for (const auto& sub : parsed) {
    for (const auto& node : sub.nodes) {
      Status st = Dispatch(stage, node, s);
      if (!st.ok()) {
        display_prefix_.clear();
        return st;
      }
    }
  }
  display_prefix_.clear();
  return Status::Ok();
}

Status BuildRun::LoadImage(const std::string& id, StageState* s) {
  LL_ASSIGN_OR_RETURN(ImageRecord img, images_->Get(id));
  LL_ASSIGN_OR_RETURN(s->config, images_->ConfigOf(img.id));
  s->image_id = img.id;
  s->layers.clear();
  for (const auto& l : img.layers) s->layers.push_back({l.diff_id, l.size, l.tar_size});
  return Status::Ok();
}

Result<std::string> BuildRun::EnsureImage(StageState* s) {
  if (!s->image_id.empty()) return s->image_id;
  // FROM scratch with nothing committed yet: an empty image, stamped at the epoch so that it is
  // the same image every time.
  ImageConfig cfg = s->config;
  cfg.created = "1970-01-01T00:00:00Z";
  LL_ASSIGN_OR_RETURN(ImageRecord img, images_->CommitConfig(cfg, {}, {}, ""));
  s->image_id = img.id;
  return img.id;
}

std::string BuildRun::MissReason(const StageState& s, const CacheKey& key) {
  if (options_.no_cache) return "--no-cache was given";
  auto rows = store_->BuildCacheOf(s.image_id);
  if (!rows || rows->empty()) {
    return s.image_id.empty() ? "never built before on scratch"
                              : fmt::format("never built before on image {}", ShortId(s.image_id));
  }
  for (const auto& row : *rows) {
    if (row.instruction != key.instruction) continue;
    std::string d = DescribeSourceChange(row.sources, key.sources);
    if (!d.empty()) return d;
    if (row.args != key.args) return fmt::format("build args changed: {} -> {}", row.args, key.args);
  }
  return fmt::format("the instruction is new here (last build ran `{}` at this point)",
                     rows->front().instruction);
}

Status BuildRun::Step(const DockerfileNode& n, StageState* s, const CacheKey& key, bool shown,
                      const std::function<void(ImageConfig*)>& config, const Work& work,
                      bool history) {
  auto t0 = std::chrono::steady_clock::now();
  BuildStep step;
  step.line = n.start_line;
  step.instruction = key.instruction;
  step.metadata_only = !work;
  if (shown) {
    ++step_no_;
    step.vertex = ++vertex_;
    // As BuildKit shows it: the instruction as written, keyword in capitals.
    std::string_view rest = TrimLeft(n.original);
    size_t kw_end = 0;
    while (kw_end < rest.size() && !IsSpace(rest[kw_end])) ++kw_end;
    // Variables expanded for display (processCmdEnv), the text as written if that fails.
    std::string args(TrimSpace(rest.substr(kw_end)));
    auto expanded = ShellLex(df_->escape).ProcessWord(args, ExpansionEnv(*s));
    std::string text = display_prefix_ + Upper(n.keyword) + " " + (expanded ? *expanded : args);
    step.name = StepName(*stage_, text);
  }
  ++steps_;
  const std::string parent = s->image_id;
  const std::string hash = key.Hash();
  const Tracer& tracer = store_->tracer();
  tracer.Emit(TraceKind::kBuildStep, key.instruction,
              fmt::format("{}:{}", df_->filename, n.start_line), -1, {},
              shown ? fmt::format("[{}{}/{}]", StageLabel(*stage_), step_no_, step_total_) : "");
  progress_->Started(step);
  if (!options_.no_cache) {
    LL_ASSIGN_OR_RETURN(auto row, store_->FindBuildCache(parent, hash));
    if (row) {
      size_t before = s->layers.size();
      LL_RETURN_IF_ERROR(LoadImage(row->image_id, s));
      step.cached = true;
      ++cached_;
      if (s->layers.size() > before) {
        step.layer = s->layers.back().diff_id;
        step.layer_size = s->layers.back().size;
      }
      for (const auto& l : s->layers) step.virtual_size += l.size;
      step.image_id = s->image_id;
      step.seconds = Since(t0);
      tracer.Emit(TraceKind::kCacheHit, key.instruction, "",
                  step.layer.empty() ? -1 : step.layer_size, step.layer,
                  s->image_id);
      progress_->Finished(step);
      return Status::Ok();
    }
  }
  step.miss_reason = s->rebuilt ? "" : MissReason(*s, key);
  if (!shown && !step.miss_reason.empty()) {
    // Metadata steps are not displayed: their reason goes with the next displayed step.
    hidden_miss_ = fmt::format("line {} ({}): {}", n.start_line, key.instruction,
                               step.miss_reason);
  } else if (shown && step.miss_reason.empty() && !hidden_miss_.empty()) {
    step.miss_reason = hidden_miss_;
  }
  if (shown) hidden_miss_.clear();
  tracer.Emit(TraceKind::kCacheMiss, key.instruction,
              step.miss_reason.empty() ? "an earlier step of this stage was rebuilt"
                                       : step.miss_reason);
  progress_->Missed(step);
  std::optional<WrittenLayer> layer;
  if (work) {
    LL_ASSIGN_OR_RETURN(layer, work(*s));
  }
  ImageConfig cfg = s->config;
  if (config) config(&cfg);
  cfg.created = NowRfc3339Nano();
  if (history) {
    cfg.history.push_back({cfg.created, key.instruction, "", "buildkit.dockerfile.v0", !layer});
  }
  std::vector<NewLayer> layers = s->layers;
  if (layer) {
    cfg.diff_ids.push_back(layer->diff_id);
    layers.push_back({layer->diff_id, layer->size, layer->tar_size});
    step.layer = layer->diff_id;
    step.layer_size = layer->size;
  }
  LL_ASSIGN_OR_RETURN(ImageRecord img, images_->CommitConfig(cfg, layers, {}, parent));
  if (parent.empty() && !s->image_id.empty() && s->image_id != img.id) {
    // The work needed an image of FROM scratch to run on; the step's image replaces it.
    (void)store_->DeleteImage(s->image_id);
  }
  LL_RETURN_IF_ERROR(store_->PutBuildCache({parent, hash, key.instruction, key.sources, key.args,
                                            img.id, static_cast<int64_t>(std::time(nullptr))}));
  s->image_id = img.id;
  s->config = std::move(cfg);
  s->layers = std::move(layers);
  s->rebuilt = true;
  for (const auto& l : s->layers) step.virtual_size += l.size;
  step.image_id = s->image_id;
  step.seconds = Since(t0);
  tracer.Emit(TraceKind::kStepDone, key.instruction,
              fmt::format("virtual size {} B", step.virtual_size), layer ? layer->size : -1,
              step.layer, s->image_id);
  progress_->Finished(step);
  return Status::Ok();
}

}  // namespace layerlab::build
