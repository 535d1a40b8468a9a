// `layerlab push NAME[:TAG]`, `pull NAME[:TAG|@DIGEST]`, `login [-u U] [-p P] SERVER`,
// `logout SERVER`: a registry v2 client (see core/include/layerlab/registry.h).
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "cli/args.h"
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
  o.progress = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
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
  if (va.vm["quiet"].as<bool>()) o.progress = nullptr;
  auto r = Pull(*store, *images, va.positional[0], o);
  if (!r) return Fail(r.error());
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
  if (!st.ok()) return Fail(st);
  fmt::print("Removing login credentials for {}\n", va.positional[0]);
  return 0;
}

}  // namespace layerlab::cli
