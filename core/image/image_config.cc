// OCI image config and manifest JSON (nlohmann-json, ordered keys for canonical bytes).
#include "layerlab/image_config.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace layerlab {

using ojson = nlohmann::ordered_json;

std::string FormatRfc3339(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string FormatRfc3339Nano(int64_t t, int64_t nanos) {
  std::string s = FormatRfc3339(t);
  s.pop_back();  // 'Z'
  return fmt::format("{}.{:09}Z", s, nanos);
}

std::string NowRfc3339Nano() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return FormatRfc3339Nano(ts.tv_sec, ts.tv_nsec);
}

Result<int64_t> ParseRfc3339(const std::string& s) {
  int y, mo, d, h, mi, sec;
  int used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6) {
    return Status::InvalidArgument(fmt::format("bad time `{}`: expected RFC 3339", s));
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t t = static_cast<int64_t>(timegm(&tm));
  size_t i = static_cast<size_t>(used);
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2) {
      int64_t off = oh * 3600 + om * 60;
      t += s[i] == '+' ? -off : off;
    }
  }
  return t;
}

static ojson StringList(const std::vector<std::string>& v) {
  ojson a = ojson::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

std::string ConfigToJson(const ImageConfig& c) {
  ojson j;
  j["created"] = c.created;
  if (!c.author.empty()) j["author"] = c.author;
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  ojson cfg = ojson::object();
  if (!c.user.empty()) cfg["User"] = c.user;
  if (!c.exposed_ports.empty()) {
    cfg["ExposedPorts"] = ojson::object();
    for (const auto& p : c.exposed_ports) cfg["ExposedPorts"][p] = ojson::object();
  }
  if (!c.env.empty()) cfg["Env"] = StringList(c.env);
  if (c.entrypoint) cfg["Entrypoint"] = StringList(*c.entrypoint);
  if (c.cmd) cfg["Cmd"] = StringList(*c.cmd);
  if (!c.volumes.empty()) {
    cfg["Volumes"] = ojson::object();
    for (const auto& v : c.volumes) cfg["Volumes"][v] = ojson::object();
  }
  if (!c.working_dir.empty()) cfg["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) {
    cfg["Labels"] = ojson::object();
    for (const auto& [k, v] : c.labels) cfg["Labels"][k] = v;
  }
  if (!c.stop_signal.empty()) cfg["StopSignal"] = c.stop_signal;
  if (c.healthcheck) {
    ojson h;
    h["Test"] = StringList(c.healthcheck->test);
    if (c.healthcheck->interval) h["Interval"] = c.healthcheck->interval;
    if (c.healthcheck->timeout) h["Timeout"] = c.healthcheck->timeout;
    if (c.healthcheck->start_period) h["StartPeriod"] = c.healthcheck->start_period;
    if (c.healthcheck->start_interval) h["StartInterval"] = c.healthcheck->start_interval;
    if (c.healthcheck->retries) h["Retries"] = c.healthcheck->retries;
    cfg["Healthcheck"] = h;
  }
  if (!c.on_build.empty()) cfg["OnBuild"] = StringList(c.on_build);
  if (!c.shell.empty()) cfg["Shell"] = StringList(c.shell);
  j["config"] = cfg;
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", StringList(c.diff_ids)}};
  ojson hist = ojson::array();
  for (const auto& h : c.history) {
    ojson e;
    e["created"] = h.created;
    if (!h.created_by.empty()) e["created_by"] = h.created_by;
    if (!h.author.empty()) e["author"] = h.author;
    if (!h.comment.empty()) e["comment"] = h.comment;
    if (h.empty_layer) e["empty_layer"] = true;
    hist.push_back(e);
  }
  j["history"] = hist;
  return j.dump();
}

namespace {

std::vector<std::string> ReadStrings(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& s : j) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  } else if (j.is_string()) {
    out.push_back(j.get<std::string>());
  }
  return out;
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

Result<ImageConfig> ParseConfig(const std::string& text, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corrupt(fmt::format("{}: not a JSON object", what));
  }
  ImageConfig c;
  c.created = Str(j, "created");
  c.author = Str(j, "author");
  c.architecture = Str(j, "architecture");
  c.os = Str(j, "os");
  auto cfg_it = j.find("config");
  if (cfg_it != j.end() && cfg_it->is_object()) {
    const auto& cfg = *cfg_it;
    c.user = Str(cfg, "User");
    c.working_dir = Str(cfg, "WorkingDir");
    c.stop_signal = Str(cfg, "StopSignal");
    if (cfg.contains("Env")) c.env = ReadStrings(cfg["Env"]);
    if (cfg.contains("Cmd") && !cfg["Cmd"].is_null()) c.cmd = ReadStrings(cfg["Cmd"]);
    if (cfg.contains("Entrypoint") && !cfg["Entrypoint"].is_null()) {
      c.entrypoint = ReadStrings(cfg["Entrypoint"]);
    }
    if (cfg.contains("ExposedPorts") && cfg["ExposedPorts"].is_object()) {
      for (const auto& [k, v] : cfg["ExposedPorts"].items()) c.exposed_ports.push_back(k);
    }
    if (cfg.contains("Volumes") && cfg["Volumes"].is_object()) {
      for (const auto& [k, v] : cfg["Volumes"].items()) c.volumes.push_back(k);
    }
    if (cfg.contains("Labels") && cfg["Labels"].is_object()) {
      for (const auto& [k, v] : cfg["Labels"].items()) {
        if (v.is_string()) c.labels[k] = v.get<std::string>();
      }
    }
    if (cfg.contains("Healthcheck") && cfg["Healthcheck"].is_object()) {
      const auto& h = cfg["Healthcheck"];
      Healthcheck hc;
      if (h.contains("Test")) hc.test = ReadStrings(h["Test"]);
      auto num = [&](const char* k) -> int64_t {
        return h.contains(k) && h[k].is_number_integer() ? h[k].get<int64_t>() : 0;
      };
      hc.interval = num("Interval");
      hc.timeout = num("Timeout");
      hc.start_period = num("StartPeriod");
      hc.start_interval = num("StartInterval");
      hc.retries = static_cast<int>(num("Retries"));
      c.healthcheck = hc;
    }
    if (cfg.contains("OnBuild")) c.on_build = ReadStrings(cfg["OnBuild"]);
    if (cfg.contains("Shell")) c.shell = ReadStrings(cfg["Shell"]);
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object() || !rootfs->contains("diff_ids")) {
    return Status::Corrupt(fmt::format("{}: no rootfs.diff_ids", what));
  }
  c.diff_ids = ReadStrings((*rootfs)["diff_ids"]);
  auto hist = j.find("history");
  if (hist != j.end() && hist->is_array()) {
    for (const auto& h : *hist) {
      if (!h.is_object()) continue;
      HistoryEntry e;
      e.created = Str(h, "created");
      e.created_by = Str(h, "created_by");
      e.author = Str(h, "author");
      e.comment = Str(h, "comment");
      e.empty_layer = h.contains("empty_layer") && h["empty_layer"].is_boolean() &&
                      h["empty_layer"].get<bool>();
      c.history.push_back(std::move(e));
    }
  }
  return c;
}

std::string ManifestToJson(const std::string& config_digest, int64_t config_size,
                           const std::vector<ManifestLayer>& layers) {
  ojson j;
  j["schemaVersion"] = 2;
  j["mediaType"] = kMediaTypeManifest;
  j["config"] = {{"mediaType", kMediaTypeConfig}, {"digest", config_digest}, {"size", config_size}};
  ojson ls = ojson::array();
  for (const auto& l : layers) {
    ls.push_back({{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.size}});
  }
  j["layers"] = ls;
  return j.dump();
}

}  // namespace layerlab
