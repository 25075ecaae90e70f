#include "nemesis/clock.h"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "harness/control/clock_launch.h"
#include "harness/control/node_check.h"
#include "harness/control/node_layout.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "nemesis/fault_table.h"
#include "nemesis/process.h"

namespace faultline {

namespace {

const std::string kClockOffsetFile = kNemesisStateDir + "/clock-offset";
const std::string kNtpStoppedFile = kNemesisStateDir + "/ntp-stopped";

std::string seconds_text(double s) { return fmt::format("{:+.6f}", s); }

// Shell: prints $1 + $2 (decimal seconds, either may carry a sign) with a sign.
constexpr const char* kAdd = "add() { awk -v a=\"$1\" -v b=\"$2\" 'BEGIN { printf \"%+.6f\\n\", a + b }'; }\n";

// Sandbox scripts: the offset file is replaced atomically, so libfaketime never reads half a line.
std::string faketime_script(const std::string& body) {
  return std::string(kAdd) + "mkdir -p " + shell_quote(kNemesisStateDir) + "\nf=" + shell_quote(kFaketimeFile) +
         "\nput() { printf '%s\\n' \"$1\" > \"$f.new\" && mv \"$f.new\" \"$f\"; }\n"
         "base=$(cat \"$f\" 2>/dev/null || echo 0)\n" +
         body;
}

// Real-host scripts: NTP stopped first (once, noting what was stopped), the clock stepped with
// date -s and the total applied offset noted.
std::string system_clock_script(const std::string& body) {
  std::string dir = shell_quote(kNemesisStateDir), ntp = shell_quote(kNtpStoppedFile);
  return std::string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; set -e\n") + kAdd +
         "mkdir -p " + dir +
         "\n"
         "if [ ! -e " +
         ntp +
         " ]; then\n"
         "  : > " +
         ntp +
         "\n"
         "  for s in ntp ntpd ntpsec chrony chronyd systemd-timesyncd openntpd; do\n"
         "    if systemctl is-active --quiet \"$s\" 2>/dev/null; then systemctl stop \"$s\"; echo \"$s\" >> " +
         ntp +
         "; fi\n"
         "  done\n"
         // Without systemd (busybox, OpenRC, VM nodes) the daemons themselves, by name: each
         // command line is noted to start it again, and it must be gone before the clock steps.
         "  for p in $(pgrep -x 'chronyd|ntpd|systemd-timesyncd|openntpd' || true); do\n"
         "    printf 'exec' >> " +
         ntp + "; xargs -0 printf \" '%s'\" < /proc/$p/cmdline >> " + ntp + "; echo >> " + ntp +
         "\n"
         "    kill \"$p\"; i=0; while kill -0 \"$p\" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done\n"
         "  done\n"
         "fi\n"
         "o=" +
         shell_quote(kClockOffsetFile) +
         "\n"
         // Relative to the moment date itself reads the clock: computing an absolute time first
         // would lose the time awk and date take to start (a second on a loaded VM).
         "step() { date -s \"$1 seconds\" >/dev/null; }\n"
         "base=$(cat \"$o\" 2>/dev/null || echo 0)\n" +
         body;
}

// Ptrace scripts: the helper keeps the offset (ns) in skew_file(); $base is it in seconds.
std::string skew_file() { return kNemesisStateDir + "/clock-skew"; }

std::string ptrace_script(const std::string& body) {
  return std::string(kAdd) + "mkdir -p " + shell_quote(kNemesisStateDir) + "\nh=" + shell_quote(kNodeClockHelper) +
         "\nd=" + shell_quote(kNemesisStateDir) +
         "\nput() { \"$h\" set \"$d\" \"$1\" >/dev/null; }\n"
         "base=$(awk '{ printf \"%+.9f\", $1 / 1e9 }' " +
         shell_quote(skew_file()) +
         " 2>/dev/null)\n"
         "[ -n \"$base\" ] || base=+0\n" +
         body;
}

std::string bump_script(ClockBackend backend, double delta) {
  std::string d = seconds_text(delta);
  if (backend == ClockBackend::kPtrace) return ptrace_script("put \"$(add \"$base\" " + d + ")\"\n");
  if (backend == ClockBackend::kFaketime) return faketime_script("put \"$(add \"$base\" " + d + ")\"\n");
  return system_clock_script("step " + d + "\nadd \"$base\" " + d + " > \"$o\"\n");
}

std::string strobe_script(ClockBackend backend, double delta, double period_s, int flips) {
  std::string d = seconds_text(delta), minus = seconds_text(-delta), p = seconds_text(period_s).substr(1);
  std::string loop = "i=0\nwhile [ $i -lt " + std::to_string(flips) + " ]; do\n";
  if (backend == ClockBackend::kPtrace)
    return ptrace_script("high=$(add \"$base\" " + d + ")\n" + loop + "  put \"$high\"; sleep " + p +
                         "; put \"$base\"; sleep " + p + "; i=$((i + 1))\ndone\n");
  if (backend == ClockBackend::kFaketime)
    return faketime_script("high=$(add \"$base\" " + d + ")\n" + loop + "  put \"$high\"; sleep " + p +
                           "; put \"$base\"; sleep " + p + "; i=$((i + 1))\ndone\n");
  return system_clock_script(loop + "  step " + d + "; sleep " + p + "; step " + minus + "; sleep " + p +
                             "; i=$((i + 1))\ndone\n");
}

std::string reset_script(ClockBackend backend) {
  if (backend == ClockBackend::kFaketime) return faketime_script("put +0\n");
  return clock_heal_script(false);
}

// "PID COMM OFFSET" lines of `faultline-clock measure`, as {"PID COMM": offset}.
Json parse_observed(const std::string& out) {
  Json seen = Json::object();
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string pid, comm;
    double offset;
    if (words >> pid >> comm >> offset) seen[pid + " " + comm] = offset;
  }
  return seen;
}

// Undoing faultline's own steps leaves whatever the clock drifted meanwhile (a loaded VM's clock
// lags by seconds; NTP, if restarted, takes minutes to slew it back), so reset steps each node by
// the offset the controller measures, until it is within 20 ms. Returns the total step.
double align_system_clock(Session& node) {
  double stepped = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    double offset = clock_offset(node, "", 5);
    if (std::abs(offset) <= 0.02) break;
    node.check_script("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\ndate -s \"" +
                      seconds_text(-offset) + " seconds\" >/dev/null");
    stepped -= offset;
  }
  return std::round(stepped * 1000) / 1000;
}

