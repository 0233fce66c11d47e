//! Self-tests of server process handling, run against the reference redis-server: start and
//! readiness, arguments and configuration, stop/kill/drop/restart, port retry, failure messages,
//! and that no process outlives its owner.

use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vireo_testkit::{parse_reply, redis_available, redis_binary, Reply, ServerBuilder, ServerProcess};

/// Whether a process with this pid exists and is not a zombie.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat.rsplit(')').next().and_then(|s| s.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

fn wait_dead(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

fn config_get(s: &ServerProcess, name: &str) -> String {
    let r = s.connect().cmd_parsed(&["CONFIG", "GET", name]);
    r.get(name).and_then(Reply::as_str).unwrap_or_else(|| panic!("CONFIG GET {name}: {r}")).to_string()
}

#[test]
fn starts_with_the_defaults_and_answers() {
    assert!(redis_available());
    let s = ServerBuilder::redis().start();
    assert!(s.is_running());
    assert!(alive(s.pid()));
    assert_eq!(s.addr().port(), s.port());
    assert_eq!(s.name(), "redis");
    assert!(s.log().contains("Ready to accept connections"), "{}", s.log());
    let mut c = s.connect();
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(Path::new(&config_get(&s, "dir")).canonicalize().unwrap(), s.dir().canonicalize().unwrap());
    assert_eq!(config_get(&s, "save"), "");
    assert_eq!(config_get(&s, "appendonly"), "no");
    assert_eq!(config_get(&s, "bind"), "127.0.0.1");
    assert_eq!(config_get(&s, "port"), s.port().to_string());
}

#[test]
fn passes_extra_arguments_and_config_text() {
    let s = ServerBuilder::redis()
        .config_text("maxmemory 12mb\n")
        .arg("--databases")
        .arg("4")
        .args(["--hz", "100"])
        .start();
    assert_eq!(config_get(&s, "maxmemory"), "12582912");
    assert_eq!(config_get(&s, "databases"), "4");
    assert_eq!(config_get(&s, "hz"), "100");
    assert!(s.dir().join("testkit.conf").is_file());
    assert!(s.command_line().contains("--databases 4"), "{}", s.command_line());
}

#[test]
fn defaults_can_give_way_to_the_config_file() {
    let conf = "save 3600 1 300 100\nappendonly yes\n";
    let overridden = ServerBuilder::redis().config_text(conf).start();
    assert_eq!(config_get(&overridden, "save"), "");
    assert_eq!(config_get(&overridden, "appendonly"), "no");
    let s = ServerBuilder::redis().config_text(conf).without_default("save").without_default("--appendonly").start();
    assert_eq!(config_get(&s, "save"), "3600 1 300 100");
    assert_eq!(config_get(&s, "appendonly"), "yes");
    assert!(!s.command_line().contains("--save"), "{}", s.command_line());
}

#[test]
fn with_binary_and_many_at_once() {
    let handles: Vec<_> =
        (0..6).map(|_| std::thread::spawn(|| ServerBuilder::with_binary(redis_binary()).start())).collect();
    let servers: Vec<ServerProcess> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut ports: Vec<u16> = servers.iter().map(ServerProcess::port).collect();
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), servers.len());
    for s in &servers {
        assert_eq!(s.name(), "redis-server");
        assert_eq!(s.connect().cmd(&["PING"]), b"+PONG\r\n");
    }
}

#[test]
fn stop_kill9_and_drop_clean_up() {
    let s = ServerBuilder::redis().start();
    let (pid, dir) = (s.pid(), s.dir().to_path_buf());
    let status = s.stop();
    assert!(status.success(), "{status:?}");
    assert!(!s.is_running());
    assert!(!alive(pid));
    assert!(s.log().contains("ready to exit, bye bye"), "{}", s.log());
    assert_eq!(s.stop(), status, "stopping twice is harmless");
    assert!(dir.is_dir(), "the directory lives as long as the ServerProcess");
    drop(s);
    assert!(!dir.exists());

    let s = ServerBuilder::redis().start();
    let pid = s.pid();
    let status = s.kill9();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    assert!(!alive(pid));
    assert!(!s.log().contains("bye bye"));

    let s = ServerBuilder::redis().start();
    let (pid, dir) = (s.pid(), s.dir().to_path_buf());
    drop(s);
    assert!(!alive(pid));
    assert!(!dir.exists());
}

#[test]
fn a_panicking_test_leaves_nothing_behind() {
    let (tx, rx) = std::sync::mpsc::channel();
    let joined = std::thread::spawn(move || {
        let s = ServerBuilder::redis().start();
        tx.send((s.pid(), s.dir().to_path_buf())).unwrap();
        panic!("test failure while a server runs");
    })
    .join();
    assert!(joined.is_err());
    let (pid, dir) = rx.recv().unwrap();
    assert!(!alive(pid));
    assert!(!dir.exists());
}

#[test]
fn servers_outlive_the_thread_that_started_them() {
    let s = std::thread::spawn(|| ServerBuilder::redis().start()).join().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(s.is_running());
    assert_eq!(s.connect().cmd(&["PING"]), b"+PONG\r\n");
}

