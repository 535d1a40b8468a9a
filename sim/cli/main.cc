// layerlab's entry point: global options, the tracer's sink, then one verb. The only place that
// catches option-parsing exceptions.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <memory>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cli/context.h"
#include "cli/supervisor.h"
#include "cli/text_sink.h"
#include "cli/verbs.h"
#include "layerlab/layer_report.h"
#include "render/html_page.h"
#include "layerlab/digest.h"
#include "lesson/lesson.h"

namespace po = boost::program_options;
using namespace layerlab;
using namespace layerlab::cli;

namespace {

const char* kVersion = "0.1.0";

void PrintUsage() {
  fmt::print(
      "\nUsage:  layerlab [OPTIONS] COMMAND\n\n"
      "A real copy-on-write layer engine and container simulator, for learning how images and\n"
      "containers work.\n\n"
      "Global Options:\n"
      "      --root DIR               Store root (default $LAYERLAB_ROOT, else\n"
      "                               $XDG_DATA_HOME/layerlab)\n"
      "      --storage-driver NAME    overlay, fuse or copy\n"
      "      --explain[=json:FILE|html:FILE]\n"
      "                               Narrate what happens (text on stderr, JSON lines, or a\n"
      "                               page to step through in a browser)\n"
      "      --step                   Pause after each step, drawing the layer stack\n"
      "      --lang en|fr             Language of the narration (default: from LANG)\n"
      "  -v, --version                Print version information and quit\n\n"
      "Image Commands:\n"
      "  build       Build an image from a Dockerfile\n"
      "  dockerfile  Show how a Dockerfile parses (dockerfile parse FILE [--json])\n"
      "  images      List images\n"
      "  save        Save images to a tar archive (docker save format) or an OCI layout\n"
      "  load        Load images from a tar archive or an OCI layout\n"
      "  push        Upload an image to a registry\n"
      "  pull        Download an image from a registry\n"
      "  login       Log in to a registry · logout: forget its credentials\n"
      "  history     Show the history of an image\n"
      "  layers      Show each layer's files, wasted space, and where a file came from\n"
      "  import      Import the contents from a tarball to create a filesystem image\n"
      "  rmi         Remove one or more images\n"
      "  tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n"
      "  image       Manage images (ls, inspect, prune, rm, tag, history, import)\n"
      "  inspect     Return low-level information on images\n\n"
      "Container Commands:\n"
      "  run         Create and run a new container (PID 1 of its own namespaces)\n"
      "  start       Start a stopped container (-a: attached)\n"
      "  stop        Stop running containers (SIGTERM, then SIGKILL after -t seconds)\n"
      "  kill        Send a signal to running containers\n"
      "  wait        Block until containers stop, then print their exit codes\n"
      "  logs        Fetch the logs of a detached container (-f, -t)\n"
      "  restart     Restart containers\n"
      "  exec        Run a command in a running container (joins its namespaces)\n"
      "  top         Display the running processes of a container\n"
      "  create      Create a new container (an empty writable layer over the image)\n"
      "  ps          List containers (-a all, -s sizes: SIZE and virtual size)\n"
      "  cp          Copy files between a container and the host (copies up)\n"
      "  diff        Inspect changes to files on a container's filesystem\n"
      "  commit      Create a new image from a container's changes\n"
      "  export      Export a container's filesystem as a tar archive\n"
      "  rm          Remove one or more containers\n"
      "  container   Manage containers (ls, create, rm, diff, cp, commit, export, prune)\n\n"
      "Store Commands:\n"
      "  system      Manage the store (check [--repair], df [-v])\n\n"
      "Classroom:\n"
      "  lesson      Lessons and their checks (list, show N, check N, reset)\n\n"
      "Run 'layerlab COMMAND --help' for more information on a command.\n");
}

int Image(Context& ctx, const std::vector<std::string>& args);
int Container(Context& ctx, const std::vector<std::string>& args);

const std::map<std::string, VerbFn>& Verbs() {
  static const std::map<std::string, VerbFn> kVerbs = {
      {"images", CmdImages},   {"tag", CmdTag},          {"rmi", CmdRmi},
      {"history", CmdHistory}, {"import", CmdImport},    {"inspect", CmdInspect},
      {"image", Image},        {"system", CmdSystem},    {"create", CmdCreate},
      {"ps", CmdPs},           {"diff", CmdDiff},        {"cp", CmdCp},
      {"commit", CmdCommit},   {"rm", CmdRm},            {"export", CmdExport},
      {"container", Container}, {"run", CmdRun},         {"start", CmdStart},
      {"stop", CmdStop},       {"kill", CmdKill},        {"wait", CmdWait},
      {"logs", CmdLogs},       {"restart", CmdRestart},  {"__supervise", CmdSupervise},
      {"exec", CmdExec},       {"top", CmdTop},          {"build", CmdBuild},
      {"dockerfile", CmdDockerfile}, {"save", CmdSave},  {"load", CmdLoad},
      {"push", CmdPush},       {"pull", CmdPull},        {"login", CmdLogin},
      {"logout", CmdLogout},   {"layers", CmdLayers},
      {"lesson", CmdLesson},
  };
  return kVerbs;
}

int Container(Context& ctx, const std::vector<std::string>& args) {
  static const std::map<std::string, VerbFn> kSub = {
      {"ls", CmdPs},     {"list", CmdPs},         {"ps", CmdPs},       {"create", CmdCreate},
      {"rm", CmdRm},     {"diff", CmdDiff},       {"cp", CmdCp},       {"commit", CmdCommit},
      {"export", CmdExport}, {"prune", CmdContainerPrune}, {"run", CmdRun},
      {"start", CmdStart}, {"stop", CmdStop},     {"kill", CmdKill},   {"wait", CmdWait},
      {"logs", CmdLogs},   {"restart", CmdRestart}, {"exec", CmdExec}, {"top", CmdTop},
      {"inspect", CmdContainerInspect},
  };
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    fmt::print("\nUsage:  layerlab container COMMAND\n\nManage containers\n\nCommands:\n"
               "  commit, cp, create, diff, exec, export, inspect, kill, logs, ls, prune,\n"
               "  restart, rm, run, start, stop, top, wait\n");
    return args.empty() ? 1 : 0;
  }
  auto it = kSub.find(args[0]);
  if (it == kSub.end()) {
    return UsageError("container",
                      fmt::format("layerlab container: '{}' is not a layerlab command.", args[0]));
  }
  return it->second(ctx, std::vector<std::string>(args.begin() + 1, args.end()));
}

