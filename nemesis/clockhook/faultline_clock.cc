// faultline-clock: per-process clock skew without touching the machine's clock or relying on libc
// interposition, so it reaches Go programs too. Runs on a node (x86-64 Linux only):
//
//   faultline-clock set DIR SECONDS   skew every process of the node by SECONDS, keep doing it for
//                                     processes started later (a watcher), note it in DIR
//   faultline-clock reset DIR         stop the watcher and restore every process's original code
//   faultline-clock measure DIR       print "PID COMM OFFSET" as each process observes its clock
//   faultline-clock watch DIR         (the watcher itself)
//
// How: the process is stopped with ptrace (every thread), made to run an mmap syscall for one page,
// and that page gets small routines that make the real clock_gettime / gettimeofday / time syscall
// and add the offset kept in a slot of the same page. The vDSO's entry points (which libc and Go's
// runtime call) are overwritten with a jump to those routines. Changing the offset only rewrites
// the slot. Restoring copies back the entry bytes from this tool's own vDSO, which is the same image
// in every process of the kernel, so no saved state is needed to heal. Only CLOCK_REALTIME (and
// _COARSE), gettimeofday and time are shifted; monotonic clocks stay real. Programs that make the
// clock syscall themselves are not reached.
//
// Which processes: on a sandbox node (its own PID namespace, sshd as pid 1) every process that is
// not sshd or started inside an SSH session, i.e. the daemons the targets start detached.
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if !defined(__x86_64__)
int main() {
  std::fprintf(stderr, "faultline-clock: per-process clock skew works on x86-64 only\n");
  return 3;
}
#else

// The page injected into each process. Offsets: 0x000 clock_gettime, 0x080 gettimeofday,
// 0x100 time, 0x180 int3 (return address of an injected call), 0x800 offset in ns (int64),
// 0x808 magic, 0x900 scratch timespec, 0xf00 stack for an injected call.
asm(R"(
  .pushsection .rodata
  .balign 4096
  .globl fl_clock_page
fl_clock_page:
  mov $228, %eax
  syscall
  test %rax, %rax
  jnz 9f
  cmp $0, %edi
  je 1f
  cmp $5, %edi
  jne 9f
1:
  mov 8(%rsi), %rax
  add fl_clock_slot(%rip), %rax
  cqo
  mov $1000000000, %rcx
  idiv %rcx
  test %rdx, %rdx
  jns 2f
  add %rcx, %rdx
  dec %rax
2:
  add %rax, (%rsi)
  mov %rdx, 8(%rsi)
  xor %eax, %eax
9:
  ret
  .org fl_clock_page + 0x80
  mov $96, %eax
  syscall
  test %rax, %rax
  jnz 9f
  test %rdi, %rdi
  jz 9f
  mov fl_clock_slot(%rip), %rax
  cqo
  mov $1000, %rcx
  idiv %rcx
  add 8(%rdi), %rax
  cqo
  mov $1000000, %rcx
  idiv %rcx
  test %rdx, %rdx
  jns 2f
  add %rcx, %rdx
  dec %rax
2:
  add %rax, (%rdi)
  mov %rdx, 8(%rdi)
  xor %eax, %eax
9:
  ret
  .org fl_clock_page + 0x100
  mov %rdi, %r8
  xor %edi, %edi
  mov $201, %eax
  syscall
  mov %rax, %r9
  mov fl_clock_slot(%rip), %rax
  cqo
  mov $1000000000, %rcx
  idiv %rcx
  test %rdx, %rdx
  jns 2f
  dec %rax
2:
  add %r9, %rax
  test %r8, %r8
  jz 9f
  mov %rax, (%r8)
9:
  ret
  .org fl_clock_page + 0x180
  int3
  .org fl_clock_page + 0x800
fl_clock_slot:
  .quad 0
  .ascii "FLCLOCK1"
  .org fl_clock_page + 0x1000
  .popsection
)");
extern "C" const unsigned char fl_clock_page[4096];

