//! Server processes for tests: finding the vireo and reference redis-server binaries, choosing a
//! free loopback port, starting a server in a fresh directory with its log captured, waiting until
//! it answers PING, and stopping it (SIGTERM, then SIGKILL) when asked, when dropped, or when the
//! test process dies. It speaks RESP only through `RawConn` and knows nothing of commands beyond
//! PING.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::conn::RawConn;

/// What `ServerBuilder::redis` runs when `REDIS_SERVER_BIN` is not set.
pub const DEFAULT_REDIS_SERVER: &str = "/usr/bin/redis-server";

/// The log name of the server's standard output and error, inside its directory.
pub const LOG_FILE: &str = "server.log";

/// How long `start` waits for PING by default.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(10);

/// How long `stop` waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How many ports `start` tries when the chosen one turns out to be taken.
const PORT_ATTEMPTS: usize = 8;

/// Lines of log shown in failure messages.
const LOG_TAIL_LINES: usize = 40;

/// Set to keep the temporary directories of servers after they are dropped.
pub const KEEP_DIRS_ENV: &str = "VIREO_TESTKIT_KEEP_DIRS";

const MISSING_REDIS: &str = "reference redis-server 7.0.15 not found: run ./scripts/test.sh (it installs it)";

/// The reference redis-server binary: `$REDIS_SERVER_BIN` or `/usr/bin/redis-server`, if it
/// exists.
pub fn try_redis_binary() -> Option<PathBuf> {
    let path = std::env::var_os("REDIS_SERVER_BIN").map(PathBuf::from).unwrap_or_else(|| DEFAULT_REDIS_SERVER.into());
    path.is_file().then_some(path)
}

/// Whether the reference redis-server can be started.
pub fn redis_available() -> bool {
    try_redis_binary().is_some()
}

/// The reference redis-server binary, panicking with instructions when it is missing.
pub fn redis_binary() -> PathBuf {
    try_redis_binary().unwrap_or_else(|| panic!("{MISSING_REDIS}"))
}

/// Looks for `vireo-server` next to a test executable: in its directory and up to two levels
/// above (`target/<profile>/deps/x` → `target/<profile>/vireo-server`).
fn vireo_next_to(exe: &Path) -> Option<PathBuf> {
    exe.ancestors().skip(1).take(3).map(|d| d.join("vireo-server")).find(|p| p.is_file())
}

/// The vireo-server binary: `$VIREO_SERVER_BIN`, or `vireo-server` in the cargo target directory
/// of the running test executable.
pub fn try_vireo_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VIREO_SERVER_BIN") {
        return Some(PathBuf::from(p));
    }
    vireo_next_to(&std::env::current_exe().ok()?)
}

/// The vireo-server binary, panicking with instructions when it cannot be found.
pub fn vireo_binary() -> PathBuf {
    match try_vireo_binary() {
        Some(p) if p.is_file() => p,
        Some(p) => panic!("vireo-server binary {} (from VIREO_SERVER_BIN) does not exist", p.display()),
        None => panic!(
            "vireo-server binary not found next to the test executable: build it (cargo build --bin vireo-server), \
             set VIREO_SERVER_BIN, or use ServerBuilder::with_binary(env!(\"CARGO_BIN_EXE_vireo-server\"))"
        ),
    }
}

/// Whether nothing listens on 127.0.0.1:`port` and it can be bound.
fn port_is_free(port: u16) -> bool {
    let addr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(addr).is_ok() && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err()
}

/// A loopback port that the kernel considers free and that this process has not handed out
/// before; with `bus`, port + 10000 (the cluster bus) is free too.
fn pick_port(bus: bool) -> u16 {
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    for _ in 0..1000 {
        let Ok(l) = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) else { continue };
        let Ok(port) = l.local_addr().map(|a| a.port()) else { continue };
        drop(l);
        if bus && (port > u16::MAX - 10000 || !port_is_free(port + 10000)) {
            continue;
        }
        let mut used = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        if used.get_or_insert_with(HashSet::new).contains(&port) || !port_is_free(port) {
            continue;
        }
        used.get_or_insert_with(HashSet::new).insert(port);
        return port;
    }
    panic!("no free loopback port found");
}

