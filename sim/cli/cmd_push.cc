// `layerlab push NAME[:TAG]`, `pull NAME[:TAG|@DIGEST]`, `login [-u U] [-p P] SERVER`,
// `logout SERVER`: a registry v2 client (see core/include/layerlab/registry.h).
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"
#include "layerlab/registry.h"

namespace layerlab::cli {

namespace {

RegistryOptions Options(const po::variables_map& vm) {
  RegistryOptions o;
  if (vm.count("insecure-registry")) {
    o.insecure_registries = vm["insecure-registry"].as<std::vector<std::string>>();
  }
  if (const char* env = std::getenv("LAYERLAB_INSECURE_REGISTRIES")) {
    std::string s = env;
    for (size_t p = 0; p < s.size();) {
      size_t c = s.find(',', p);
      o.insecure_registries.push_back(s.substr(p, c - p));
      p = c == std::string::npos ? s.size() : c + 1;
    }
  }
  if (const char* chunk = std::getenv("LAYERLAB_CHUNK_SIZE")) o.chunk_size = std::atoll(chunk);
  // On a terminal each layer gets a bar, redrawn in place, which its final line replaces.
  static bool bar_shown = false;
  o.progress = [](const std::string& line) {
    fmt::print("{}{}\n", bar_shown ? "\r\033[K" : "", line);
    bar_shown = false;
    std::fflush(stdout);
  };
  if (isatty(1)) {
    o.bytes = [](const std::string& id, const std::string& what, int64_t done, int64_t total) {
      if (total <= 0) return;
      int width = 50;
      int filled = static_cast<int>(width * done / total);
      std::string bar(static_cast<size_t>(filled), '=');
      if (filled < width) bar += '>';
      bar.resize(static_cast<size_t>(width), ' ');
      fmt::print("\r\033[K{}: {} [{}] {}/{}", id, what, bar, HumanSize(done), HumanSize(total));
      bar_shown = true;
      std::fflush(stdout);
    };
  }
  return o;
}

void AddRegistryOptions(po::options_description& opts) {
  opts.add_options()("insecure-registry", po::value<std::vector<std::string>>()->composing(),
                     "Use plain http for this registry (localhost always does)");
}

}  // namespace

int CmdPush(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  AddRegistryOptions(opts);
  VerbArgs va = ParseVerbArgs("push", "push [OPTIONS] NAME[:TAG]",
                              "Upload an image to a registry", opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto store = ctx.store();
  auto images = ctx.images();
  if (!store || !images) return Fail(!store ? store.error() : images.error());
  auto r = Push(*store, *images, va.positional[0], Options(va.vm));
  if (!r) return Fail(r.error());
  return 0;
}

int CmdPull(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  AddRegistryOptions(opts);
  opts.add_options()("quiet,q", po::bool_switch(), "Suppress verbose output");
  VerbArgs va = ParseVerbArgs("pull", "pull [OPTIONS] NAME[:TAG|@DIGEST]",
                              "Download an image from a registry", opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto store = ctx.store();
  auto images = ctx.images();
  if (!store || !images) return Fail(!store ? store.error() : images.error());
  RegistryOptions o = Options(va.vm);
  bool quiet = va.vm["quiet"].as<bool>();
  if (quiet) {
    o.progress = nullptr;
    o.bytes = nullptr;
  }
  auto r = Pull(*store, *images, va.positional[0], o);
  if (!r) return Fail(r.error());
  if (quiet) {  // Docker's `pull -q` prints the full reference
    auto parsed = ParseNormalizedNamed(va.positional[0]);
    if (parsed.ref) {
      Reference ref = *parsed.ref;
      if (!ref.tagged() && !ref.digested()) ref.tag = "latest";
      fmt::print("{}\n", ref.String());
    }
  }
  return 0;
}

int CmdLogin(Context& ctx, const std::vector<std::string>& args) {
  (void)ctx;
  po::options_description opts("Options");
  AddRegistryOptions(opts);
  opts.add_options()("username,u", po::value<std::string>(), "Username")(
      "password,p", po::value<std::string>(), "Password")(
      "password-stdin", po::bool_switch(), "Take the password from stdin");
  VerbArgs va = ParseVerbArgs("login", "login [OPTIONS] SERVER",
                              "Log in to a registry (credentials kept with 0600 permissions)",
                              opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  std::string user = va.vm.count("username") ? va.vm["username"].as<std::string>() : "";
  std::string pass = va.vm.count("password") ? va.vm["password"].as<std::string>() : "";
  if (va.vm["password-stdin"].as<bool>()) {
    std::getline(std::cin, pass);
  } else if (!va.vm.count("password")) {
    if (user.empty()) {
      fmt::print("Username: ");
      std::fflush(stdout);
      std::getline(std::cin, user);
    }
    fmt::print("Password: ");
    std::fflush(stdout);
    std::getline(std::cin, pass);
  }
  if (user.empty()) return Fail("Username is required");
  Status st = Login(va.positional[0], user, pass, Options(va.vm));
  if (!st.ok()) return Fail(st);
  fmt::print("Login Succeeded\n");
  return 0;
}

int CmdLogout(Context& ctx, const std::vector<std::string>& args) {
  (void)ctx;
  po::options_description opts("Options");
  VerbArgs va = ParseVerbArgs("logout", "logout SERVER", "Log out from a registry", opts, args,
                              1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  Status st = Logout(va.positional[0], RegistryOptions{});
  if (st.code() == Code::kNotFound) {  // Docker: not an error
    fmt::print("Not logged in to {}\n", va.positional[0]);
    return 0;
  }
  if (!st.ok()) return Fail(st);
  fmt::print("Removing login credentials for {}\n", va.positional[0]);
  return 0;
}

}  // namespace layerlab::cli
