// SSH sessions on libssh2. One connection per node, shared by up to max_channels commands at once:
// libssh2 is not thread-safe, so every libssh2 call on a connection holds its mutex, the socket is
// non-blocking, and threads wait on the socket without the lock.
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>
#include <tuple>
#include <type_traits>

#include "harness/control/base64.h"
#include "harness/control/fan_out.h"
#include "harness/control/remote.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"

namespace faultline {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The connection broke; `started` says whether the command may already have run on the node.
struct TransportFailure {
  std::string message;
  bool started;
};

// Time the node gets beyond a command's timeout to kill it and report back (timeout -k 2).
constexpr milliseconds kKillGrace{3000};
// How long a session keeps trying to reconnect to a node that went away.
constexpr milliseconds kReconnectWindow{10000};
constexpr int kAttempts = 3;

// The fast path: a long-lived bash per channel that runs the commands sent to it, which saves
// sshd's fork and login shell per command (about 10 ms -> 2 ms). A frame is "<size> <marker>
// <timeout s>\n<script>"; the script runs under sh in its own process group (set -m) with stdin
// from /dev/null, is killed with that group when the timeout passes (`read -t` on a pipe nobody
// writes is a sleep without a process), and is followed by "\n<marker> <exit code>\n" on stdout
// and "\n<marker>\n" on stderr. bash's own job messages go to /dev/null (fd 2); commands get fd 3.
constexpr const char* kRunnerLoop =
    "LC_ALL=C; exec 3>&2 2>/dev/null 4<> <(:); set -m; printf 'ready\\n'\n"
    "while IFS=' ' read -r n m t && IFS= read -r -N \"$n\" s; do\n"
    "  a=$EPOCHREALTIME\n"
    "  sh -c \"$s\" </dev/null 2>&3 & p=$!\n"
    "  (read -r -t \"$t\" -u 4; kill -KILL -- -\"$p\") </dev/null >/dev/null & w=$!\n"
    "  wait \"$p\"; c=$?\n"
    "  kill -KILL -- -\"$w\"\n"
    "  printf '\\n%s %d %s %s\\n' \"$m\" \"$c\" \"$a\" \"$EPOCHREALTIME\"; printf '\\n%s\\n' \"$m\" >&3\n"
    "done\n";

// OpenSSH's fingerprint form: SHA256:<base64 without padding>.
std::string fingerprint(const unsigned char* sha256) {
  std::string text = base64_encode(std::string(reinterpret_cast<const char*>(sha256), 32));
  while (!text.empty() && text.back() == '=') text.pop_back();
  return "SHA256:" + text;
}

// The fingerprint of a base64 key blob as stored in known_hosts.
std::string fingerprint_of_base64_key(const char* key) {
  std::string blob(std::strlen(key), '\0');
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(blob.data()), reinterpret_cast<const unsigned char*>(key),
                             static_cast<int>(blob.size()));
  if (size < 0) return "an unreadable key";
  for (const char* end = key + std::strlen(key); end > key && end[-1] == '='; --end) --size;
  unsigned char digest[32];
  unsigned int digest_size = 0;
  EVP_Digest(blob.data(), size, digest, &digest_size, EVP_sha256(), nullptr);
  return fingerprint(digest);
}

int known_host_key_type(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
  }
}