/// A fresh, empty directory under the system temp dir.
fn fresh_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir().join("vireo-testkit");
    if let Err(e) = fs::create_dir_all(&base) {
        panic!("creating {}: {e}", base.display());
    }
    loop {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{name}-{}-{n}-{nanos:08x}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("creating {}: {e}", dir.display()),
        }
    }
}

type SpawnJob = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns children from one thread that lives as long as the test process, so that the
/// parent-death signal (sent when the *thread* that forked a child exits) fires only when the
/// whole test process goes away, not when the test thread that asked for the server ends.
fn spawn_child(cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<mpsc::Sender<SpawnJob>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnJob>();
        std::thread::Builder::new()
            .name("testkit-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("starting the spawner thread");
        tx
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    tx.send((cmd, reply_tx)).map_err(|_| io::Error::other("spawner thread is gone"))?;
    reply_rx.recv().map_err(|_| io::Error::other("spawner thread is gone"))?
}

/// Makes the child die with the test process (Linux), even when the test process is killed.
fn die_with_parent(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: getpid has no preconditions.
        let parent = unsafe { libc::getpid() };
        // SAFETY: the closure runs in the forked child before exec and only makes
        // async-signal-safe system calls (prctl, getppid, _exit).
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The parent may have died between fork and prctl.
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// The inodes of sockets listening on TCP `port` (IPv4 or IPv6), or `None` when /proc cannot
/// tell.
fn listening_inodes(port: u16) -> Option<Vec<u64>> {
    let mut inodes = Vec::new();
    let mut readable = false;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else { continue };
        readable = true;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != "0A" {
                continue;
            }
            let local_port = f[1].rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
            if local_port == Some(port) {
                if let Ok(inode) = f[9].parse() {
                    inodes.push(inode);
                }
            }
        }
    }
    readable.then_some(inodes)
}

