// What every verb gets: the global options, the tracer, and the store (opened on first use).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "layerlab/containers.h"
#include "layerlab/images.h"
#include "layerlab/store.h"
#include "layerlab/trace.h"

namespace layerlab::cli {

struct GlobalOptions {
  std::string root;            // --root, else LAYERLAB_ROOT, else the XDG default
  std::string storage_driver;  // --storage-driver (used by containers, next issue)
  std::string explain;         // "" (off), "text", or "json:FILE"
  bool step = false;
};

class Context {
 public:
  Context(GlobalOptions options, Tracer tracer) : options_(std::move(options)), tracer_(tracer) {}
  const GlobalOptions& options() const { return options_; }
  const Tracer& tracer() const { return tracer_; }
  // Opens the store (creating it and its base image the first time).
  Result<Store*> store();
  Result<Images*> images();
  // Containers, with --storage-driver for new ones.
  Result<Containers*> containers();
  // Closes the store (and its lock) so a long wait holds nothing; the next call reopens it.
  void Close();

 private:
  GlobalOptions options_;
  Tracer tracer_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Images> images_;
  std::unique_ptr<Containers> containers_;
};

// A verb: gets its own arguments (after the verb), returns the exit code.
using VerbFn = int (*)(Context& ctx, const std::vector<std::string>& args);

// Prints "Error: MESSAGE" on stderr and returns 1 (Docker prints errors this way, minus the
// daemon it does not have here).
int Fail(const Status& status);
int Fail(const std::string& message);
// A usage error: the message, then "See 'layerlab VERB --help'."; exit code 125 like Docker.
int UsageError(const std::string& verb, const std::string& message);

}  // namespace layerlab::cli
