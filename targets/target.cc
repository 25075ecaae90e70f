#include "targets/target.h"

namespace faultline {

Op complete(const Op& invoke, OpType type, Json value) {
  Op done = invoke;
  done.type = type;
  done.value = std::move(value);
  return done;
}

Op complete_error(const Op& invoke, OpType type, Json error) {
  Op done = invoke;
  done.type = type;
  done.error = std::move(error);
  return done;
}

}  // namespace faultline