/// Whether process `pid` holds a socket listening on `port`; true when /proc cannot tell.
fn process_listens_on(pid: u32, port: u16) -> bool {
    let Some(inodes) = listening_inodes(port) else { return true };
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else { return true };
    fds.flatten().any(|fd| {
        fs::read_link(fd.path())
            .ok()
            .and_then(|t| {
                let t = t.to_string_lossy().into_owned();
                t.strip_prefix("socket:[").and_then(|s| s.strip_suffix(']')).and_then(|s| s.parse::<u64>().ok())
            })
            .is_some_and(|i| inodes.contains(&i))
    })
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// How to start a server; `start` runs it.
#[derive(Clone, Debug)]
pub struct ServerBuilder {
    name: String,
    binary: PathBuf,
    config_file: Option<PathBuf>,
    config_text: Option<String>,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
    start_timeout: Duration,
    first_port: Option<u16>,
    removed_defaults: Vec<String>,
}

/// A server that exited by itself (see [`ServerBuilder::run_expecting_exit`]).
#[derive(Debug)]
pub struct Exited {
    pub status: ExitStatus,
    /// Everything it wrote to stdout/stderr (its log, with `--logfile ""`).
    pub log: String,
}

enum Readiness {
    Ready,
    PortTaken(String),
    Failed(String),
}

impl ServerBuilder {
    /// vireo-server, found as [`vireo_binary`] does.
    pub fn vireo() -> ServerBuilder {
        ServerBuilder::with_binary(vireo_binary()).name("vireo")
    }

    /// The reference redis-server 7.0.15 (panics with instructions when it is missing).
    pub fn redis() -> ServerBuilder {
        ServerBuilder::with_binary(redis_binary()).name("redis")
    }

    /// Any binary that takes redis-server's command line.
    pub fn with_binary(path: impl Into<PathBuf>) -> ServerBuilder {
        let binary = path.into();
        let name = binary.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "server".into());
        ServerBuilder {
            name,
            binary,
            config_file: None,
            config_text: None,
            args: Vec::new(),
            env: Vec::new(),
            dir: None,
            start_timeout: DEFAULT_START_TIMEOUT,
            first_port: None,
            removed_defaults: Vec::new(),
        }
    }

    /// The label used in messages and in the temporary directory's name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Replaces the binary, keeping everything else.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = path.into();
        self
    }

    /// Leaves out one of the default options (`bind`, `save`, `appendonly`, `daemonize`,
    /// `logfile`, `dir`), e.g. so that a configuration file's `save` or `appendonly` lines apply:
    /// command-line options override the file. Without `logfile`, `log()` shows only what the
    /// server writes to stdout/stderr; without `dir`, the server still starts in its directory.
    pub fn without_default(mut self, option: &str) -> Self {
        self.removed_defaults.push(option.trim_start_matches('-').to_string());
        self
    }

    /// Adds one command-line argument after the defaults (so it overrides them).
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds command-line arguments after the defaults.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// A configuration file, passed as the first argument (a relative path is taken from the
    /// current directory of the test).
    pub fn config_file(mut self, path: impl AsRef<Path>) -> Self {
        let p = path.as_ref();
        self.config_file = Some(std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()));
        self.config_text = None;
        self
    }

    /// Configuration file contents, written to `testkit.conf` in the server's directory and passed
    /// as the first argument.
    pub fn config_text(mut self, text: &str) -> Self {
        self.config_text = Some(text.to_string());
        self.config_file = None;
        self
    }

    /// An environment variable for the server process.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Runs in this existing directory (kept after the server is dropped) instead of a fresh
    /// temporary one; e.g. to start a second server on the files a first one left.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// How long `start` waits for PING (default 10 s).
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = timeout;
        self
    }

    /// Tries this port first (testing the retry when it is taken); later attempts pick free ports.
    #[doc(hidden)]
    pub fn first_port(mut self, port: u16) -> Self {
        self.first_port = Some(port);
        self
    }

    /// Whether the server will run a cluster bus (port + 10000 must be free too).
    fn wants_cluster_bus(&self) -> bool {
        let in_args = self.args.windows(2).any(|w| {
            w[0].to_string_lossy().eq_ignore_ascii_case("--cluster-enabled") && w[1].to_string_lossy() == "yes"
        });
        let in_text = self.config_text.as_deref().is_some_and(|t| {
            t.lines().any(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                w.len() == 2 && w[0].eq_ignore_ascii_case("cluster-enabled") && w[1] == "yes"
            })
        });
        in_args || in_text
    }

    /// Starts the server and waits until it answers PING on its port; panics with the log tail
    /// if it exits or stays silent past the start timeout. A port that turns out to be taken
    /// ("Address already in use") is replaced by another.
    pub fn start(self) -> ServerProcess {
        let (dir, owns_dir) = match &self.dir {
            Some(d) => (d.clone(), false),
            None => (fresh_dir(&self.name), true),
        };
        let bus = self.wants_cluster_bus();
        let mut port = self.first_port.unwrap_or_else(|| pick_port(bus));
        let mut server = ServerProcess::spawn(self, dir, owns_dir, port);
        let mut attempts = 1;
        loop {
            match server.wait_ready() {
                Readiness::Ready => return server,
                Readiness::PortTaken(_) if attempts < PORT_ATTEMPTS => {
                    attempts += 1;
                    port = pick_port(bus);
                    server.respawn(port);
                }
                Readiness::PortTaken(why) | Readiness::Failed(why) => {
                    let msg = server.failure_message(&why);
                    drop(server);
                    panic!("{msg}");
                }
            }
        }
    }

    /// Starts the server and waits for it to exit by itself (e.g. on a bad configuration),
    /// returning its status and log. Panics, after killing it, if it is still running after
    /// `timeout`.
    pub fn run_expecting_exit(self, timeout: Duration) -> Exited {
        let (dir, owns_dir) = match &self.dir {
            Some(d) => (d.clone(), false),
            None => (fresh_dir(&self.name), true),
        };
        let port = self.first_port.unwrap_or_else(|| pick_port(false));
        let server = ServerProcess::spawn(self, dir, owns_dir, port);
        match server.wait_exit(timeout) {
            Some(status) => Exited { status, log: server.log() },
            None => {
                let msg = server.failure_message(&format!("still running after {timeout:?}, expected it to exit"));
                drop(server);
                panic!("{msg}");
            }
        }
    }
}

