#include "nemesis/process.h"

#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "harness/control/node_layout.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "nemesis/fault_table.h"

namespace faultline {

namespace {

const std::string kPausedFile = kNemesisStateDir + "/paused";
const std::string kKilledFile = kNemesisStateDir + "/killed";

// Pids of the node's stopped processes (state T).
std::set<long> stopped_pids(Session& s) {
  std::istringstream lines(s.check({"ps", "-e", "-o", "pid=,stat="}));
  std::set<long> pids;
  long pid;
  std::string stat;
  while (lines >> pid >> stat)
    if (stat[0] == 'T') pids.insert(pid);
  return pids;
}

void note(Session& s, const std::string& file, const std::string& text) {
  s.check_script("mkdir -p " + shell_quote(kNemesisStateDir) + " && printf %s " + shell_quote(text) + " >> " +
                 shell_quote(file));
}

class ProcessNemesis : public Nemesis {
 public:
  ProcessNemesis(NemesisNodes nodes, Daemon& daemon, uint64_t seed)
      : nodes_(std::move(nodes)), daemon_(daemon), rng_(Rng(seed).fork("process-nemesis")) {}

  // A target set up afresh runs again, so notes of an earlier run only need healing.
  void setup() override { heal_notes(); }

  void teardown() override {
    for (const char* f : {"resume", "start"}) perform(f, Json(f == std::string("resume") ? "paused" : "killed"));
    heal_notes();
  }

  std::set<std::string> fs() const override { return {"kill", "start", "pause", "resume", "corrupt-file"}; }

  Op invoke(const Op& op) override { return complete(op, OpType::kInfo, perform(op.f, op.value)); }

 private:
  void heal_notes() {
    nodes_.on_each(nodes_.names(), [](Session& s) { return Json(s.check_script(process_heal_script())); });
  }

  std::vector<std::string> targets(const Json& value, const char* fallback) {
    std::lock_guard lock(mutex_);
    return nodes_.chosen(value, fallback, rng_, {{"killed", still_in(killed_)}, {"paused", still_in(paused_)}},
                         [this] { return daemon_.primaries(nodes_.sessions()); });
  }

  // The nodes of a killed or paused set that are still so: a node powered on since runs its
  // daemon afresh (the power-on started it), and a node that is off waits for its power-on.
  std::set<std::string> still_in(std::map<std::string, int>& set) {
    std::set<std::string> nodes;
    for (auto it = set.begin(); it != set.end();) {
      if (nodes_.boots(it->first) != it->second) {
        it = set.erase(it);
        continue;
      }
      if (!nodes_.powered_off(it->first)) nodes.insert(it->first);
      ++it;
    }
    return nodes;
  }