namespace {

constexpr uint64_t kPage = 4096, kSlot = 0x800, kMagic = 0x808, kTrap = 0x180, kScratch = 0x900, kStack = 0xf00;
constexpr char kMagicText[] = "FLCLOCK1";
constexpr size_t kPatchSize = 12;  // movabs rax, imm64; jmp rax

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The process exited (or exec'd into something without a vDSO) while we looked: not an error.
struct Gone : Failure {
  using Failure::Failure;
};
[[noreturn]] void failure(const std::string& what) { throw Failure(what); }
std::string errno_text() { return std::strerror(errno); }

// One patched entry: its offset in the vDSO image and the routine it jumps to.
struct Entry {
  std::string name;
  uint64_t offset;
  uint64_t routine;
};

// The entries of this kernel's vDSO, found in this tool's own (unpatched) copy, plus its bytes.
struct Vdso {
  const unsigned char* image = nullptr;
  uint64_t size = 0;
  std::vector<Entry> entries;
};

Vdso own_vdso() {
  Vdso v;
  auto base = reinterpret_cast<const unsigned char*>(getauxval(AT_SYSINFO_EHDR));
  if (!base) failure("this kernel gives processes no vDSO");
  v.image = base;
  auto eh = reinterpret_cast<const Elf64_Ehdr*>(base);
  auto ph = reinterpret_cast<const Elf64_Phdr*>(base + eh->e_phoff);
  uint64_t vaddr = UINT64_MAX;
  for (int i = 0; i < eh->e_phnum; ++i)
    if (ph[i].p_type == PT_LOAD) {
      vaddr = std::min<uint64_t>(vaddr, ph[i].p_vaddr);
      v.size = std::max<uint64_t>(v.size, ph[i].p_offset + ph[i].p_filesz);
    }
  auto sh = reinterpret_cast<const Elf64_Shdr*>(base + eh->e_shoff);
  std::map<std::string, uint64_t> routines = {{"clock_gettime", 0x000}, {"gettimeofday", 0x080}, {"time", 0x100}};
  std::set<uint64_t> seen;
  for (int i = 0; i < eh->e_shnum; ++i) {
    if (sh[i].sh_type != SHT_DYNSYM) continue;
    auto syms = reinterpret_cast<const Elf64_Sym*>(base + sh[i].sh_offset);
    auto names = reinterpret_cast<const char*>(base + sh[sh[i].sh_link].sh_offset);
    for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); ++k) {
      std::string name = names + syms[k].st_name;
      if (name.rfind("__vdso_", 0) == 0) name = name.substr(7);
      auto r = routines.find(name);
      if (r == routines.end() || syms[k].st_value == 0) continue;
      uint64_t off = syms[k].st_value - vaddr;
      if (syms[k].st_size < kPatchSize) failure("vDSO function " + name + " is too small to patch");
      if (seen.insert(off).second) v.entries.push_back({name, off, r->second});
    }
  }
  if (v.entries.empty()) failure("no clock functions in this kernel's vDSO");
  return v;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The process's memory through /proc/PID/mem (writes go through even to read-only mappings).
class Mem {
 public:
  explicit Mem(int pid) : fd_(open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDWR)) {
    if (fd_ < 0) failure("cannot open the memory of pid " + std::to_string(pid) + ": " + errno_text());
  }
  ~Mem() { close(fd_); }
  Mem(const Mem&) = delete;
  Mem& operator=(const Mem&) = delete;
  void read(uint64_t addr, void* out, size_t n) const {
    if (pread(fd_, out, n, static_cast<off_t>(addr)) != static_cast<ssize_t>(n))
      failure("cannot read tracee memory: " + errno_text());
  }
  void write(uint64_t addr, const void* in, size_t n) const {
    if (pwrite(fd_, in, n, static_cast<off_t>(addr)) != static_cast<ssize_t>(n))
      failure("cannot write tracee memory: " + errno_text());
  }

 private:
  int fd_;
};

struct Maps {
  uint64_t vdso = 0;
  std::vector<uint64_t> candidate_pages;  // anonymous one-page rwx mappings: maybe our page
};

Maps read_maps(int pid) {
  Maps m;
  std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/maps"));
  for (std::string line; std::getline(in, line);) {
    uint64_t lo = 0, hi = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
    if (line.find("[vdso]") != std::string::npos) m.vdso = lo;
    if (hi - lo == kPage && std::string(perms) == "rwxp") m.candidate_pages.push_back(lo);
  }
  return m;
}

// Where the process's injected page is (0 if none), and whether its vDSO points there.
struct Hook {
  uint64_t page = 0;
  bool patched = false;
};

