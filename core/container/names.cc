// Random container names in Docker's "adjective_surname" style, from our own lists: adjectives,
// and the surnames of scientists and engineers whose work made computing possible.
#include <random>
#include <string>

#include "layerlab/containers.h"

namespace layerlab {

namespace {

const char* const kAdjectives[] = {
    "admiring", "agitated", "amazing",  "blissful", "bold",     "brave",     "busy",
    "calm",     "clever",   "cool",     "curious",  "dazzling", "determined", "eager",
    "ecstatic", "elegant",  "epic",     "fervent",  "festive",  "focused",   "friendly",
    "funny",    "gallant",  "gifted",   "gracious", "happy",    "hopeful",   "jolly",
    "keen",     "kind",     "laughing", "lucid",    "modest",   "nice",      "nifty",
    "optimistic", "peaceful", "pensive", "practical", "quirky", "relaxed",  "romantic",
    "serene",   "sharp",    "stoic",    "sweet",    "tender",   "trusting",  "upbeat",
    "vibrant",  "wizardly", "wonderful", "youthful", "zealous", "zen"};

const char* const kSurnames[] = {
    "allen",     "archimedes", "babbage",   "backus",   "bell",     "bose",      "cerf",
    "curie",     "darwin",     "dijkstra",  "einstein", "engelbart", "euclid",   "fermat",
    "feynman",   "franklin",   "galileo",   "germain",  "goldberg", "goodall",   "hamilton",
    "hawking",   "hodgkin",    "hopper",    "hypatia",  "johnson",  "kare",      "kepler",
    "khorana",   "knuth",      "kowalevski", "lamarr",  "liskov",   "lovelace",  "mayer",
    "mccarthy",  "meitner",    "mirzakhani", "morse",   "newton",   "noether",   "pascal",
    "perlman",   "raman",      "ritchie",   "shannon",  "sinoussi", "thompson",  "torvalds",
    "turing",    "wiles",      "williams",  "wozniak",  "wright",   "yonath"};

}  // namespace

std::string RandomContainerName(unsigned seed) {
  std::mt19937 rng(seed);
  std::string name = kAdjectives[rng() % std::size(kAdjectives)];
  name += "_";
  name += kSurnames[rng() % std::size(kSurnames)];
  return name;
}

}  // namespace layerlab