  Json perform(const std::string& f, const Json& value) {
    if (f == "kill") {
      auto chosen = targets(value, "one");
      nodes_.on_each(chosen, [&](Session& s) {
        note(s, kKilledFile, "killed\n");
        daemon_.kill(s);
        remember(killed_, s.node(), true);
        return Json(nullptr);
      });
      return {{"killed", chosen}};
    }
    if (f == "start") {
      auto chosen = targets(value, "killed");
      nodes_.on_each(chosen, [&](Session& s) {
        daemon_.start(s);
        remember(killed_, s.node(), false);
        s.check({"rm", "-f", kKilledFile});
        return Json(nullptr);
      });
      return {{"started", chosen}};
    }
    if (f == "pause") {
      auto chosen = targets(value, "one");
      Json pids = nodes_.on_each(chosen, [&](Session& s) {
        auto before = stopped_pids(s);
        daemon_.pause(s);
        // SIGSTOP takes effect asynchronously: look again for a moment until the processes stop.
        Json paused = Json::array();
        std::string text;
        for (int look = 0; look < 20 && paused.empty(); ++look) {
          if (look > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
          for (long pid : stopped_pids(s))
            if (!before.count(pid)) paused.push_back(pid), text += std::to_string(pid) + "\n";
        }
        note(s, kPausedFile, text);
        remember(paused_, s.node(), true);
        return paused;
      });
      return {{"paused", chosen}, {"pids", pids}};
    }
    if (f == "resume") {
      auto chosen = targets(value, "paused");
      nodes_.on_each(chosen, [&](Session& s) {
        daemon_.resume(s);
        remember(paused_, s.node(), false);
        s.check({"rm", "-f", kPausedFile});
        return Json(nullptr);
      });
      return {{"resumed", chosen}};
    }
    if (f == "corrupt-file") return corrupt(value);
    fail(ErrorCode::kInternal, "process nemesis cannot do \"" + f + "\"");
  }

  Json corrupt(const Json& value) {
    auto chosen = targets(value, "one");
    OptionReader fields = fault_value("corrupt", value.is_object() ? value : Json::object(), "corrupt-file");
    std::string mode = fields.choice("mode", fields.get<std::string>("mode"), {"truncate", "bitflip"});
    int bits = fields.at_least("bits", fields.get<int>("bits"), 0);
    uint64_t op_seed = rng_.next();  // drawn here, so parallel nodes do not race for rng_
    Json done = nodes_.on_each(chosen, [&](Session& s) {
      Rng rng = Rng(op_seed).fork(s.node());
      daemon_.kill(s);
      Json files = Json::object();
      for (const auto& file : daemon_.data_files(s)) {
        ExecResult size = s.exec({"stat", "-c", "%s", file});
        if (size.exit_code != 0 || std::stoll(size.out) == 0) continue;
        int64_t bytes = std::stoll(size.out);
        if (mode == "truncate") {
          int64_t to = static_cast<int64_t>(rng.below(static_cast<uint64_t>(bytes)));
          s.check({"truncate", "-s", std::to_string(to), file});
          files[file] = {{"truncated-from", bytes}, {"truncated-to", to}};
          continue;
        }
        std::string script;
        Json flips = Json::array();
        for (int i = 0; i < bits; ++i) {
          uint64_t offset = rng.below(static_cast<uint64_t>(bytes));
          int bit = static_cast<int>(rng.below(8));
          flips.push_back({offset, bit});
          script += "b=$(od -An -tu1 -j " + std::to_string(offset) +
                    " -N1 \"$f\" | tr -d ' ')\n"
                    "printf \"$(printf '\\\\%03o' $((b ^ " +
                    std::to_string(1 << bit) + ")))\" | dd of=\"$f\" bs=1 seek=" + std::to_string(offset) +
                    " count=1 conv=notrunc 2>/dev/null\n";
        }
        s.check_script("set -e; f=" + shell_quote(file) + "\n" + script);
        files[file] = {{"flipped", flips}};
      }
      daemon_.start(s);
      return files;
    });
    return {{"mode", mode}, {"files", done}};
  }

  void remember(std::map<std::string, int>& set, const std::string& node, bool in) {
    std::lock_guard lock(mutex_);
    if (in)
      set[node] = nodes_.boots(node);
    else
      set.erase(node);
  }

  NemesisNodes nodes_;
  Daemon& daemon_;
  Rng rng_;
  std::mutex mutex_;
  std::map<std::string, int> killed_, paused_;  // node -> its boots() when the fault began
};

}  // namespace

std::string process_heal_script() {
  std::string dir = shell_quote(kNemesisStateDir);
  return "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
         "if [ -s " +
         dir +
         "/paused ]; then\n"
         "  for pid in $(cat " +
         dir +
         "/paused); do\n"
         "    case \"$(ps -o stat= -p \"$pid\" 2>/dev/null)\" in T*) kill -CONT \"$pid\" && echo \"resumed paused pid "
         "$pid\";; esac\n"
         "  done\n"
         "fi\n"
         "rm -f " +
         dir +
         "/paused\n"
         "if [ -e " +
         dir +
         "/killed ]; then\n"
         "  echo 'the target was killed by faultline and not started again: start it through its target'\n"
         "  rm -f " +
         dir +
         "/killed\n"
         "fi; true\n";
}

std::unique_ptr<Nemesis> process_nemesis(const NemesisNodes& nodes, Daemon& daemon, uint64_t seed) {
  return std::make_unique<ProcessNemesis>(nodes, daemon, seed);
}

}  // namespace faultline
