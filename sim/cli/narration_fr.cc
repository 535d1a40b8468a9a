// The narration in French (--lang fr, or a French LANG): one sentence per event, and the
// reasons the engine gives, translated where they carry data (cache misses, sizes, lines).
#include <fmt/format.h>

#include <map>
#include <regex>

#include "cli/format.h"
#include "cli/text_sink.h"
#include "layerlab/digest.h"

namespace layerlab::cli {

namespace {

// "from layer 2 (abc), made by: RUN x" -> "de la couche 2 (abc), créée par : RUN x"
std::string FromLayerFr(const std::string& s) {
  return std::regex_replace(std::regex_replace(s, std::regex("^from layer"), "de la couche"),
                            std::regex(", made by: "), ", créée par : ");
}

// One step of the launch plan (core/runtime/launch_plan.cc), in French. Paths, flags, ids and
// commands stay as they are.
std::string LaunchStepFr(const std::string& step) {
  static const std::vector<std::pair<std::regex, std::string>> kRules = {
      {std::regex("^clone\\((.*)\\): new namespaces; the command will be PID 1$"),
       "clone($1) : nouveaux espaces de noms ; la commande sera le PID 1"},
      {std::regex("^namespace (\\w+) \\((\\w+)\\): "), "espace de noms $1 ($2) : "},
      {std::regex("its own user and group ids: 0 inside maps to the ids below$"),
       "ses propres identifiants d'utilisateur et de groupe : 0 à l'intérieur correspond aux "
       "identifiants ci-dessous"},
      {std::regex("its own mount table: the mounts below are invisible to the host$"),
       "sa propre table de montages : les montages ci-dessous sont invisibles pour l'hôte"},
      {std::regex("its own process ids: the command is PID 1 and sees no host process$"),
       "ses propres numéros de processus : la commande est le PID 1 et ne voit aucun processus "
       "de l'hôte"},
      {std::regex("its own hostname$"), "son propre nom d'hôte"},
      {std::regex("its own System V IPC and POSIX message queues$"),
       "ses propres IPC System V et files de messages POSIX"},
      {std::regex("its own network stack: only a loopback interface, lo$"),
       "sa propre pile réseau : une seule interface de bouclage, lo"},
      {std::regex("its own view of the cgroup tree$"), "sa propre vue de l'arbre des cgroups"},
      {std::regex("^uid map (.*); gid map (.*?)( \\(setgroups denied: rootless\\))?$"),
       "table des uid $1 ; table des gid $2$3"},
      {std::regex(" \\(setgroups denied: rootless\\)$"), " (setgroups refusé : sans root)"},
      {std::regex("^mount --make-rprivate /: nothing we mount is seen by the host$"),
       "mount --make-rprivate / : rien de ce que nous montons n'est vu par l'hôte"},
      {std::regex("^mount overlay on (\\S+): (\\d+) read-only layer\\(s\\) \\+ writable upper "
                  "(\\S+), volatile: --rm throws the writable layer away at exit, so it is never "
                  "synced to disk$"),
       "montage overlay sur $1 : $2 couche(s) en lecture seule + la couche inscriptible $3, "
       "volatile : --rm jette la couche inscriptible à la sortie, elle n'est donc jamais écrite "
       "sur le disque"},
      {std::regex("^mount overlay on (\\S+): (\\d+) read-only layer\\(s\\) \\+ writable upper "
                  "(\\S+)$"),
       "montage overlay sur $1 : $2 couche(s) en lecture seule + la couche inscriptible $3"},
      {std::regex("^bind (\\S+) as the root \\(copy driver: a private full copy\\)$"),
       "montage lié de $1 comme racine (pilote copy : une copie complète privée)"},
      {std::regex("^mount tmpfs file on (\\S+)"), "montage d'un fichier de son propre tmpfs sur $1"},
      {std::regex("^mount (.*) on (\\S+) read-only"), "montage $1 sur $2 en lecture seule"},
      {std::regex("^mount (.*) on (\\S+)"), "montage $1 sur $2"},
      {std::regex(": a proc of the new pid namespace: ps sees only the container$"),
       " : un proc du nouvel espace de noms pid : ps ne voit que le conteneur"},
      {std::regex(": a fresh /dev$"), " : un /dev neuf"},
      {std::regex(": its own pseudo-terminals$"), " : ses propres pseudo-terminaux"},
      {std::regex(": shared memory$"), " : mémoire partagée"},
      {std::regex(": bound in like Docker does, so it never lands in the writable layer$"),
       " : monté comme le fait Docker, pour ne jamais arriver dans la couche inscriptible"},
      {std::regex("^pivot_root into (\\S+), then detach the old root: the host's files are out "
                  "of reach$"),
       "pivot_root vers $1, puis l'ancienne racine est détachée : les fichiers de l'hôte sont "
       "hors d'atteinte"},
      {std::regex("^kill -(\\w+) (\\d+): SIG(\\w+) to the container's PID 1$"),
       "kill -$1 $2 : SIG$3 au PID 1 du conteneur"},
      {std::regex("^cgroup layerlab/(\\S+): memory (\\d+) bytes, pids (\\d+) \\(0 = no limit\\)$"),
       "cgroup layerlab/$1 : mémoire $2 octets, pids $3 (0 = sans limite)"},
  };
  std::string out = step;
  for (const auto& [re, fr] : kRules) out = std::regex_replace(out, re, fr);
  return out;
}

}  // namespace

std::string SentenceFr(const TraceEvent& e) {
  std::string bytes = e.bytes >= 0 ? HumanSize(e.bytes) : "";
  switch (e.kind) {
    case TraceKind::kBlobWritten:
      return fmt::format("blob {} enregistré ({})", Short(e.subject), bytes);
    case TraceKind::kBlobExists:
      return fmt::format("le blob {} est déjà stocké ; rien n'est écrit", Short(e.subject));
    case TraceKind::kLayerCreated:
      return fmt::format("nouvelle couche {} (diff {}, {})", Short(e.subject), Short(e.layer),
                         bytes);
    case TraceKind::kLayerShared:
      return fmt::format("la couche {} est déjà stockée : elle est partagée, pas copiée ({})",
                         Short(e.subject), bytes);
    case TraceKind::kImageCreated:
      return fmt::format("image {} créée ({})", Short(e.subject), bytes);
    case TraceKind::kTagAdded:
      return fmt::format("étiquette {} -> image {}", e.subject, Short(e.detail));
    case TraceKind::kTagMoved:
      return fmt::format("étiquette {} déplacée vers l'image {}", e.subject, Short(e.detail));
    case TraceKind::kTagRemoved:
      return fmt::format("étiquette {} retirée", e.subject);
    case TraceKind::kImageDeleted:
      return fmt::format("image {} supprimée", Short(e.subject));
    case TraceKind::kLayerFreed:
      return fmt::format("couche {} libérée ({})", Short(e.subject), bytes);
    case TraceKind::kLayerKept:
      return fmt::format("couche {} conservée", Short(e.subject));
    case TraceKind::kOrphanFound:
      return fmt::format("orphelin {}", e.subject);
    case TraceKind::kOrphanRemoved:
      return fmt::format("{} supprimé", e.subject);
    case TraceKind::kStoreInitialized:
      return fmt::format("nouveau magasin dans {}", e.subject);
    case TraceKind::kSchemaMigrated:
      return fmt::format("schéma du magasin mis à jour {}", e.detail);
    case TraceKind::kLayerUnpacked:
      return fmt::format("couche {} dépaquetée pour servir de couche inférieure en lecture seule",
                         Short(e.subject));
    case TraceKind::kContainerCreated:
      return fmt::format("conteneur {} ({}) créé depuis l'image {}", Short(e.subject), e.detail,
                         Short(e.layer));
    case TraceKind::kWritableLayerCreated:
      return fmt::format("couche inscriptible {} ({})", e.subject, bytes);
    case TraceKind::kUnionMounted:
      return fmt::format("union montée sur {}", e.subject);
    case TraceKind::kCopyUp: {
      std::string from = std::regex_replace(FromLayerFr(e.detail), std::regex("^de la couche"),
                                            "depuis la couche");
      return fmt::format("copie vers le haut (copy-up) de /{} ({}) {}", e.subject, bytes, from);
    }
    case TraceKind::kWhiteout:
      return fmt::format("whiteout pour /{}", e.subject);
    case TraceKind::kOpaqueDir:
      return fmt::format("répertoire opaque /{}", e.subject);
    case TraceKind::kLaunchStep:
      return fmt::format("lancement : {}", LaunchStepFr(e.subject));
    case TraceKind::kContainerExited:
      return fmt::format("le conteneur {} s'est terminé avec le code {}", Short(e.subject),
                         e.detail);
    case TraceKind::kContainerRemoved:
      return fmt::format("conteneur {} supprimé ({} de couche inscriptible libérés)",
                         Short(e.subject), bytes);
    case TraceKind::kBuildStep:
      return fmt::format("étape {} : {}", e.detail.empty() ? "(métadonnées)" : e.detail,
                         e.subject);
    case TraceKind::kCacheHit:
      return fmt::format("cache : image {} réutilisée{}", Short(e.detail),
                         e.layer.empty() ? "" : fmt::format(", avec sa couche {}", Short(e.layer)));
    case TraceKind::kCacheMiss:
      return "pas dans le cache";
    case TraceKind::kStepDone:
      return e.layer.empty()
                 ? fmt::format("pas de couche, métadonnées seulement ; image {}", Short(e.detail))
                 : fmt::format("nouvelle couche {} ({}) ; image {}", Short(e.layer), bytes,
                               Short(e.detail));
    case TraceKind::kImageSize:
      return fmt::format("image {} ({}) : SIZE {} est sa taille virtuelle, la somme de ses couches",
                         Short(e.subject), e.detail, bytes);
    case TraceKind::kContainerSize:
      return fmt::format("conteneur {} ({}) : SIZE {} n'est que sa couche inscriptible",
                         Short(e.subject), e.detail, bytes);
    case TraceKind::kSizeSummary: {
      std::string detail = e.detail;
      for (const auto& [en, fr] : {std::pair{"active image\\(s\\)", "image(s) utilisée(s)"},
                                   std::pair{"running container\\(s\\)", "conteneur(s) en marche"},
                                   std::pair{"container\\(s\\)", "conteneur(s)"}}) {
        detail = std::regex_replace(detail, std::regex(en), fr);
      }
      if (e.subject == "images") {
        return fmt::format("{} listée(s), {} de couches sur le disque", detail, bytes);
      }
      if (e.subject == "containers") return fmt::format("{} : {} écrits en tout", detail, bytes);
      return fmt::format("récupérable : {} ({})", bytes, detail);
    }
    case TraceKind::kLayerCommitted:
      return fmt::format("couche inscriptible du conteneur {} enregistrée comme couche {} ({} : {})",
                         Short(e.subject), Short(e.layer), bytes,
                         std::regex_replace(
                             std::regex_replace(
                                 std::regex_replace(e.detail, std::regex(" added"), " ajouté(s)"),
                                 std::regex(" changed"), " modifié(s)"),
                             std::regex(" deleted"), " supprimé(s)"));
    case TraceKind::kChangeListed: {
      std::string from = e.detail.size() > 2 ? FromLayerFr(e.detail.substr(2)) : "";
      return fmt::format("{} /{}{}", e.detail.substr(0, 1), e.subject,
                         from.empty() ? "" : ", par-dessus la version " + from);
    }
  }
  return TraceKindName(e.kind);
}

std::string WhyFr(const TraceEvent& e) {
  switch (e.kind) {
    case TraceKind::kBlobWritten: return "contenu nouveau";
    case TraceKind::kBlobExists: return "même contenu, même empreinte : stocké une seule fois";
    case TraceKind::kLayerCreated: return "contenu nouveau";
    case TraceKind::kLayerShared: return "la même couche sur les mêmes parents est déjà stockée";
    case TraceKind::kImageCreated:
      return std::regex_replace(e.why, std::regex("layer\\(s\\)"), "couche(s)");
    case TraceKind::kContainerCreated:
      return "un conteneur, ce sont les couches en lecture seule de l'image plus une couche "
             "inscriptible";
    case TraceKind::kWritableLayerCreated:
      return "vide au départ : rien n'est copié tant qu'aucun fichier n'est écrit";
    case TraceKind::kUnionMounted:
      return "overlayfs, monté dans de nouveaux espaces de noms utilisateur et montage";
    case TraceKind::kCopyUp:
      return "le fichier n'existait que dans une couche en lecture seule : il est d'abord copié "
             "dans la couche inscriptible";
    case TraceKind::kWhiteout:
      return "une couche inférieure ne peut pas changer : la suppression est un marqueur";
    case TraceKind::kOpaqueDir:
      return "le répertoire cache tout ce que les couches inférieures y avaient";
    case TraceKind::kContainerRemoved:
      return "sa couche inscriptible part avec lui ; les couches de l'image restent";
    case TraceKind::kLayerUnpacked:
      return "première utilisation : chaque conteneur de chaque image qui a cette couche la "
             "partage";
    case TraceKind::kTagAdded:
      return "une étiquette n'est qu'un nom qui pointe vers un identifiant d'image";
    case TraceKind::kTagMoved:
      return std::regex_replace(
          e.why, std::regex("^it named (\\S+) before; that image keeps its other names or becomes <none>$"),
          "il nommait $1 ; cette image garde ses autres noms ou devient <none>");
    case TraceKind::kTagRemoved:
      return "seul le nom part ; l'image reste tant que d'autres noms ou des enfants l'utilisent";
    case TraceKind::kContainerExited:
      return std::regex_replace(e.why, std::regex("^killed by signal (\\d+)$"), "tué par le signal $1") ==
                     e.why
                 ? "la commande s'est terminée"
                 : std::regex_replace(e.why, std::regex("^killed by signal (\\d+)$"),
                                      "tuée par le signal $1");
    case TraceKind::kImageDeleted: return "aucune étiquette, aucun enfant ni conteneur ne l'utilise";
    case TraceKind::kLayerFreed: return "aucune autre image n'utilise cette couche";
    case TraceKind::kLayerKept:
      return std::regex_replace(
          std::regex_replace(e.why, std::regex("^image (\\S+) still uses it$"),
                             "l'image $1 l'utilise encore"),
          std::regex("^a layer of another image is built on it$"),
          "une couche d'une autre image est construite dessus");
    case TraceKind::kBuildStep: return e.why;  // the Dockerfile line
    case TraceKind::kLaunchStep: {
      static const std::map<std::string, std::string> kWhy = {
          {"rm -f: the container is running, so it is killed first",
           "rm -f : le conteneur tourne, il est donc d'abord tué"},
          {"SIGKILL cannot be caught: the kernel ends PID 1, and with it every process of its "
           "pid namespace",
           "SIGKILL ne peut pas être intercepté : le noyau termine le PID 1, et avec lui tous "
           "les processus de son espace de noms pid"},
          {"PID 1 of a pid namespace gets only the signals it has a handler for (SIGKILL aside): "
           "a shell without a trap ignores it",
           "le PID 1 d'un espace de noms pid ne reçoit que les signaux qu'il intercepte (SIGKILL "
           "mis à part) : un shell sans trap l'ignore"},
      };
      auto it = kWhy.find(e.why);
      return it == kWhy.end() ? e.why : it->second;
    }
    case TraceKind::kImageSize:
      return std::regex_replace(
          e.why, std::regex("^(\\d+) layer\\(s\\): (\\S+) shared with other images, (\\S+) its own$"),
          "$1 couche(s) : $2 partagés avec d'autres images, $3 à elle seule");
    case TraceKind::kContainerSize:
      return std::regex_replace(
          e.why,
          std::regex("^virtual (\\S+) = (\\S+) writable \\+ (\\S+) of read-only image layers, "
                     "shared with (\\d+) other container\\(s\\) of the same image$"),
          "taille virtuelle $1 = $2 inscriptibles + $3 de couches d'image en lecture seule, "
          "partagées avec $4 autre(s) conteneur(s) de la même image");
    case TraceKind::kSizeSummary: {
      static const std::vector<std::pair<std::regex, std::string>> kRules = {
          {std::regex("^nothing is counted twice: the SIZE column adds up to (\\S+), what the "
                      "(\\d+) layer\\(s\\) take on disk$"),
           "rien n'est compté deux fois : la colonne SIZE fait $1 au total, ce que les $2 "
           "couche(s) occupent sur le disque"},
          {std::regex("^the SIZE column adds up to (\\S+), but the (\\d+) distinct layer\\(s\\) "
                      "take (\\S+) on disk: a layer shared by several images, or an image listed "
                      "under several names, is stored once$"),
           "la colonne SIZE fait $1 au total, mais les $2 couche(s) distinctes n'occupent que $3 "
           "sur le disque : une couche partagée par plusieurs images, ou une image listée sous "
           "plusieurs noms, n'est stockée qu'une fois"},
          {std::regex("^their writable layers take (\\S+); a full copy of the image per container "
                      "would take (\\S+)$"),
           "leurs couches inscriptibles occupent $1 ; une copie complète de l'image par "
           "conteneur occuperait $2"},
          {std::regex("^(\\S+) of layers, all but those that only images used by a container "
                      "hold \\(Docker's rule: a layer an unused image shares counts too\\), and "
                      "(\\S+) of writable layers of stopped containers$"),
           "$1 de couches, toutes sauf celles que seules des images utilisées par un conteneur "
           "ont (règle de Docker : une couche partagée avec une image inutilisée compte aussi), "
           "et $2 de couches inscriptibles de conteneurs arrêtés"},
      };
      std::string why = e.why;
      for (const auto& [re, fr] : kRules) why = std::regex_replace(why, re, fr);
      return why;
    }
    case TraceKind::kLayerCommitted:
      return std::regex_replace(
          e.why,
          std::regex("^the writable layer's changes become one new layer on top of the image's "
                     "(\\d+) layer\\(s\\), which are shared, not copied$"),
          "les changements de la couche inscriptible deviennent une nouvelle couche au-dessus "
          "des $1 couche(s) de l'image, partagées et non copiées");
    case TraceKind::kChangeListed: {
      static const std::map<std::string, std::string> kWhy = {
          {"only the writable layer has it; no image layer does",
           "seule la couche inscriptible l'a ; aucune couche de l'image ne l'a"},
          {"its directory was made opaque, which hides everything below it",
           "son répertoire est devenu opaque, ce qui cache tout ce qu'il y a dessous"},
          {"a whiteout in the writable layer hides it; the image layer is not changed",
           "un whiteout dans la couche inscriptible le cache ; la couche de l'image ne change "
           "pas"},
          {"a directory whose entries changed: the writable layer has its own copy of it",
           "un répertoire dont le contenu a changé : la couche inscriptible en a sa propre copie"},
          {"the writable layer holds a whole copy, made on the first write (copy-up), that hides "
           "the image's version",
           "la couche inscriptible en a une copie entière, faite à la première écriture "
           "(copy-up), qui cache la version de l'image"},
      };
      auto it = kWhy.find(e.why);
      return it == kWhy.end() ? e.why : it->second;
    }
    case TraceKind::kStepDone:
      return std::regex_replace(e.why, std::regex("^virtual size (\\d+) B$"),
                                "taille virtuelle $1 o");
    case TraceKind::kCacheMiss: {
      static const std::vector<std::pair<std::regex, std::string>> kRules = {
          {std::regex("^line (\\d+) \\((.*)\\): "), "ligne $1 ($2) : "},
          {std::regex(" changed"), " a changé"},
          {std::regex(" added"), " ajouté"},
          {std::regex(" removed"), " supprimé"},
          {std::regex("^--no-cache was given$"), "--no-cache demandé"},
          {std::regex("never built before on scratch"), "jamais construite sur scratch"},
          {std::regex("never built before on image"), "jamais construite sur l'image"},
          {std::regex("an earlier step of this stage was rebuilt"),
           "une étape précédente de cette phase a été reconstruite"},
          {std::regex("the instruction is new here \\(last build ran (.*) at this point\\)"),
           "l'instruction est nouvelle ici (la construction précédente exécutait $1 à cet "
           "endroit)"},
          {std::regex("^build args changed: "), "les arguments de construction ont changé : "},
      };
      std::string why = e.why;
      for (const auto& [re, fr] : kRules) why = std::regex_replace(why, re, fr);
      return why;
    }
    default: return "";
  }
}

}  // namespace layerlab::cli