int signal_number(const std::string& name) {
  static const std::map<std::string, int> numbers = {
      {"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"ABRT", 6},  {"FPE", 8},  {"KILL", 9},
      {"SEGV", 11}, {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15}, {"USR1", 10}, {"USR2", 12}};
  auto it = numbers.find(name);
  return it == numbers.end() ? 0 : it->second;
}

std::string last_error(LIBSSH2_SESSION* ssh) {
  char* message = nullptr;
  libssh2_session_last_error(ssh, &message, nullptr, 0);
  return message ? message : "unknown libssh2 error";
}

std::string home_path(const std::string& relative) {
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") + "/" + relative;
}

// known_hosts files are read and appended under one lock, so accept-new from many sessions at
// once records every host.
std::mutex& known_hosts_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct Connection {
  int fd = -1;
  LIBSSH2_SESSION* ssh = nullptr;
  std::mutex mutex;  // guards every libssh2 call on ssh
  std::atomic<bool> broken{false};
  std::atomic<int> users{0};                   // calls in flight; with more than one, data for a waiting
                                               // thread may already have been read by another
  std::vector<LIBSSH2_CHANNEL*> idle_runners;  // guarded by mutex, like the two below
  bool runners_unavailable = false;            // the node has no bash: one channel per command
  uint64_t frames_sent = 0;

  ~Connection() {
    if (ssh) {
      libssh2_session_disconnect(ssh, "bye");
      libssh2_session_free(ssh);
    }
    if (fd >= 0) close(fd);
  }

  // Calls f() under the lock until it stops answering EAGAIN or the deadline passes (then the
  // EAGAIN answer is returned). Works for int answers and for pointer answers (null + EAGAIN).
  template <class F>
  auto call(F f, Clock::time_point deadline) {
    users++;
    for (;;) {
      std::unique_lock lock(mutex);
      auto answer = f();
      if (status(answer) != LIBSSH2_ERROR_EAGAIN || !wait(lock, deadline)) {
        users--;
        return answer;
      }
    }
  }

  template <class T>
  int status(T answer) {
    if constexpr (std::is_pointer_v<T>)
      return answer ? 0 : libssh2_session_last_errno(ssh);
    else
      return static_cast<int>(answer);
  }

  // Releases the lock and waits until the socket is ready in the direction libssh2 needs;
  // false once the deadline has passed.
  bool wait(std::unique_lock<std::mutex>& lock, Clock::time_point deadline) {
    int directions = libssh2_session_block_directions(ssh);
    int next_keepalive = 0;
    libssh2_keepalive_send(ssh, &next_keepalive);
    lock.unlock();
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd ready{fd, 0, 0};
    if (directions & LIBSSH2_SESSION_BLOCK_INBOUND) ready.events |= POLLIN;
    if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) ready.events |= POLLOUT;
    if (ready.events == 0) ready.events = POLLIN;
    long slice = users > 1 ? 1 : 200;
    poll(&ready, 1, static_cast<int>(std::min<long>(left, slice)));
    return true;
  }
};

std::string address_of(const NodeSpec& node) {
  bool v6 = node.host.find(':') != std::string::npos;
  return (v6 ? "[" + node.host + "]" : node.host) + ":" + std::to_string(node.port);
}

// A connected TCP socket with TCP_NODELAY (else every channel open stalls ~45 ms on Nagle vs
// delayed ACK) and keepalive, so dead peers are noticed.
int connect_socket(const NodeSpec& node, const std::string& label) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int resolved = getaddrinfo(node.host.c_str(), std::to_string(node.port).c_str(), &hints, &found);
  if (resolved != 0) {
    fail(ErrorCode::kUnavailable, label + ": cannot resolve host: " + gai_strerror(resolved));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  std::string problem = "no address";
  bool timed_out = false;
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int error = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd ready{fd, POLLOUT, 0};
        int n = poll(&ready, 1, static_cast<int>(node.connect_timeout.count()));
        socklen_t size = sizeof error;
        if (n == 0)
          error = ETIMEDOUT;
        else
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
      }
    }
    if (error == 0) {
      int on = 1, idle = 10, interval = 5, count = 3;
      unsigned user_timeout_ms = 20000;  // unacknowledged data for this long: the peer is gone
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
      setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
      return fd;
    }
    close(fd);
    timed_out = error == ETIMEDOUT;
    problem = error == ECONNREFUSED ? "connection refused (is sshd running on port " + std::to_string(node.port) + "?)"
              : timed_out ? "connection timed out after " + std::to_string(node.connect_timeout.count()) + " ms"
                          : std::string(std::strerror(error));
  }
  fail(timed_out ? ErrorCode::kTimeout : ErrorCode::kUnavailable, label + ": " + problem);
}

