//! Process start and stop as Redis does them: the command line, config errors (compared with the
//! reference redis-server's own output for the same mistakes), the startup log lines operators
//! grep, a taken port, SIGTERM, SHUTDOWN, and Debian's whole default redis.conf.

use std::process::{Command, Output, Stdio};
use std::time::Duration;
use vireo_testkit::ServerBuilder;

const VIREO: &str = env!("CARGO_BIN_EXE_vireo-server");

fn run(bin: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let dir = std::env::temp_dir();
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(dir).stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    } else {
        cmd.stdin(Stdio::null());
    }
    let mut child = cmd.spawn().expect("spawn");
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    // config errors exit at once; a server that started would be a failure: kill it after 5 s
    let pid = child.id() as i32;
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(5));
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let out = child.wait_with_output().unwrap();
    drop(killer);
    out
}

/// Output of a run, with log-line prefixes (pid, time) reduced to their role and level.
fn text(o: &Output) -> String {
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    all.lines().map(normalize_log_line).collect::<Vec<_>>().join("\n")
}

/// "1234:C 25 Nov 2026 10:48:42.196 # msg" -> "C # msg".
fn normalize_log_line(l: &str) -> String {
    let Some((pid, rest)) = l.split_once(':') else { return l.to_string() };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || rest.len() < 28 {
        return l.to_string();
    }
    let role = &rest[..1];
    // " dd Mon yyyy HH:MM:SS.mmm " is 26 bytes after the role
    let after = &rest[1..];
    if after.len() < 26 || after.as_bytes()[0] != b' ' {
        return l.to_string();
    }
    format!("{}{}", role, &after[25..])
}

/// The same bad command line must fail the same way on both servers.
fn same_config_error(args: &[&str]) {
    let r = run("/usr/bin/redis-server", args, None);
    let v = run(VIREO, args, None);
    assert_eq!(r.status.code(), Some(1), "reference did not fail for {args:?}: {}", text(&r));
    assert_eq!(v.status.code(), Some(1), "vireo did not fail for {args:?}: {}", text(&v));
    assert_eq!(text(&v), text(&r), "different error output for {args:?}");
}

#[test]
fn config_errors_are_reported_like_redis() {
    same_config_error(&["--nosuchdirective", "1"]);
    same_config_error(&["--port", "abc"]);
    same_config_error(&["--port", "70000"]);
    same_config_error(&["--daemonize", "maybe"]);
    same_config_error(&["--loglevel", "loud"]);
    same_config_error(&["--maxmemory", "12zb"]);
    same_config_error(&["--save", "10"]);
    same_config_error(&["--port"]);
}

#[test]
fn config_file_errors_name_the_line() {
    let dir = tempdir();
    let path = dir.join("bad.conf");
    std::fs::write(&path, "# comment\nport 7000\n\nhz \"abc\n").unwrap();
    let p = path.to_str().unwrap();
    let r = run("/usr/bin/redis-server", &[p], None);
    let v = run(VIREO, &[p], None);
    assert_eq!(v.status.code(), Some(1));
    assert_eq!(text(&v), text(&r));
}

#[test]
fn version_and_help() {
    let v = run(VIREO, &["-v"], None);
    assert!(v.status.success());
    assert!(text(&v).starts_with("Redis server v=7.0.15 "), "{}", text(&v));
    let h = run(VIREO, &["--help"], None);
    assert!(text(&h).contains("Usage:"), "{}", text(&h));
}

#[test]
fn startup_log_has_redis_lines() {
    let s = ServerBuilder::with_binary(VIREO).arg("--always-show-logo").arg("yes").start();
    let log = s.log();
    for line in ["Server initialized", "Ready to accept connections", &format!("PID: {}", s.pid())] {
        assert!(log.contains(line), "missing {line:?} in:\n{log}");
    }
    // Redis's line format: pid:role dd Mon yyyy HH:MM:SS.mmm <level> message
    let first = log.lines().find(|l| l.contains("Ready to accept")).unwrap();
    let prefix = format!("{}:M ", s.pid());
    assert!(first.starts_with(&prefix), "{first}");
    assert!(first.contains(" * Ready to accept connections"), "{first}");
}

#[test]
fn taken_port_fails_like_redis() {
    let s = ServerBuilder::with_binary(VIREO).start();
    let port = s.port().to_string();
    let v = run(VIREO, &["--port", &port, "--bind", "127.0.0.1", "--save", ""], None);
    assert_eq!(v.status.code(), Some(1));
    assert!(text(&v).contains(&format!("Failed listening on port {port} (TCP), aborting.")), "{}", text(&v));
}

#[test]
fn sigterm_and_shutdown_stop_cleanly() {
    let s = ServerBuilder::with_binary(VIREO).start();
    s.signal(libc::SIGTERM);
    let status = s.wait_exit(Duration::from_secs(10)).expect("exits on SIGTERM");
    assert!(status.success());
    let log = s.log();
    assert!(log.contains("Received SIGTERM scheduling shutdown..."), "{log}");
    assert!(log.contains("is now ready to exit, bye bye..."), "{log}");

    let s = ServerBuilder::with_binary(VIREO).start();
    let mut c = s.connect();
    c.send(b"SHUTDOWN NOSAVE\r\n");
    assert!(c.wait_closed(Duration::from_secs(5)));
    assert!(s.wait_exit(Duration::from_secs(10)).expect("exits on SHUTDOWN").success());
}