Hook find_hook(const Mem& mem, const Maps& maps, const Vdso& v) {
  Hook h;
  unsigned char patch[kPatchSize];
  mem.read(maps.vdso + v.entries[0].offset, patch, kPatchSize);
  if (patch[0] == 0x48 && patch[1] == 0xb8 && patch[10] == 0xff && patch[11] == 0xe0) {
    uint64_t target;
    std::memcpy(&target, patch + 2, 8);
    h.page = target & ~(kPage - 1);
    h.patched = true;
  } else {
    for (uint64_t p : maps.candidate_pages) {
      char magic[8];
      try {
        mem.read(p + kMagic, magic, 8);
      } catch (const Failure&) {
        continue;
      }
      if (std::memcmp(magic, kMagicText, 8) == 0) h.page = p;
    }
  }
  return h;
}

// Every thread of a process stopped under ptrace for the object's lifetime.
class Stopped {
 public:
  explicit Stopped(int pid) : pid_(pid), paused_(state(pid) == 'T') {
    for (bool more = true; more;) {
      more = false;
      for (int tid : tasks()) {
        if (threads_.count(tid)) continue;
        if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) {
          if (errno == ESRCH) continue;  // the thread just exited
          detach_all();
          failure("cannot attach to pid " + std::to_string(pid) + " thread " + std::to_string(tid) + ": " +
                  errno_text());
        }
        ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
        threads_[tid] = wait_stop(tid);
        more = true;
      }
    }
    if (threads_.empty()) throw Gone("pid " + std::to_string(pid) + " has no threads to attach to");
  }
  ~Stopped() { detach_all(); }
  Stopped(const Stopped&) = delete;
  Stopped& operator=(const Stopped&) = delete;

  // Any thread's registers, to check none is inside a range about to be rewritten.
  std::vector<uint64_t> pcs() const {
    std::vector<uint64_t> out;
    for (const auto& [tid, sig] : threads_) {
      user_regs_struct r;
      if (ptrace(PTRACE_GETREGS, tid, nullptr, &r) == 0) out.push_back(r.rip);
    }
    return out;
  }

  // Runs the code at `rip` in one thread with the given registers until it stops at `stop_at`
  // (a syscall's end or the trap), then puts the thread's registers back. Returns rax.
  uint64_t run(user_regs_struct regs, uint64_t stop_at, bool single_step) {
    int tid = threads_.count(pid_) ? pid_ : threads_.begin()->first;
    user_regs_struct saved;
    if (ptrace(PTRACE_GETREGS, tid, nullptr, &saved) != 0) failure("cannot read registers: " + errno_text());
    regs.orig_rax = static_cast<uint64_t>(-1);  // no syscall restart on the way out of the stop
    regs.cs = saved.cs;
    regs.ss = saved.ss;
    regs.fs_base = saved.fs_base;
    regs.gs_base = saved.gs_base;
    regs.eflags = saved.eflags & ~0x100UL;
    if (ptrace(PTRACE_SETREGS, tid, nullptr, &regs) != 0) failure("cannot set registers: " + errno_text());
    user_regs_struct now = regs;
    for (int tries = 0; tries < 1000; ++tries) {
      if (ptrace(single_step ? PTRACE_SINGLESTEP : PTRACE_CONT, tid, nullptr, nullptr) != 0)
        failure("cannot resume: " + errno_text());
      int status = 0;
      if (waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status))
        failure("the tracee died during an injected call");
      ptrace(PTRACE_GETREGS, tid, nullptr, &now);
      int sig = WSTOPSIG(status);
      if (sig == SIGTRAP && (single_step || now.rip == stop_at)) break;
      // Another signal arrived first: deliver it later, go on.
      if (sig != SIGTRAP && (status >> 16) == 0) threads_[tid] = sig;
      if (single_step && now.rip == stop_at) break;
    }
    if (now.rip != stop_at) {
      ptrace(PTRACE_SETREGS, tid, nullptr, &saved);
      failure("an injected call did not finish where expected");
    }
    if (ptrace(PTRACE_SETREGS, tid, nullptr, &saved) != 0) failure("cannot restore registers: " + errno_text());
    return now.rax;
  }

 private:
  std::vector<int> tasks() const {
    std::vector<int> out;
    DIR* d = opendir(("/proc/" + std::to_string(pid_) + "/task").c_str());
    if (!d) return out;
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(std::atoi(e->d_name));
    closedir(d);
    return out;
  }
  // Waits for the thread's stop; returns a signal to deliver at detach (0 for our own stop).
  static int wait_stop(int tid) {
    int status = 0;
    if (waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status)) return 0;
    if ((status >> 16) == PTRACE_EVENT_STOP) return 0;
    return WSTOPSIG(status);
  }
  void detach_all() {
    for (const auto& [tid, sig] : threads_)
      ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
    // A paused (SIGSTOPped) process that ran an injected call may come out running: pause it again.
    if (!threads_.empty() && paused_) kill(pid_, SIGSTOP);
    threads_.clear();
  }
  static char state(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
  }

  int pid_;
  bool paused_;
  std::map<int, int> threads_;  // tid -> signal to deliver at detach
};