void check_host_key(LIBSSH2_SESSION* ssh, const NodeSpec& node, const std::string& label) {
  if (node.host_key_policy == HostKeyPolicy::kInsecure) return;
  size_t key_size = 0;
  int key_type = 0;
  const char* key = libssh2_session_hostkey(ssh, &key_size, &key_type);
  const char* hash = libssh2_hostkey_hash(ssh, LIBSSH2_HOSTKEY_HASH_SHA256);
  if (!key || !hash) fail(ErrorCode::kHostKey, label + ": the server sent no host key");
  std::string seen = fingerprint(reinterpret_cast<const unsigned char*>(hash));
  std::string path = node.known_hosts.empty() ? home_path(".ssh/known_hosts") : node.known_hosts;

  std::lock_guard lock(known_hosts_mutex());
  std::unique_ptr<LIBSSH2_KNOWNHOSTS, decltype(&libssh2_knownhost_free)> hosts(libssh2_knownhost_init(ssh),
                                                                               libssh2_knownhost_free);
  // A line libssh2 cannot parse (a key type it lacks) ends reading but keeps the lines before it.
  if (std::filesystem::exists(path))
    libssh2_knownhost_readfile(hosts.get(), path.c_str(), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
  int type_mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | known_host_key_type(key_type);
  libssh2_knownhost* entry = nullptr;
  int check = libssh2_knownhost_checkp(hosts.get(), node.host.c_str(), node.port, key, key_size, type_mask, &entry);
  if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH) return;
  if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
    std::string expected = entry && entry->key ? fingerprint_of_base64_key(entry->key) : "another key";
    fail(ErrorCode::kHostKey, label + ": host key mismatch, connection refused: the server shows " + seen + " but " +
                                  path + " expects " + expected +
                                  " (if the host was reinstalled, remove its line with ssh-keygen -R)");
  }
  if (check != LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
    fail(ErrorCode::kHostKey, label + ": cannot check the host key against " + path);
  if (node.host_key_policy == HostKeyPolicy::kStrict) {
    fail(ErrorCode::kHostKey, label + ": host key " + seen + " is not in " + path +
                                  " (strict checking): add it, or use host-key policy accept-new");
  }
  // accept-new: trust on first use and record it, appending so no other line is rewritten.
  std::string host_entry = node.port == 22 ? node.host : "[" + node.host + "]:" + std::to_string(node.port);
  libssh2_knownhost* added = nullptr;
  char line[4096];
  size_t line_size = 0;
  if (libssh2_knownhost_addc(hosts.get(), host_entry.c_str(), nullptr, key, key_size, nullptr, 0, type_mask, &added) !=
          0 ||
      libssh2_knownhost_writeline(hosts.get(), added, line, sizeof line, &line_size, LIBSSH2_KNOWNHOST_FILE_OPENSSH) !=
          0) {
    fail(ErrorCode::kHostKey, label + ": cannot record the new host key " + seen);
  }
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::app) << std::string_view(line, line_size);
}

void answer_with_password(const char*, int, const char*, int, int prompts, const LIBSSH2_USERAUTH_KBDINT_PROMPT*,
                          LIBSSH2_USERAUTH_KBDINT_RESPONSE* responses, void** abstract) {
  const auto* password = static_cast<const std::string*>(*abstract);
  for (int i = 0; i < prompts; ++i) {
    responses[i].text = strdup(password->c_str());
    responses[i].length = static_cast<unsigned>(password->size());
  }
}

// Key file, then ssh-agent, then password; the error lists what was tried and what the server takes.
void authenticate(LIBSSH2_SESSION* ssh, const NodeSpec& node, const std::string& label) {
  const char* offered_list = libssh2_userauth_list(ssh, node.user.c_str(), static_cast<unsigned>(node.user.size()));
  if (!offered_list && libssh2_userauth_authenticated(ssh)) return;
  std::string offered = offered_list ? offered_list : "nothing";
  auto offers = [&](const char* method) { return offered.find(method) != std::string::npos; };
  std::vector<std::string> tried;
  if (!node.key_path.empty()) {
    if (!std::filesystem::exists(node.key_path)) {
      fail(ErrorCode::kNotFound, label + ": private key file " + node.key_path + " does not exist");
    }
    int rc = libssh2_userauth_publickey_fromfile(ssh, node.user.c_str(), nullptr, node.key_path.c_str(), nullptr);
    if (rc == 0) return;
    tried.push_back("key " + node.key_path +
                    (rc == LIBSSH2_ERROR_FILE ? " (unreadable: " + last_error(ssh) + ")" : " (rejected)"));
  }
  if (std::getenv("SSH_AUTH_SOCK") && offers("publickey")) {
    std::unique_ptr<LIBSSH2_AGENT, decltype(&libssh2_agent_free)> agent(libssh2_agent_init(ssh), libssh2_agent_free);
    int keys = 0;
    if (agent && libssh2_agent_connect(agent.get()) == 0 && libssh2_agent_list_identities(agent.get()) == 0) {
      libssh2_agent_publickey* identity = nullptr;
      while (libssh2_agent_get_identity(agent.get(), &identity, identity) == 0) {
        ++keys;
        if (libssh2_agent_userauth(agent.get(), node.user.c_str(), identity) == 0) {
          libssh2_agent_disconnect(agent.get());
          return;
        }
      }
      libssh2_agent_disconnect(agent.get());
    }
    tried.push_back("ssh-agent (" + std::to_string(keys) + " keys)");
  }
  if (!node.password.empty()) {
    if (offers("password")) {
      tried.push_back("password");
      if (libssh2_userauth_password(ssh, node.user.c_str(), node.password.c_str()) == 0) return;
    } else if (offers("keyboard-interactive")) {
      tried.push_back("keyboard-interactive");
      if (libssh2_userauth_keyboard_interactive(ssh, node.user.c_str(), answer_with_password) == 0) return;
    }
  }
  std::string methods;
  for (const auto& t : tried) methods += (methods.empty() ? "" : ", ") + t;
  if (methods.empty()) methods = "nothing (give a key, run ssh-agent, or give a password)";
  fail(ErrorCode::kAuth,
       label + ": authentication failed as " + node.user + "; tried " + methods + "; the server accepts " + offered);
}