#[test]
fn config_from_stdin_and_args() {
    let s = ServerBuilder::with_binary(VIREO).arg("--hz").arg("25").start();
    let mut c = s.connect();
    let r = c.cmd_parsed(&["CONFIG", "GET", "hz"]);
    assert_eq!(
        r.to_string(),
        ServerBuilder::redis().arg("--hz").arg("25").start().connect().cmd_parsed(&["CONFIG", "GET", "hz"]).to_string()
    );
    // "-" reads config lines from stdin; a bad line there is reported like Redis
    let r = run("/usr/bin/redis-server", &["-"], Some("port 0\nbogus 1\n"));
    let v = run(VIREO, &["-"], Some("port 0\nbogus 1\n"));
    assert_eq!(v.status.code(), Some(1));
    assert_eq!(text(&v), text(&r));
}

#[test]
fn debian_default_redis_conf_is_accepted() {
    let conf =
        ["/etc/redis/redis.conf", "/tmp/redis-suite/redis.conf"].into_iter().find(|p| std::path::Path::new(p).exists());
    let Some(conf) = conf else {
        eprintln!("no default redis.conf on this machine; skipped");
        return;
    };
    let dir = tempdir();
    let s = ServerBuilder::with_binary(VIREO)
        .config_file(conf)
        .arg("--pidfile")
        .arg(dir.join("v.pid").to_str().unwrap())
        .arg("--supervised")
        .arg("no")
        .start();
    let mut c = s.connect();
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vireo-startup-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
}

/// Anonymous huge pages the process holds, from /proc (kB).
fn anon_huge_kb(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("AnonHugePages:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// Whether this machine lets a process keep its heap in huge pages: a THP mode other than
/// "never" and a kernel from 5.8 on (copy-on-write of a huge page copies 4 KB).
fn huge_pages_expected() -> bool {
    let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
    if mode.is_empty() || mode.contains("[never]") {
        return false;
    }
    let rel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut it = rel.split(|c: char| !c.is_ascii_digit()).filter_map(|p| p.parse::<u32>().ok());
    (it.next().unwrap_or(0), it.next().unwrap_or(0)) >= (5, 8)
}

#[test]
fn heap_huge_pages_follow_the_config_and_the_kernel() {
    for want in ["yes", "no"] {
        let s = ServerBuilder::with_binary(VIREO)
            .arg("--heap-huge-pages")
            .arg(want)
            .arg("--enable-debug-command")
            .arg("yes")
            .start();
        let mut c = s.connect();
        // vireo's own parameter: shown when asked by name, hidden from patterns like Redis's
        // hidden ones, and fixed for the life of the process
        assert_eq!(
            c.cmd_parsed(&["CONFIG", "GET", "heap-huge-pages"]).to_string(),
            format!("[\"heap-huge-pages\", \"{want}\"]")
        );
        assert!(!c.cmd_parsed(&["CONFIG", "GET", "*"]).to_string().contains("heap-huge-pages"));
        let e = c.cmd_parsed(&["CONFIG", "SET", "heap-huge-pages", "no"]).to_string();
        assert!(e.contains("can't set immutable config"), "{e}");
        c.cmd(&["DEBUG", "POPULATE", "300000", "key", "100"]);
        let huge = anon_huge_kb(s.pid());
        let log = s.log();
        // about 50 MB was allocated after the decision; what jemalloc mapped while starting,
        // before the decision, may hold one huge page
        if want == "no" {
            assert!(huge <= 4096, "{huge} kB in huge pages: {log}");
        } else if huge_pages_expected() {
            assert!(log.contains("the heap is in transparent huge pages"), "{log}");
            assert!(huge > 16384, "{huge} kB in huge pages after populating: {log}");
        }
    }
}

#[test]
fn every_fork_is_booked() {
    let s = ServerBuilder::with_binary(VIREO).arg("--latency-monitor-threshold").arg("1").start();
    let mut c = s.connect();
    c.cmd(&["SET", "k", "v"]);
    let info = |c: &mut vireo_testkit::RawConn, f: &str| -> String {
        let t = String::from_utf8_lossy(&c.cmd(&["INFO", "stats"])).to_string();
        t.lines().find_map(|l| l.strip_prefix(&format!("{f}:")).map(|v| v.trim().to_string())).unwrap_or_default()
    };
    assert_eq!(info(&mut c, "total_forks"), "0");
    // an AOF rewrite forks too, and books its fork time like BGSAVE does
    c.cmd(&["BGREWRITEAOF"]);
    let t0 = std::time::Instant::now();
    while info(&mut c, "total_forks") != "1" {
        assert!(t0.elapsed() < Duration::from_secs(10), "BGREWRITEAOF never forked");
        std::thread::sleep(Duration::from_millis(10));
    }
    let usec: u64 = info(&mut c, "latest_fork_usec").parse().unwrap();
    assert!(usec > 0);
}