// A `syscall` instruction in the vDSO (its fallback paths have some).
uint64_t syscall_in_vdso(const Vdso& v, uint64_t base) {
  for (uint64_t i = 0; i + 1 < v.size; ++i)
    if (v.image[i] == 0x0f && v.image[i + 1] == 0x05) return base + i;
  failure("no syscall instruction in the vDSO");
}

uint64_t inject_page(Stopped& stopped, const Mem& mem, const Vdso& v, uint64_t vdso) {
  user_regs_struct r{};
  uint64_t sc = syscall_in_vdso(v, vdso);
  r.rip = sc;
  r.rax = SYS_mmap;
  r.rdi = 0;
  r.rsi = kPage;
  r.rdx = PROT_READ | PROT_WRITE | PROT_EXEC;
  r.r10 = MAP_PRIVATE | MAP_ANONYMOUS;
  r.r8 = static_cast<uint64_t>(-1);
  r.r9 = 0;
  uint64_t page = stopped.run(r, sc + 2, true);
  if (static_cast<int64_t>(page) < 0 && static_cast<int64_t>(page) > -4096)
    failure("mmap in the tracee failed: " + std::string(std::strerror(static_cast<int>(-static_cast<int64_t>(page)))));
  mem.write(page, fl_clock_page, kPage);
  return page;
}

bool overlaps(const std::vector<uint64_t>& pcs, uint64_t lo, uint64_t n) {
  for (uint64_t pc : pcs)
    if (pc > lo && pc < lo + n) return true;
  return false;
}

int64_t read_offset_ns(const std::string& dir) {
  std::ifstream in(dir + "/clock-skew");
  long long ns = 0;
  if (!(in >> ns)) return 0;
  return ns;
}

// Skews the process by `ns` (patching it first if needed). Returns whether it was patched now.
bool apply(int pid, const Vdso& v, int64_t ns) {
  Maps maps = read_maps(pid);
  if (!maps.vdso) throw Gone("pid " + std::to_string(pid) + " has no vDSO");
  Mem mem(pid);
  Hook h = find_hook(mem, maps, v);
  if (h.patched) {
    mem.write(h.page + kSlot, &ns, 8);
    return false;
  }
  for (int attempt = 0;; ++attempt) {
    Stopped stopped(pid);
    auto pcs = stopped.pcs();
    bool busy = false;
    for (const auto& e : v.entries) busy = busy || overlaps(pcs, maps.vdso + e.offset, kPatchSize);
    if (busy && attempt < 20) continue;  // a thread is inside an entry's first bytes: let it run on
    if (busy) failure("pid " + std::to_string(pid) + " stays inside a vDSO clock function");
    if (!h.page) h.page = inject_page(stopped, mem, v, maps.vdso);
    mem.write(h.page + kSlot, &ns, 8);
    for (const auto& e : v.entries) {
      unsigned char patch[kPatchSize] = {0x48, 0xb8};
      uint64_t target = h.page + e.routine;
      std::memcpy(patch + 2, &target, 8);
      patch[10] = 0xff;
      patch[11] = 0xe0;
      mem.write(maps.vdso + e.offset, patch, kPatchSize);
    }
    return true;
  }
}

