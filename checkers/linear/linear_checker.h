// The linearizability checker: does some total order of the client ops, consistent with real time
// and with the model, explain every ok op? Jepsen semantics: ok happened, fail did not, info may have
// happened at any time after its invocation or never. Histories of [key value] tuples (Jepsen's
// independent form) are split per key and the keys checked in parallel, cheapest first; once a key
// is not linearizable, the keys still undecided are only decided if that is cheap.
//
// Options (CheckOptions.options): "model" (ignored here: the model is fixed at construction),
// "budget-ms" (wall time for the whole check, default 10000), "memory-mb" (search memory across
// all keys, default unlimited), "initial-value" (the model's initial state, default nil / empty),
// "independent" (true/false to force or forbid the per-key split; default: detected),
// "configurations-after-verdict" (once a key is not linearizable, a key whose search needs more
// configurations than this is left undecided, listed in "undecided-keys"; default 1000),
// "witness" (true: on a valid verdict write one linearization to out_dir).
// Files (when out_dir is set): linear.html (the failing part on an invalid verdict) and
// linear-witness.json.
#pragma once

#include <memory>
#include <string>

#include "checkers/checker.h"
#include "checkers/linear/model.h"

namespace faultline::linear {

// A checker for the named model (see make_model); throws Error(kNotFound) for unknown names.
std::unique_ptr<Checker> linear_checker(const std::string& model);
// A checker for a model given as an object: a few functions over JSON states (see model.h).
std::unique_ptr<Checker> linear_checker(std::unique_ptr<Model> model);

}  // namespace faultline::linear