int Image(Context& ctx, const std::vector<std::string>& args) {
  static const std::map<std::string, VerbFn> kSub = {
      {"ls", CmdImages},           {"list", CmdImages},     {"inspect", CmdImageInspect},
      {"prune", CmdImagePrune},    {"rm", CmdRmi},          {"tag", CmdTag},
      {"history", CmdHistory},     {"import", CmdImport},       {"build", CmdBuild},
      {"save", CmdSave},           {"load", CmdLoad},           {"push", CmdPush},
      {"pull", CmdPull},
  };
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    fmt::print("\nUsage:  layerlab image COMMAND\n\nManage images\n\nCommands:\n"
               "  history, import, inspect, ls, prune, rm, tag\n");
    return args.empty() ? 1 : 0;
  }
  auto it = kSub.find(args[0]);
  if (it == kSub.end()) {
    return UsageError("image", fmt::format("layerlab image: '{}' is not a layerlab command.",
                                           args[0]));
  }
  return it->second(ctx, std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace

int main(int argc, char** argv) {
  // Global options come before the verb; split there so a verb's own flags never clash.
  std::vector<std::string> global, rest;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a.empty() || a[0] != '-') break;
    global.push_back(a);
    bool takes_value = a == "--root" || a == "--storage-driver" || a == "--lang";
    if (takes_value && i + 1 < argc) global.push_back(argv[++i]);
  }
  for (; i < argc; ++i) rest.push_back(argv[i]);

  po::options_description desc;
  desc.add_options()("root", po::value<std::string>())("storage-driver", po::value<std::string>())(
      "explain", po::value<std::string>()->implicit_value("text"))("step", po::bool_switch())(
      "lang", po::value<std::string>())("version,v", po::bool_switch())("help,h", po::bool_switch());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(global).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    fmt::print(stderr, "layerlab: {}\nSee 'layerlab --help'.\n", e.what());
    return 125;
  }
  if (vm["version"].as<bool>()) {
    fmt::print("layerlab version {}\n", kVersion);
    return 0;
  }
  if (vm["help"].as<bool>() || rest.empty()) {
    PrintUsage();
    return rest.empty() && !vm["help"].as<bool>() ? 1 : 0;
  }

  GlobalOptions opts;
  opts.root = vm.count("root") ? vm["root"].as<std::string>() : DefaultStoreRoot();
  opts.storage_driver = vm.count("storage-driver") ? vm["storage-driver"].as<std::string>() : "";
  opts.explain = vm.count("explain") ? vm["explain"].as<std::string>() : "";
  opts.step = vm["step"].as<bool>();

  std::unique_ptr<TraceSink> sink;
  std::FILE* trace_file = nullptr;
  std::FILE* answers = nullptr;
  Context* context = nullptr;  // set below: --step draws layer stacks from the store
  RecordingSink* html = nullptr;  // --explain=html:FILE records, then writes the page at exit
  std::string html_path;
  if (opts.explain == "text" || opts.step) {
    NarrationOptions no;
    no.lang = NarrationLanguage(vm.count("lang") ? vm["lang"].as<std::string>() : "");
    const char* no_color = std::getenv("NO_COLOR");
    no.color = isatty(2) && (no_color == nullptr || *no_color == '\0');
    no.step = opts.step;
    // Answers come from the terminal; without one (a script, a test) from stdin.
    if (opts.step) answers = std::fopen("/dev/tty", "r");
    no.answers = answers != nullptr ? answers : (opts.step ? stdin : nullptr);
    no.layers = [&context](const std::string& image_id) {
      std::vector<StackLayer> out;
      if (context == nullptr) return out;
      auto images = context->images();
      if (!images) return out;
      auto img = (*images)->Get(image_id);
      auto cfg = (*images)->ConfigOf(image_id);
      if (!img) return out;
      std::vector<std::string> made_by;
      if (cfg) {
        for (const auto& h : cfg->history) {
          if (!h.empty_layer) made_by.push_back(h.created_by);
        }
      }
      for (size_t i = 0; i < img->layers.size(); ++i) {
        out.push_back({ShortId(img->layers[i].diff_id), img->layers[i].size,
                       i < made_by.size() ? made_by[i] : ""});
      }
      return out;
    };
    sink = std::make_unique<TextSink>(stderr, std::move(no));
  } else if (opts.explain.rfind("json:", 0) == 0) {
    std::string path = opts.explain.substr(5);
    trace_file = std::fopen(path.c_str(), "w");
    if (trace_file == nullptr) {
      fmt::print(stderr, "Error: --explain: cannot write `{}`: {}\n", path, std::strerror(errno));
      return 125;
    }
    sink = std::make_unique<JsonLinesSink>(trace_file);
  } else if (opts.explain.rfind("html:", 0) == 0) {
    html_path = opts.explain.substr(5);
    std::FILE* probe = std::fopen(html_path.c_str(), "w");  // fail before doing anything
    if (probe == nullptr) {
      fmt::print(stderr, "Error: --explain: cannot write `{}`: {}\n", html_path,
                 std::strerror(errno));
      return 125;
    }
    std::fclose(probe);
    auto recording = std::make_unique<RecordingSink>();
    html = recording.get();
    sink = std::move(recording);
  } else if (!opts.explain.empty()) {
    fmt::print(stderr,
               "layerlab: --explain={}: expected --explain (text), --explain=json:FILE or "
               "--explain=html:FILE\n",
               opts.explain);
    return 125;
  }

  auto it = Verbs().find(rest[0]);
  if (it == Verbs().end()) {
    fmt::print(stderr, "layerlab: '{}' is not a layerlab command.\nSee 'layerlab --help'\n",
               rest[0]);
    return 1;
  }
  // While a lesson is active, each command's events are kept for its checks (`trace` expects):
  // <root>/lesson/last-command.jsonl and last-<verb>.jsonl, replaced whole when it ends.
  std::FILE* lesson_file = nullptr;
  std::unique_ptr<TraceSink> lesson_sink, tee;
  std::string lesson_dir = lesson::LessonStateDir(opts.root);
  if (rest[0] != "lesson" && rest[0].rfind("__", 0) != 0 &&
      std::filesystem::exists(lesson_dir + "/active")) {
    lesson_file = std::fopen((lesson_dir + "/last-command.jsonl.tmp").c_str(), "w");
    if (lesson_file != nullptr) {
      lesson_sink = std::make_unique<JsonLinesSink>(lesson_file);
      tee = std::make_unique<TeeSink>(std::vector<TraceSink*>{sink.get(), lesson_sink.get()});
    }
  }
  Context ctx(opts, Tracer(tee ? tee.get() : sink.get()));
  context = &ctx;
  int rc = it->second(ctx, std::vector<std::string>(rest.begin() + 1, rest.end()));
  if (html != nullptr) {
    std::vector<TraceEvent> events = html->events;  // a copy: opening the store may emit more
    std::optional<LayerReport> report;
    if (std::string image = render::LastImageInTrace(events); !image.empty()) {
      auto store = ctx.store();
      auto images = ctx.images();
      if (store && images) {
        if (auto r = ReportLayers(*store, *images, image)) report = std::move(*r);
      }
    }
    std::string title = "layerlab";
    for (const auto& a : rest) title += " " + a;
    std::string lang = NarrationLanguage(vm.count("lang") ? vm["lang"].as<std::string>() : "");
    std::ofstream out(html_path, std::ios::binary | std::ios::trunc);
    out << render::RenderHtmlPage(events, report, lang, title);
    out.close();
    if (!out) {
      fmt::print(stderr, "Error: --explain: cannot write `{}`\n", html_path);
      if (rc == 0) rc = 1;
    }
  }
  context = nullptr;
  if (lesson_file != nullptr) {
    std::fclose(lesson_file);
    std::error_code ec;
    std::filesystem::copy_file(lesson_dir + "/last-command.jsonl.tmp",
                               lesson_dir + "/last-" + rest[0] + ".jsonl",
                               std::filesystem::copy_options::overwrite_existing, ec);
    std::filesystem::rename(lesson_dir + "/last-command.jsonl.tmp",
                            lesson_dir + "/last-command.jsonl", ec);
  }
  if (trace_file) std::fclose(trace_file);
  if (answers) std::fclose(answers);
  return rc;
}