class ClockNemesis : public Nemesis {
 public:
  ClockNemesis(NemesisNodes nodes, ClockBackend backend, uint64_t seed)
      : nodes_(std::move(nodes)), backend_(backend), rng_(Rng(seed).fork("clock-nemesis")) {}

  void preflight() override {
    if (backend_ == ClockBackend::kPtrace) {
      std::string helper = clock_helper_path();
      if (!std::filesystem::is_regular_file(helper))
        fail(ErrorCode::kNotFound,
             "clock faults on the sandbox need the helper " + helper + ": build the faultline-clock target");
      nodes_.on_each(nodes_.names(), [&](Session& s) {
        std::string arch = s.check({"uname", "-m"});
        while (!arch.empty() && arch.back() == '\n') arch.pop_back();
        if (arch != "x86_64")
          fail(ErrorCode::kBadInput,
               "clock faults on sandbox nodes reach processes through ptrace on x86-64 only, and " + s.node() + " is " +
                   arch + ": use VM or real-host nodes, whose system clock is stepped");
        // Nodes do not see every path of the controller (their /tmp and /root are their own), so
        // the helper goes into node storage; renamed into place, as a watcher may be running it.
        std::string staged = kNodeClockHelper + ".new";
        s.check({"mkdir", "-p", std::filesystem::path(kNodeClockHelper).parent_path().string()});
        s.upload(helper, staged);
        s.check({"sh", "-c", "chmod 755 \"$0\" && mv -f \"$0\" \"$1\"", staged, kNodeClockHelper});
        return Json(nullptr);
      });
    }
    if (backend_ == ClockBackend::kFaketime) {
      nodes_.on_each(nodes_.names(), [](Session& s) {
        if (s.exec({"test", "-r", kLibFaketime}).exit_code != 0)
          fail(ErrorCode::kNotFound, std::string("clock faults on the sandbox need libfaketime on ") + s.node() + " (" +
                                         kLibFaketime + "): install the Debian package libfaketime");
        return Json(nullptr);
      });
    }
  }