std::shared_ptr<Connection> connect(const NodeSpec& node, const std::string& label) {
  static std::once_flag initialized;
  std::call_once(initialized, [] { libssh2_init(0); });
  auto connection = std::make_shared<Connection>();
  connection->fd = connect_socket(node, label);
  // The session's abstract pointer carries the password to the keyboard-interactive callback.
  connection->ssh = libssh2_session_init_ex(nullptr, nullptr, nullptr, const_cast<std::string*>(&node.password));
  LIBSSH2_SESSION* ssh = connection->ssh;
  if (!ssh) fail(ErrorCode::kInternal, label + ": cannot create an SSH session");
  // Handshake and authentication are blocking (one thread) under a timeout; commands are not.
  libssh2_session_set_blocking(ssh, 1);
  libssh2_session_set_timeout(ssh, static_cast<long>(node.connect_timeout.count()));
  int rc = libssh2_session_handshake(ssh, connection->fd);
  if (rc != 0) {
    fail(rc == LIBSSH2_ERROR_TIMEOUT ? ErrorCode::kTimeout : ErrorCode::kUnavailable,
         label + ": SSH handshake failed: " + last_error(ssh));
  }
  check_host_key(ssh, node, label);
  authenticate(ssh, node, label);
  libssh2_keepalive_config(ssh, 1, 15);
  libssh2_session_set_timeout(ssh, 0);
  libssh2_session_set_blocking(ssh, 0);
  return connection;
}

class SshSession final : public Session {
 public:
  explicit SshSession(const NodeSpec& node)
      : node_(node),
        label_(node.name + " (" + node.user + "@" + address_of(node) + ")"),
        channels_(std::max(1, node.max_channels)) {
    connection_ = connect(node_, label_);
  }

  const std::string& node() const override { return node_.name; }

  bool uses_sudo() const override { return node_.user != "root"; }

  // A login user that is not root copies through a file of its own in /tmp, moved or copied
  // into place through sudo.
  void upload(const std::filesystem::path& local, const std::string& remote) override {
    if (!uses_sudo()) return sftp_put(local, remote);
    std::string staged = staging_path();
    sftp_put(local, staged);
    std::string dir = std::filesystem::path(remote).parent_path().string();
    check_script("mkdir -p " + shell_quote(dir.empty() ? "." : dir) + " && mv -f " + shell_quote(staged) + " " +
                 shell_quote(remote) + " && chown 0:0 " + shell_quote(remote));
  }

  void download(const std::string& remote, const std::filesystem::path& local) override {
    if (!uses_sudo()) return sftp_get(remote, local);
    std::string staged = staging_path();
    check_script("cp " + shell_quote(remote) + " " + shell_quote(staged) + " && chown " + shell_quote(node_.user) +
                 " " + shell_quote(staged));
    struct Remove {
      SshSession& s;
      std::string path;
      ~Remove() {
        try {
          std::ignore = s.exec({"rm", "-f", path});
        } catch (const Error&) {  // a file left in /tmp is harmless
        }
      }
    } remove{*this, staged};
    sftp_get(staged, local);
  }

 private:
  std::string staging_path() {
    return "/tmp/.faultline-copy-" + std::to_string(getpid()) + "-" + std::to_string(++copies_);
  }