// Puts the original vDSO bytes back. Returns whether the process was patched.
bool restore(int pid, const Vdso& v) {
  Maps maps = read_maps(pid);
  if (!maps.vdso) return false;
  Mem mem(pid);
  Hook h = find_hook(mem, maps, v);
  if (!h.patched) return false;
  Stopped stopped(pid);
  for (const auto& e : v.entries) mem.write(maps.vdso + e.offset, v.image + e.offset, kPatchSize);
  int64_t zero = 0;
  mem.write(h.page + kSlot, &zero, 8);  // a thread still inside the routine reads real time too
  return true;
}

// The offset the process observes: it is made to call its own vDSO clock_gettime(CLOCK_REALTIME)
// once, compared with this tool's (real) clock read around it.
double observe(int pid, const Vdso& v) {
  Maps maps = read_maps(pid);
  if (!maps.vdso) throw Gone("pid " + std::to_string(pid) + " has no vDSO");
  Mem mem(pid);
  Hook h = find_hook(mem, maps, v);
  Stopped stopped(pid);
  if (!h.page) h.page = inject_page(stopped, mem, v, maps.vdso);
  uint64_t entry = 0;
  for (const auto& e : v.entries)
    if (e.name == "clock_gettime") entry = maps.vdso + e.offset;
  if (!entry) failure("no clock_gettime in the vDSO");
  uint64_t ret = h.page + kTrap;
  mem.write(h.page + kStack, &ret, 8);
  user_regs_struct r{};
  r.rip = entry;
  r.rsp = h.page + kStack;
  r.rdi = CLOCK_REALTIME;
  r.rsi = h.page + kScratch;
  timespec before, after, seen;
  clock_gettime(CLOCK_REALTIME, &before);
  uint64_t rc = stopped.run(r, ret + 1, false);
  clock_gettime(CLOCK_REALTIME, &after);
  if (rc != 0)
    failure("clock_gettime in pid " + std::to_string(pid) + " returned " + std::to_string(static_cast<int64_t>(rc)));
  mem.read(h.page + kScratch, &seen, sizeof seen);
  auto secs = [](const timespec& t) { return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9; };
  return secs(seen) - (secs(before) + secs(after)) / 2;
}

std::string comm(int pid) {
  std::string c = read_text("/proc/" + std::to_string(pid) + "/comm");
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

int parent(int pid) {
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  int ppid = 0;
  char state;
  std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid);
  return ppid;
}

// The node's processes to skew: not pid 1, not sshd, not inside an SSH session, not this tool,
// not kernel threads (no vDSO).
std::vector<int> node_processes() {
  std::vector<int> out;
  DIR* d = opendir("/proc");
  if (!d) failure("cannot list /proc");
  int self = getpid();
  while (dirent* e = readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 1 || pid == self) continue;
    bool ok = true;
    for (int p = pid, hops = 0; p > 1 && hops < 64; p = parent(p), ++hops) {
      std::string c = comm(p);
      if (c.empty() || c == "sshd" || c == "faultline-clock") ok = false;
      if (!ok) break;
    }
    if (!ok) continue;
    std::string maps = read_text("/proc/" + std::to_string(pid) + "/maps");
    if (maps.find("[vdso]") == std::string::npos) continue;
    out.push_back(pid);
  }
  closedir(d);
  return out;
}

// Serialises this tool's runs on a node, so two never trace one process at once.
class Lock {
 public:
  explicit Lock(const std::string& dir)
      : fd_((mkdir(dir.c_str(), 0755), open((dir + "/clock.lock").c_str(), O_CREAT | O_RDWR, 0644))) {
    if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) failure("cannot lock " + dir + "/clock.lock: " + errno_text());
  }
  ~Lock() { close(fd_); }

 private:
  int fd_;
};

std::string starttime(int pid) {
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  std::istringstream in(close == std::string::npos ? "" : stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && in >> field; ++i)
    if (i == 22) return field;
  return "";
}

void stop_watcher(const std::string& dir) {
  std::ifstream in(dir + "/clock-watcher.pid");
  int pid = 0;
  if (in >> pid && pid > 1 && comm(pid) == "faultline-clock") kill(pid, SIGKILL);
  unlink((dir + "/clock-watcher.pid").c_str());
}