/// Started by `dies_with_the_test_process` as a separate process: starts a server, prints its
/// pid, and waits to be killed.
#[test]
#[ignore = "helper process for dies_with_the_test_process"]
fn helper_start_and_wait() {
    if std::env::var_os("TESTKIT_HELPER").is_none() {
        return;
    }
    let s = ServerBuilder::redis().start();
    println!("SERVER-PID {} {}", s.pid(), s.dir().display());
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn dies_with_the_test_process() {
    use std::io::{BufRead, BufReader};
    let mut helper = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "helper_start_and_wait", "--ignored", "--nocapture", "--test-threads", "1"])
        .env("TESTKIT_HELPER", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(helper.stdout.take().unwrap());
    let line = out.lines().map_while(Result::ok).find(|l| l.contains("SERVER-PID ")).expect("the helper's report");
    let mut report = line.split("SERVER-PID ").nth(1).unwrap().splitn(2, ' ');
    let pid: u32 = report.next().unwrap().parse().unwrap();
    let dir = std::path::PathBuf::from(report.next().unwrap());
    assert!(alive(pid));
    helper.kill().unwrap();
    helper.wait().unwrap();
    assert!(wait_dead(pid), "server {pid} survived its test process");
    // The killed helper could not remove its server's directory.
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn retries_when_the_port_is_taken() {
    let squatter = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let taken = squatter.local_addr().unwrap().port();
    let s = ServerBuilder::redis().first_port(taken).start();
    assert_ne!(s.port(), taken);
    assert_eq!(s.connect().cmd(&["PING"]), b"+PONG\r\n");
    // The failed attempt's log is kept in front of this run's.
    let whole = std::fs::read_to_string(s.log_path()).unwrap();
    assert!(whole.contains("Address already in use") || whole.contains("Failed listening"), "{whole}");
    assert!(!s.log().contains("Address already in use"));
}

#[test]
fn start_failure_panics_with_the_log() {
    let err = std::panic::catch_unwind(|| ServerBuilder::redis().arg("--nosuchdirective").arg("1").start())
        .expect_err("start must fail");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("exited with"), "{msg}");
    assert!(msg.contains("nosuchdirective"), "{msg}");
    assert!(msg.contains("FATAL CONFIG FILE ERROR"), "{msg}");
}

#[test]
fn start_timeout_panics() {
    // A "server" that takes any arguments, logs a line and never listens.
    let script = std::env::temp_dir().join(format!("testkit-silent-{}.sh", std::process::id()));
    std::fs::write(&script, "#!/bin/sh\necho silent server starting\nexec sleep 30\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let started = Instant::now();
    let script2 = script.clone();
    let err = std::panic::catch_unwind(move || {
        ServerBuilder::with_binary(script2).start_timeout(Duration::from_millis(500)).start()
    })
    .expect_err("start must time out");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("did not answer PING within 500ms"), "{msg}");
    assert!(msg.contains("silent server starting"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(5));
    std::fs::remove_file(&script).unwrap();
}

#[test]
fn run_expecting_exit_returns_status_and_log() {
    let exited = ServerBuilder::redis().arg("--port").arg("notaport").run_expecting_exit(Duration::from_secs(10));
    assert!(!exited.status.success());
    assert!(exited.log.contains("FATAL CONFIG FILE ERROR"), "{}", exited.log);
}

#[test]
fn restart_keeps_dir_port_and_data() {
    let mut s = ServerBuilder::redis().arg("--hz").arg("50").start();
    let (port, pid) = (s.port(), s.pid());
    let mut c = s.connect();
    assert_eq!(c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    assert!(s.dir().join("dump.rdb").is_file());
    s.restart();
    assert_ne!(s.pid(), pid);
    assert!(!alive(pid));
    assert_eq!(s.port(), port);
    assert_eq!(config_get(&s, "hz"), "50");
    assert_eq!(s.connect().cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    assert!(s.log().contains("DB loaded from disk"), "{}", s.log());
    assert_eq!(s.log().matches("Ready to accept connections").count(), 1, "log() shows this run only");
}

#[test]
fn a_second_server_on_the_same_dir() {
    let first = ServerBuilder::redis().start();
    assert_eq!(first.connect().cmd(&["SET", "k", "v"]), b"+OK\r\n");
    assert_eq!(first.connect().cmd(&["SAVE"]), b"+OK\r\n");
    first.stop();
    let second = ServerBuilder::redis().dir(first.dir()).start();
    assert_eq!(second.connect().cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    let dir = second.dir().to_path_buf();
    drop(second);
    assert!(dir.is_dir(), "a caller's directory is not removed");
}

#[test]
fn signals_pause_and_resume() {
    let s = ServerBuilder::redis().start();
    let mut c = s.connect();
    s.signal(libc::SIGSTOP);
    c.send(b"PING\r\n");
    assert_eq!(c.try_read_reply(Duration::from_millis(300)), None);
    s.signal(libc::SIGCONT);
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    assert_eq!(parse_reply(&c.cmd(&["DBSIZE"])).as_int(), Some(0));
}