struct ChildState {
    child: Child,
    status: Option<ExitStatus>,
}

/// A running server (or one that was stopped), with its own directory and log. Dropping it stops
/// the process (SIGTERM, SIGKILL after 10 s) and removes the temporary directory (set
/// `VIREO_TESTKIT_KEEP_DIRS=1` to keep it). If the test process dies, the kernel kills the server.
pub struct ServerProcess {
    spec: ServerBuilder,
    port: u16,
    dir: PathBuf,
    owns_dir: bool,
    log_path: PathBuf,
    /// Where this run's output starts in the log (a reused directory's log is appended to).
    log_offset: u64,
    pid: u32,
    state: Mutex<ChildState>,
}

impl ServerProcess {
    /// The arguments after the binary: the configuration file, `--port`, the defaults not
    /// removed with `without_default`, then the caller's arguments.
    fn arguments(spec: &ServerBuilder, dir: &Path, port: u16) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        if spec.config_text.is_some() {
            args.push(dir.join("testkit.conf").into());
        } else if let Some(conf) = &spec.config_file {
            args.push(conf.into());
        }
        args.extend(["--port".into(), port.to_string().into()]);
        let dir_arg: OsString = dir.into();
        let defaults: [(&str, OsString); 6] = [
            ("bind", "127.0.0.1".into()),
            ("save", "".into()),
            ("appendonly", "no".into()),
            ("daemonize", "no".into()),
            ("logfile", "".into()),
            ("dir", dir_arg),
        ];
        for (name, value) in defaults {
            if !spec.removed_defaults.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                args.extend([format!("--{name}").into(), value]);
            }
        }
        args.extend(spec.args.iter().cloned());
        args
    }

    fn command(spec: &ServerBuilder, dir: &Path, port: u16, log: &File) -> io::Result<Command> {
        if let Some(text) = &spec.config_text {
            fs::write(dir.join("testkit.conf"), text)?;
        }
        let mut cmd = Command::new(&spec.binary);
        cmd.args(Self::arguments(spec, dir, port));
        cmd.envs(spec.env.iter().map(|(k, v)| (k, v)));
        cmd.current_dir(dir).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log.try_clone()?);
        die_with_parent(&mut cmd);
        Ok(cmd)
    }

    /// Starts the process (without waiting for it to be ready).
    fn launch(spec: &ServerBuilder, dir: &Path, port: u16) -> (PathBuf, u64, Child) {
        let log_path = dir.join(LOG_FILE);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap_or_else(|e| panic!("opening {}: {e}", log_path.display()));
        let offset = log.metadata().map(|m| m.len()).unwrap_or(0);
        let cmd = Self::command(spec, dir, port, &log).unwrap_or_else(|e| panic!("preparing {}: {e}", spec.name));
        let child =
            spawn_child(cmd).unwrap_or_else(|e| panic!("starting {} ({}): {e}", spec.name, spec.binary.display()));
        (log_path, offset, child)
    }

    fn spawn(spec: ServerBuilder, dir: PathBuf, owns_dir: bool, port: u16) -> ServerProcess {
        let (log_path, log_offset, child) = Self::launch(&spec, &dir, port);
        ServerProcess {
            pid: child.id(),
            state: Mutex::new(ChildState { child, status: None }),
            spec,
            port,
            dir,
            owns_dir,
            log_path,
            log_offset,
        }
    }

    /// Starts the process again (after it exited) on `port`.
    fn respawn(&mut self, port: u16) {
        let _ = self.kill9();
        let (log_path, log_offset, child) = Self::launch(&self.spec, &self.dir, port);
        self.port = port;
        self.log_path = log_path;
        self.log_offset = log_offset;
        self.pid = child.id();
        *self.lock() = ChildState { child, status: None };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ChildState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The exit status if the process has exited (reaping it).
    fn poll_exit(&self) -> Option<ExitStatus> {
        let mut st = self.lock();
        if st.status.is_none() {
            if let Ok(Some(s)) = st.child.try_wait() {
                st.status = Some(s);
            }
        }
        st.status
    }

    /// Whether a PING on our port gets a reply other than -LOADING.
    fn answers_ping(&self) -> bool {
        let Ok(mut c) = RawConn::connect(self.addr()) else { return false };
        if c.try_send(b"PING\r\n").is_err() {
            return false;
        }
        matches!(c.read_reply_within(Duration::from_secs(2)), Ok(r) if !r.starts_with(b"-LOADING"))
    }

    fn wait_ready(&self) -> Readiness {
        let deadline = Instant::now() + self.spec.start_timeout;
        let mut pause = Duration::from_millis(5);
        loop {
            if let Some(status) = self.poll_exit() {
                let log = self.log();
                if log.contains("Address already in use") || log.contains("Failed listening on port") {
                    return Readiness::PortTaken(format!("port {} was taken ({status})", self.port));
                }
                return Readiness::Failed(format!("exited with {status} before answering PING"));
            }
            // The answer must come from this process, not from another that took the port.
            if self.answers_ping()
                && self.poll_exit().is_none()
                && (self.log().contains("Ready to accept connections") || process_listens_on(self.pid, self.port))
            {
                return Readiness::Ready;
            }
            if Instant::now() >= deadline {
                return Readiness::Failed(format!("did not answer PING within {:?}", self.spec.start_timeout));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    fn failure_message(&self, why: &str) -> String {
        format!(
            "{} ({}) on port {} {why}\ncommand line: {}\ndirectory: {}\nlast log lines:\n{}",
            self.spec.name,
            self.spec.binary.display(),
            self.port,
            self.command_line(),
            self.dir.display(),
            tail(&self.log(), LOG_TAIL_LINES)
        )
    }

    /// The command line, for messages.
    pub fn command_line(&self) -> String {
        let mut parts = vec![self.spec.binary.display().to_string()];
        parts.extend(Self::arguments(&self.spec, &self.dir, self.port).iter().map(|a| {
            let s = a.to_string_lossy();
            if s.is_empty() || s.contains(char::is_whitespace) {
                format!("'{s}'")
            } else {
                s.into_owned()
            }
        }));
        parts.join(" ")
    }

    /// The label given by the builder ("vireo", "redis", or the binary's file name).
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The binary this server runs.
    pub fn binary(&self) -> &Path {
        &self.spec.binary
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// 127.0.0.1:port.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.port))
    }

    /// The server's working directory (`--dir`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file holding the server's stdout and stderr.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// What this run of the server has logged so far (stdout and stderr).
    pub fn log(&self) -> String {
        let bytes = fs::read(&self.log_path).unwrap_or_default();
        let start = usize::try_from(self.log_offset).unwrap_or(usize::MAX).min(bytes.len());
        String::from_utf8_lossy(&bytes[start..]).into_owned()
    }

    /// The last `lines` lines of what this run has logged.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log(), lines)
    }

    /// The exit status if the process has exited, `None` while it runs.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.poll_exit()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Opens a new connection, panicking if the server does not accept it.
    pub fn connect(&self) -> RawConn {
        self.try_connect().unwrap_or_else(|e| panic!("connecting to {} on {}: {e}", self.spec.name, self.addr()))
    }

    /// Opens a new connection.
    pub fn try_connect(&self) -> io::Result<RawConn> {
        RawConn::connect(self.addr())
    }

    /// Whether the process is still running.
    pub fn is_running(&self) -> bool {
        self.poll_exit().is_none()
    }

    /// Sends a signal (e.g. `libc::SIGSTOP`/`SIGCONT`) if the process is still running.
    pub fn signal(&self, signal: libc::c_int) {
        let st = self.lock();
        // While the child is not reaped its pid cannot be reused, so this reaches our process.
        if st.status.is_none() {
            if let Ok(pid) = libc::pid_t::try_from(self.pid) {
                // SAFETY: kill has no memory-safety preconditions.
                unsafe { libc::kill(pid, signal) };
            }
        }
    }

    /// Waits up to `timeout` for the process to exit; its status, or `None` if still running.
    pub fn wait_exit(&self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.poll_exit() {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Stops the server: SIGTERM, then SIGKILL if it is still running after 10 s. Returns the
    /// exit status (also when it had already exited).
    pub fn stop(&self) -> ExitStatus {
        if let Some(s) = self.poll_exit() {
            return s;
        }
        self.signal(libc::SIGTERM);
        match self.wait_exit(STOP_GRACE) {
            Some(s) => s,
            None => self.kill9(),
        }
    }

    /// Kills the server with SIGKILL (no shutdown work at all) and reaps it.
    pub fn kill9(&self) -> ExitStatus {
        let mut st = self.lock();
        if let Some(s) = st.status {
            return s;
        }
        let _ = st.child.kill();
        let status = st.child.wait().unwrap_or_else(|e| panic!("waiting for {} to die: {e}", self.spec.name));
        st.status = Some(status);
        status
    }

    /// Stops the server and starts it again with the same binary, arguments, directory and port
    /// (e.g. to load what it saved), waiting until it answers PING.
    pub fn restart(&mut self) {
        self.stop();
        let mut last = String::new();
        for attempt in 0..PORT_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200));
            }
            self.respawn(self.port);
            match self.wait_ready() {
                Readiness::Ready => return,
                Readiness::PortTaken(why) => last = why,
                Readiness::Failed(why) => panic!("{}", self.failure_message(&format!("after restart: {why}"))),
            }
        }
        panic!("{}", self.failure_message(&format!("after restart: {last}")));
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!(
                "--- {} on port {} (dir {}), last log lines:\n{}\n---",
                self.spec.name,
                self.port,
                self.dir.display(),
                tail(&self.log(), LOG_TAIL_LINES / 2)
            );
        }
        if self.owns_dir && std::env::var_os(KEEP_DIRS_ENV).is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl std::fmt::Debug for ServerProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerProcess")
            .field("name", &self.spec.name)
            .field("port", &self.port)
            .field("pid", &self.pid)
            .field("dir", &self.dir)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_vireo_in_the_profile_dir() {
        let root = fresh_dir("locate");
        let deps = root.join("debug").join("deps");
        fs::create_dir_all(&deps).unwrap();
        let exe = deps.join("e2e-0123abcd");
        assert_eq!(vireo_next_to(&exe), None);
        fs::write(root.join("debug").join("vireo-server"), b"").unwrap();
        assert_eq!(vireo_next_to(&exe), Some(root.join("debug").join("vireo-server")));
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn ports_are_free_and_distinct() {
        let a = pick_port(false);
        let b = pick_port(true);
        assert_ne!(a, b);
        assert!(b <= u16::MAX - 10000);
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, a)).unwrap();
        assert!(!port_is_free(a));
        drop(l);
    }

    #[test]
    fn detects_cluster_bus_need() {
        let b = ServerBuilder::with_binary("/bin/true");
        assert!(!b.clone().wants_cluster_bus());
        assert!(b.clone().arg("--cluster-enabled").arg("yes").wants_cluster_bus());
        assert!(b.config_text("port 1\ncluster-enabled yes\n").wants_cluster_bus());
    }

    #[test]
    fn servers_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<ServerProcess>();
        shareable::<ServerBuilder>();
    }

    #[test]
    fn tail_keeps_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