// Skews processes the node starts later: looks every 50 ms while the offset file exists.
int watch(const std::string& dir, const Vdso& v) {
  std::set<std::string> done;  // "pid/starttime"
  std::map<std::string, int> failures;
  while (access((dir + "/clock-skew").c_str(), F_OK) == 0) {
    {
      Lock lock(dir);
      int64_t ns = read_offset_ns(dir);
      for (int pid : node_processes()) {
        std::string key =
            std::to_string(pid) + "/" + starttime(pid) + "/" + std::to_string(read_maps(pid).vdso);  // new after exec
        if (done.count(key) || failures[key] > 20) continue;
        try {
          apply(pid, v, ns);
          done.insert(key);
        } catch (const Gone&) {
        } catch (const Failure& e) {
          if (++failures[key] > 20) std::fprintf(stderr, "faultline-clock watch: %s\n", e.what());
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

void start_watcher(const std::string& dir, const char* self) {
  std::ifstream in(dir + "/clock-watcher.pid");
  int pid = 0;
  if (in >> pid && pid > 1 && comm(pid) == "faultline-clock") return;
  pid_t child = fork();
  if (child < 0) failure("cannot fork the watcher: " + errno_text());
  if (child == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    int log = open((dir + "/clock-watcher.log").c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644);
    dup2(log >= 0 ? log : null, 2);
    {
      std::ofstream out(dir + "/clock-watcher.pid");
      out << getpid() << "\n";
    }
    execl(self, "faultline-clock", "watch", dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  waitpid(child, nullptr, 0);
  for (int i = 0; i < 100 && access((dir + "/clock-watcher.pid").c_str(), F_OK) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

int usage() {
  std::fprintf(stderr, "usage: faultline-clock set DIR SECONDS | reset DIR | measure DIR | watch DIR\n");
  return 2;
}

int run(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string cmd = argv[1];
  Vdso v = own_vdso();
  if (cmd == "set" && argc == 4) {
    std::string dir = argv[2];
    char* end = nullptr;
    double seconds = std::strtod(argv[3], &end);
    if (*end || !std::isfinite(seconds)) return usage();
    int64_t ns = std::llround(seconds * 1e9);
    {
      std::ofstream out(dir + "/clock-skew.new");
      out << ns << "\n";
    }
    if (rename((dir + "/clock-skew.new").c_str(), (dir + "/clock-skew").c_str()) != 0)
      failure("cannot write " + dir + "/clock-skew: " + errno_text());
    int patched = 0, updated = 0, failed = 0;
    {
      Lock lock(dir);
      for (int pid : node_processes()) {
        try {
          (apply(pid, v, ns) ? patched : updated)++;
        } catch (const Gone&) {
        } catch (const Failure& e) {
          if (access(("/proc/" + std::to_string(pid)).c_str(), F_OK) != 0) continue;  // exited meanwhile
          std::fprintf(stderr, "%s\n", e.what());
          ++failed;
        }
      }
    }
    char self[4096] = {};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) failure("cannot find this program: " + errno_text());
    start_watcher(dir, self);
    std::printf("offset %+.9f s: %d processes patched, %d updated, %d failed\n", ns / 1e9, patched, updated, failed);
    return failed ? 1 : 0;
  }
  if (cmd == "reset" && argc == 3) {
    std::string dir = argv[2];
    unlink((dir + "/clock-skew").c_str());
    stop_watcher(dir);
    Lock lock(dir);
    int failed = 0;
    for (int pid : node_processes()) {
      try {
        if (restore(pid, v)) std::printf("restored the vDSO clock of pid %d (%s)\n", pid, comm(pid).c_str());
      } catch (const Gone&) {
      } catch (const Failure& e) {
        if (access(("/proc/" + std::to_string(pid)).c_str(), F_OK) != 0) continue;
        std::fprintf(stderr, "%s\n", e.what());
        ++failed;
      }
    }
    return failed ? 1 : 0;
  }
  if (cmd == "measure" && argc == 3) {
    Lock lock(argv[2]);
    for (int pid : node_processes()) {
      try {
        double off = observe(pid, v);
        std::printf("%d %s %+.6f\n", pid, comm(pid).c_str(), off);
      } catch (const Gone&) {
      } catch (const Failure& e) {
        if (access(("/proc/" + std::to_string(pid)).c_str(), F_OK) != 0) continue;
        std::fprintf(stderr, "%s\n", e.what());
      }
    }
    return 0;
  }
  if (cmd == "watch" && argc == 3) return watch(argv[2], v);
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faultline-clock: %s\n", e.what());
    return 1;
  }
}

#endif