  // Only now, with the target started, can it be seen whether it has processes to skew.
  void setup() override {
    if (backend_ == ClockBackend::kPtrace) {
      Json found = nodes_.on_each(nodes_.names(), [&](Session& s) {
        return Json(parse_observed(s.check({kNodeClockHelper, "measure", kNemesisStateDir})).size());
      });
      bool any = false;
      for (const auto& [node, n] : found.items()) any = any || n.get<size_t>() > 0;
      if (!any)
        fail(ErrorCode::kBadInput,
             "clock faults on the sandbox skew the target's processes, and this target started none on any "
             "node: use a target with daemons on the nodes, or VM or real-host nodes");
    }
    teardown();
  }

  void teardown() override {
    nodes_.on_each(nodes_.names(), [](Session& s) { return Json(s.check_script(clock_heal_script())); });
  }

  std::set<std::string> fs() const override { return {"bump-clock", "strobe-clock", "reset-clock"}; }

  Op invoke(const Op& op) override {
    const Json& v = op.value.is_object() ? op.value : Json::object();
    Json done = v;
    std::vector<std::string> chosen;
    if (op.f == "reset-clock") {
      chosen = nodes_.select(v.value("nodes", Json("all")), rng_);
      run(chosen, reset_script(backend_));
      if (backend_ == ClockBackend::kSystem) {
        // NTP starts again only once the clock is aligned, so the two never step it together.
        done["aligned"] = nodes_.on_each(chosen, [](Session& s) { return Json(align_system_clock(s)); });
        done["ntp-restarted"] =
            nodes_.on_each(chosen, [](Session& s) { return Json(s.check_script(ntp_restart_script())); });
      }
    } else {
      OptionReader fields = fault_value("clock", v, op.f);
      chosen = nodes_.select(fields.get<Json>("nodes"), rng_);
      double delta = fields.get<double>("delta", 0.0);
      if (!std::isfinite(delta) || delta == 0)
        fail(ErrorCode::kBadInput, op.f + " needs a non-zero \"delta\" in seconds, got " + v.dump());
      if (op.f == "bump-clock") {
        run(chosen, bump_script(backend_, delta));
      } else {
        double period = fields.get<double>("period-ms") / 1000, duration = fields.get<double>("duration");
        if (period <= 0 || duration <= 0)
          fail(ErrorCode::kBadInput, "strobe-clock needs positive \"period-ms\" and \"duration\"");
        run(chosen, strobe_script(backend_, delta, period, std::max(1, static_cast<int>(duration / period / 2))));
      }
    }
    done["nodes"] = chosen;
    if (backend_ == ClockBackend::kPtrace) {
      // What the target's processes see, each read through its own (patched or not) vDSO.
      Json observed = nodes_.on_each(nodes_.names(), [](Session& s) {
        return parse_observed(s.check({kNodeClockHelper, "measure", kNemesisStateDir}));
      });
      Json offsets = Json::object();
      for (const auto& [node, seen] : observed.items()) {
        std::vector<double> v;
        for (const auto& [proc, off] : seen.items()) v.push_back(off.get<double>());
        std::sort(v.begin(), v.end());
        offsets[node] = v.empty() ? Json(nullptr) : Json(std::round(v[v.size() / 2] * 1000) / 1000);
      }
      done["clock-offsets"] = offsets;
      done["clock-observed"] = observed;
    } else {
      bool faketime = backend_ == ClockBackend::kFaketime;
      done["clock-offsets"] =
          nodes_.on_each(nodes_.names(), [faketime](Session& s) { return Json(measure_clock_offset(s, faketime)); });
    }
    Op completed = op;
    completed.type = OpType::kInfo;
    completed.value = std::move(done);
    return completed;
  }