  void sftp_put(const std::filesystem::path& local, const std::string& remote) {
    std::error_code error;
    auto mode = static_cast<long>(std::filesystem::status(local, error).permissions() & std::filesystem::perms::all);
    std::ifstream in(local, std::ios::binary);
    if (!in || error) fail(ErrorCode::kIo, node_.name + ": cannot read " + local.string() + " to upload it");
    retrying(true, [&](Connection& c) {
      in.clear();
      in.seekg(0);
      with_sftp(c, [&](LIBSSH2_SFTP* sftp, Clock::time_point deadline) {
        LIBSSH2_SFTP_HANDLE* file =
            open_file(c, sftp, remote, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, mode, deadline);
        std::vector<char> buffer(1 << 16);
        while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
          size_t size = in.gcount(), done = 0;
          while (done < size) {
            ssize_t n = c.call([&] { return libssh2_sftp_write(file, buffer.data() + done, size - done); }, deadline);
            if (n < 0) sftp_failure(c, sftp, n, "write " + remote);
            done += n;
          }
        }
        close_file(c, file, deadline);
      });
    });
  }

  void sftp_get(const std::string& remote, const std::filesystem::path& local) {
    std::filesystem::path partial = local;
    partial += ".partial";
    retrying(true, [&](Connection& c) {
      with_sftp(c, [&](LIBSSH2_SFTP* sftp, Clock::time_point deadline) {
        LIBSSH2_SFTP_HANDLE* file = open_file(c, sftp, remote, LIBSSH2_FXF_READ, 0, deadline);
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out) fail(ErrorCode::kIo, node_.name + ": cannot write " + partial.string());
        std::vector<char> buffer(1 << 16);
        for (;;) {
          ssize_t n = c.call([&] { return libssh2_sftp_read(file, buffer.data(), buffer.size()); }, deadline);
          if (n < 0) sftp_failure(c, sftp, n, "read " + remote);
          if (n == 0) break;
          out.write(buffer.data(), n);
        }
        close_file(c, file, deadline);
        out.close();
        if (!out) fail(ErrorCode::kIo, node_.name + ": cannot write " + partial.string());
      });
    });
    std::error_code error;
    std::filesystem::rename(partial, local, error);
    if (error) fail(ErrorCode::kIo, node_.name + ": cannot write " + local.string() + ": " + error.message());
  }

 protected:
  ExecResult run(const std::string& command, const std::string& stdin_data, milliseconds timeout,
                 bool idempotent) override {
    // The node's own `timeout` kills the command's whole process group, which closing an SSH
    // channel would not do; the local deadline only catches a node that stops answering.
    const std::string seconds = fmt::format("{:.3f}", timeout.count() / 1000.0);
    const std::string wrapped = "timeout -k 2 " + seconds + " sh -c " + shell_quote(command);
    auto started = Clock::now();
    auto deadline = started + timeout + kKillGrace;
    std::optional<ExecResult> fast;
    if (stdin_data.empty()) {
      fast = retrying(idempotent, [&](Connection& c) { return exec_on_runner(c, command, seconds, deadline); });
    }
    ExecResult result =
        fast ? std::move(*fast)
             : retrying(idempotent, [&](Connection& c) { return exec_on(c, wrapped, stdin_data, deadline); });
    bool killed_by_timeout = (result.exit_code == 124 || result.exit_code == 137) && Clock::now() - started >= timeout;
    if (killed_by_timeout) timed_out(command, timeout);
    return result;
  }

  const std::string& sudo_password() const override { return node_.password; }

 private:
  [[noreturn]] void timed_out(const std::string& command, milliseconds timeout) {
    fail(ErrorCode::kTimeout, label_ + ": command timed out after " + std::to_string(timeout.count()) +
                                  " ms and was killed: " + command.substr(0, 120));
  }

  // The live connection, reconnecting with exponential backoff if it broke. Authentication and
  // host-key failures are not retried: waiting does not fix them.
  std::shared_ptr<Connection> live_connection() {
    std::lock_guard lock(reconnect_mutex_);
    if (connection_ && !connection_->broken) return connection_;
    connection_.reset();
    auto give_up = Clock::now() + kReconnectWindow;
    for (milliseconds delay{50};; delay = std::min(delay * 2, milliseconds(1000))) {
      try {
        connection_ = connect(node_, label_);
        return connection_;
      } catch (const Error& e) {
        bool transient = e.code() == ErrorCode::kUnavailable || e.code() == ErrorCode::kTimeout;
        if (!transient || Clock::now() + delay > give_up) {
          throw Error(e.code(), std::string(e.what()) + (transient ? " (reconnecting for 10 s)" : ""));
        }
        std::this_thread::sleep_for(delay);
      }
    }
  }

  // Runs op on a live connection, at most max_channels at once. After a transport failure op is
  // run again on a new connection only if it cannot have started, or is idempotent.
  template <class Op>
  std::invoke_result_t<Op&, Connection&> retrying(bool idempotent, Op op) {
    channels_.acquire();
    struct Release {
      std::counting_semaphore<>& s;
      ~Release() { s.release(); }
    } release{channels_};
    for (int attempt = 1;; ++attempt) {
      std::shared_ptr<Connection> connection = live_connection();
      try {
        return op(*connection);
      } catch (const TransportFailure& failure) {
        connection->broken = true;
        if ((failure.started && !idempotent) || attempt == kAttempts) {
          fail(ErrorCode::kUnavailable,
               label_ + ": connection lost" +
                   (failure.started ? " while the command ran (it may or may not have taken effect)" : "") + ": " +
                   failure.message);
        }
      }
    }
  }

  // An idle runner that is still alive, or a new one; null if the node cannot run one.
  LIBSSH2_CHANNEL* take_runner(Connection& c, Clock::time_point deadline) {
    {
      std::unique_lock lock(c.mutex);
      while (!c.idle_runners.empty()) {
        LIBSSH2_CHANNEL* runner = c.idle_runners.back();
        c.idle_runners.pop_back();
        char byte;  // an idle runner sends nothing: this only notices a closed channel or socket
        ssize_t n = libssh2_channel_read(runner, &byte, 1);
        if (n == LIBSSH2_ERROR_EAGAIN && !libssh2_channel_eof(runner)) return runner;
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
          lock.unlock();
          transport_failure(c, "connection closed", false, deadline);
        }
        libssh2_channel_free(runner);
      }
      if (c.runners_unavailable) return nullptr;
    }
    LIBSSH2_CHANNEL* runner = c.call([&] { return libssh2_channel_open_session(c.ssh); }, deadline);
    if (!runner) transport_failure(c, "cannot open a channel", false, deadline);
    std::string start = "exec bash --norc --noprofile -c " + shell_quote(kRunnerLoop);
    int rc = c.call([&] { return libssh2_channel_exec(runner, start.c_str()); }, deadline);
    std::string ready;
    while (rc == 0 && ready.size() < 6) {
      char buffer[6];
      ssize_t n = c.call([&] { return libssh2_channel_read(runner, buffer, 6 - ready.size()); }, deadline);
      if (n <= 0) break;
      ready.append(buffer, n);
    }
    if (ready != "ready\n") {
      std::lock_guard lock(c.mutex);
      libssh2_channel_free(runner);
      c.runners_unavailable = true;
      return nullptr;
    }
    return runner;
  }

  // Runs a command without stdin on a runner; nullopt when the node cannot run one.
  std::optional<ExecResult> exec_on_runner(Connection& c, const std::string& command, const std::string& seconds,
                                           Clock::time_point deadline) {
    LIBSSH2_CHANNEL* runner = take_runner(c, deadline);
    if (!runner) return std::nullopt;
    struct Keep {  // back to the idle list after a complete answer, else closed
      Connection& c;
      LIBSSH2_CHANNEL* runner;
      bool reusable = false;
      ~Keep() {
        std::lock_guard lock(c.mutex);
        if (reusable)
          c.idle_runners.push_back(runner);
        else
          libssh2_channel_free(runner);
      }
    } keep{c, runner};
    std::string marker;
    {
      std::lock_guard lock(c.mutex);
      marker =
          "\x1e"
          "faultline-" +
          std::to_string(++c.frames_sent);
    }
    std::string frame = std::to_string(command.size()) + " " + marker + " " + seconds + "\n" + command;
    // Nothing runs before the whole frame has arrived, so a failed send has not started anything.
    for (size_t sent = 0; sent < frame.size();) {
      ssize_t n =
          c.call([&] { return libssh2_channel_write(runner, frame.data() + sent, frame.size() - sent); }, deadline);
      if (n < 0) transport_failure(c, "sending the command", false, deadline);
      sent += n;
    }
    ExecResult result;
    std::string out_end = "\n" + marker + " ", err_end = "\n" + marker + "\n";
    auto out_done = [&] {
      size_t at = result.out.rfind(out_end);
      if (at == std::string::npos || result.out.back() != '\n') return false;
      // "<exit code> <received> <replied>": the node's clock at both ends ($EPOCHREALTIME, bash 5).
      char* end = nullptr;
      result.exit_code = static_cast<int>(std::strtol(result.out.c_str() + at + out_end.size(), &end, 10));
      result.node_received = std::strtod(end, &end);
      result.node_replied = std::strtod(end, &end);
      return true;
    };
    auto err_done = [&] { return result.err.ends_with(err_end); };
    std::vector<char> buffer(1 << 15);
    c.users++;
    struct Leave {
      Connection& c;
      ~Leave() { c.users--; }
    } leave{c};
    for (bool out_complete = false, err_complete = false; !(out_complete && err_complete);) {
      std::unique_lock lock(c.mutex);
      bool progress = false;
      for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
        std::string& sink = stream == 0 ? result.out : result.err;
        for (;;) {
          ssize_t n = libssh2_channel_read_ex(runner, stream, buffer.data(), buffer.size());
          if (n == LIBSSH2_ERROR_EAGAIN) break;
          if (n <= 0) {  // the runner or the connection died while the command ran
            lock.unlock();
            transport_failure(c, "the node stopped answering", true, deadline);
          }
          sink.append(buffer.data(), n);
          progress = true;
        }
      }
      out_complete = out_complete || (progress && out_done());
      err_complete = err_complete || (progress && err_done());
      if (!progress && !(out_complete && err_complete) && !c.wait(lock, deadline)) {
        throw Error(ErrorCode::kTimeout, label_ + ": no answer from the node within the command's timeout");
      }
    }
    result.out.resize(result.out.rfind(out_end));
    result.err.resize(result.err.size() - err_end.size());
    keep.reusable = true;
    return result;
  }

  ExecResult exec_on(Connection& c, const std::string& command, const std::string& input, Clock::time_point deadline) {
    LIBSSH2_CHANNEL* channel = c.call([&] { return libssh2_channel_open_session(c.ssh); }, deadline);
    if (!channel) transport_failure(c, "cannot open a channel", false, deadline);
    struct Free {
      Connection& c;
      LIBSSH2_CHANNEL* channel;
      ~Free() {  // bounded: a dead connection must not hang the caller
        c.call([&] { return libssh2_channel_free(channel); }, Clock::now() + milliseconds(500));
      }
    } free_channel{c, channel};
    int rc = c.call([&] { return libssh2_channel_exec(channel, command.c_str()); }, deadline);
    if (rc != 0) transport_failure(c, "cannot start the command", rc != LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED, deadline);

    ExecResult result;
    size_t written = 0;
    bool input_closed = false;
    std::vector<char> buffer(1 << 15);
    c.users++;
    struct Leave {
      Connection& c;
      ~Leave() { c.users--; }
    } leave{c};
    for (;;) {
      std::unique_lock lock(c.mutex);
      bool progress = false;
      while (!input_closed) {
        if (written == input.size()) {
          int sent = libssh2_channel_send_eof(channel);
          if (sent == LIBSSH2_ERROR_EAGAIN) break;
          input_closed = true;  // an error here means the command already exited: fine
          progress = true;
          break;
        }
        ssize_t n =
            libssh2_channel_write(channel, input.data() + written, std::min(input.size() - written, buffer.size()));
        if (n == LIBSSH2_ERROR_EAGAIN) break;
        if (n < 0) {  // the command exited without reading all its input
          input_closed = true;
          break;
        }
        written += n;
        progress = true;
      }
      for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
        std::string& sink = stream == 0 ? result.out : result.err;
        for (;;) {
          ssize_t n = libssh2_channel_read_ex(channel, stream, buffer.data(), buffer.size());
          if (n == LIBSSH2_ERROR_EAGAIN || n == 0) break;
          if (n < 0) {
            lock.unlock();
            transport_failure(c, "reading output", true, deadline);
          }
          sink.append(buffer.data(), n);
          progress = true;
        }
      }
      if (libssh2_channel_eof(channel)) break;
      if (!progress && !c.wait(lock, deadline)) {
        throw Error(ErrorCode::kTimeout, label_ + ": no answer from the node within the command's timeout");
      }
    }
    c.call([&] { return libssh2_channel_close(channel); }, deadline);
    c.call([&] { return libssh2_channel_wait_closed(channel); }, deadline);
    std::lock_guard lock(c.mutex);
    result.exit_code = libssh2_channel_get_exit_status(channel);
    char* signal = nullptr;
    libssh2_channel_get_exit_signal(channel, &signal, nullptr, nullptr, nullptr, nullptr, nullptr);
    if (signal) {
      result.exit_code = 128 + signal_number(signal);
      libssh2_free(c.ssh, signal);
    }
    return result;
  }

  // Throws TransportFailure for a connection error, or kTimeout if the deadline passed.
  [[noreturn]] void transport_failure(Connection& c, const std::string& what, bool started,
                                      Clock::time_point deadline) {
    std::string message;
    {
      std::lock_guard lock(c.mutex);
      if (libssh2_session_last_errno(c.ssh) == LIBSSH2_ERROR_EAGAIN && Clock::now() >= deadline) {
        fail(ErrorCode::kTimeout, label_ + ": no answer from the node in time (" + what + ")");
      }
      message = what + ": " + last_error(c.ssh);
    }
    throw TransportFailure{message, started};
  }

  template <class Body>
  void with_sftp(Connection& c, Body body) {
    auto deadline = Clock::now() + std::chrono::minutes(10);
    LIBSSH2_SFTP* sftp = c.call([&] { return libssh2_sftp_init(c.ssh); }, deadline);
    if (!sftp) transport_failure(c, "cannot start SFTP", false, deadline);
    struct Shutdown {
      Connection& c;
      LIBSSH2_SFTP* sftp;
      ~Shutdown() {
        c.call([&] { return libssh2_sftp_shutdown(sftp); }, Clock::now() + milliseconds(500));
      }
    } shutdown{c, sftp};
    body(sftp, deadline);
  }

  LIBSSH2_SFTP_HANDLE* open_file(Connection& c, LIBSSH2_SFTP* sftp, const std::string& path, unsigned long flags,
                                 long mode, Clock::time_point deadline) {
    LIBSSH2_SFTP_HANDLE* file = c.call(
        [&] {
          return libssh2_sftp_open_ex(sftp, path.c_str(), static_cast<unsigned>(path.size()), flags, mode,
                                      LIBSSH2_SFTP_OPENFILE);
        },
        deadline);
    if (!file) sftp_failure(c, sftp, c.status(file), "open " + path);
    return file;
  }

  void close_file(Connection& c, LIBSSH2_SFTP_HANDLE* file, Clock::time_point deadline) {
    c.call([&] { return libssh2_sftp_close_handle(file); }, deadline);
  }

  // An SFTP status from the server (no such file, permission denied) is the caller's problem;
  // anything else is the connection's.
  [[noreturn]] void sftp_failure(Connection& c, LIBSSH2_SFTP* sftp, long rc, const std::string& what) {
    if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL) {
      unsigned long code = 0;
      {
        std::lock_guard lock(c.mutex);
        code = libssh2_sftp_last_error(sftp);
      }
      std::string reason = code == LIBSSH2_FX_NO_SUCH_FILE        ? "no such file"
                           : code == LIBSSH2_FX_PERMISSION_DENIED ? "permission denied"
                           : code == LIBSSH2_FX_NO_SUCH_PATH      ? "no such directory"
                                                                  : "SFTP error " + std::to_string(code);
      fail(ErrorCode::kRemote, node_.name + ": cannot " + what + ": " + reason);
    }
    transport_failure(c, "SFTP " + what, false, Clock::time_point::max());
  }

  NodeSpec node_;
  std::string label_;  // "n1 (root@10.0.0.1:22)": how every error names the node
  std::counting_semaphore<> channels_;
  std::mutex reconnect_mutex_;
  std::shared_ptr<Connection> connection_;  // guarded by reconnect_mutex_
  std::atomic<int> copies_{0};              // names staged copies uniquely
};

}  // namespace

std::unique_ptr<Session> open_session(const NodeSpec& node) { return std::make_unique<SshSession>(node); }

std::vector<std::unique_ptr<Session>> open_sessions(const std::vector<NodeSpec>& nodes) {
  return values_or_throw(fan_out(nodes, [](const NodeSpec& node) { return open_session(node); }));
}

}  // namespace faultline