 private:
  void run(const std::vector<std::string>& chosen, const std::string& script) {
    nodes_.on_each(chosen, [&](Session& s) { return Json(s.check_script(script)); });
  }

  NemesisNodes nodes_;
  ClockBackend backend_;
  Rng rng_;
};

}  // namespace

ClockBackend clock_backend_for(bool sandbox, const Json& nemesis_options) {
  if (!sandbox) return ClockBackend::kSystem;
  Json clock = nemesis_options.is_object() && nemesis_options.contains("clock") ? nemesis_options["clock"] : Json();
  std::string backend = OptionReader(clock, "nemesis option", "clock.").get<std::string>("backend", "ptrace");
  if (backend == "ptrace") return ClockBackend::kPtrace;
  if (backend == "faketime") return ClockBackend::kFaketime;
  fail(ErrorCode::kBadInput,
       "nemesis option clock.backend must be \"ptrace\" or \"faketime\", got \"" + backend + "\"");
}

const std::string kNodeClockHelper = std::string(kNodeStorage) + "/bin/faultline-clock";

std::string clock_helper_path() {
  if (const char* p = std::getenv("FAULTLINE_CLOCK_HELPER")) return p;
#ifdef FAULTLINE_CLOCK_HELPER
  return FAULTLINE_CLOCK_HELPER;
#else
  return "faultline-clock";
#endif
}

std::string clock_heal_script(bool restart_ntp) {
  std::string f = shell_quote(kFaketimeFile), o = shell_quote(kClockOffsetFile);
  std::string h = shell_quote(kNodeClockHelper), d = shell_quote(kNemesisStateDir);
  return std::string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n") + kAdd +
         // ptrace backend: the helper restores every patched process's vDSO, offset file or not.
         "if [ -x " + h +
         " ] && [ \"$(uname -m)\" = x86_64 ]; then\n"
         "  if [ -e " +
         shell_quote(skew_file()) + " ]; then echo \"reset ptrace clock offset $(cat " + shell_quote(skew_file()) +
         ") ns\"; fi\n"
         "  mkdir -p " +
         d + " && " + h + " reset " + d +
         "\n"
         "fi\n" +
         "if [ -e " + f +
         " ]; then\n"
         "  off=$(cat " +
         f +
         ")\n"
         "  awk -v o=\"$off\" 'BEGIN { exit !(o + 0 != 0) }' && echo \"reset faketime offset $off\"\n"
         "  printf '+0\\n' > " +
         f + ".new && mv " + f + ".new " + f +
         "\n"
         "fi\n"
         "if [ -e " +
         o +
         " ]; then\n"
         "  off=$(cat " +
         o +
         ")\n"
         "  date -s \"$(awk -v o=\"$off\" 'BEGIN { printf \"%+.6f\", -o }') seconds\" >/dev/null\n"
         "  echo \"stepped the system clock back by $off s\"; rm -f " +
         o +
         "\n"
         "fi\n"
         "true\n" +
         (restart_ntp ? ntp_restart_script() : std::string());
}

std::string ntp_restart_script() {
  std::string ntp = shell_quote(kNtpStoppedFile);
  return "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
         "if [ -e " +
         ntp +
         " ]; then\n"
         "  while read -r s rest; do\n"
         "    case \"$s\" in\n"
         "      exec) setsid -f sh -c \"exec $rest\" </dev/null >/dev/null 2>&1 && echo \"restarted $rest\" ;;\n"
         "      ?*) systemctl start \"$s\" && echo \"restarted $s\" ;;\n"
         "    esac\n"
         "  done < " +
         ntp +
         "\n"
         "  rm -f " +
         ntp +
         "\n"
         "fi; true\n";
}

std::unique_ptr<Nemesis> clock_nemesis(const NemesisNodes& nodes, ClockBackend backend, uint64_t seed) {
  return std::make_unique<ClockNemesis>(nodes, backend, seed);
}

double measure_clock_offset(Session& node, bool faketime) {
  return clock_offset(node, faketime ? faketime_prefix() : std::string());
}

}  // namespace faultline
