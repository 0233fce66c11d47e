//! Helpers for the differential tests: start the reference redis-server on a free port, talk
//! RESP to it with a minimal client, stop it. Tests skip (with a note) when
//! /usr/bin/redis-server is not installed.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REDIS_SERVER: &str = "/usr/bin/redis-server";

pub fn redis_available() -> bool {
    if Path::new(REDIS_SERVER).exists() {
        true
    } else {
        eprintln!("note: {} is not installed; skipping the comparison with the reference server", REDIS_SERVER);
        false
    }
}

/// Arguments that make the reference server listen only on a unix socket in `dir` (no TCP port
/// to race for between parallel tests), after `extra`.
pub fn server_args(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    args.extend(["--port".to_string(), "0".to_string(), "--unixsocket".to_string(), socket_path(dir)]);
    args
}

pub fn socket_path(dir: &Path) -> String {
    dir.join("redis.sock").display().to_string()
}

/// A private temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let base = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        let dir = base.join(format!("vireo-config-{}-{}-{}", tag, std::process::id(), n));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A reference redis-server we started; killed (by its pid) on drop.
pub struct Redis {
    child: Child,
    conn: UnixStream,
}

impl Redis {
    /// Starts `redis-server <args>` in `cwd` (args from [`server_args`]) and waits until it
    /// answers on its socket.
    pub fn start(cwd: &Path, args: &[String]) -> Redis {
        let mut child = Command::new(REDIS_SERVER)
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(conn) = UnixStream::connect(socket_path(cwd)) {
                conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                return Redis { child, conn };
            }
            if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
                let _ = child.kill();
                let _ = child.wait();
                panic!("redis-server {:?} did not start", args);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends a command; returns the reply (errors as `Err(text)`).
    pub fn cmd(&mut self, args: &[&[u8]]) -> Result<Reply, String> {
        let mut req = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            req.extend_from_slice(a);
            req.extend_from_slice(b"\r\n");
        }
        self.conn.write_all(&req).unwrap();
        let mut r = BufReader::new(&self.conn);
        match read_reply(&mut r) {
            Reply::Error(e) => Err(e),
            other => Ok(other),
        }
    }

    pub fn cmd_str(&mut self, args: &[&str]) -> Result<Reply, String> {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.cmd(&a)
    }

    /// CONFIG GET with several patterns, as (name, value) pairs.
    pub fn config_get(&mut self, patterns: &[&str]) -> Vec<(String, String)> {
        let mut args = vec!["CONFIG", "GET"];
        args.extend_from_slice(patterns);
        match self.cmd_str(&args).unwrap() {
            Reply::Array(items) => items.chunks(2).map(|kv| (kv[0].text(), kv[1].text())).collect(),
            other => panic!("unexpected reply {:?}", other),
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

impl Reply {
    pub fn text(&self) -> String {
        match self {
            Reply::Bulk(Some(b)) => String::from_utf8_lossy(b).into_owned(),
            Reply::Status(s) => s.clone(),
            other => panic!("not a string: {:?}", other),
        }
    }
}

fn read_reply(r: &mut impl BufRead) -> Reply {
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let line = line.trim_end_matches("\r\n");
    let (kind, rest) = line.split_at(1);
    match kind {
        "+" => Reply::Status(rest.to_string()),
        "-" => Reply::Error(rest.to_string()),
        ":" => Reply::Int(rest.parse().unwrap()),
        "$" => {
            let n: i64 = rest.parse().unwrap();
            if n < 0 {
                return Reply::Bulk(None);
            }
            let mut buf = vec![0; n as usize + 2];
            r.read_exact(&mut buf).unwrap();
            buf.truncate(n as usize);
            Reply::Bulk(Some(buf))
        }
        "*" => {
            let n: i64 = rest.parse().unwrap();
            Reply::Array((0..n.max(0)).map(|_| read_reply(r)).collect())
        }
        other => panic!("unknown reply type {:?}", other),
    }
}

/// Runs `redis-server <args>` expecting it to fail at startup; returns (exit code, stderr,
/// stdout). Kills it if it is still running after a few seconds.
pub fn run_failing(cwd: &Path, args: &[String]) -> (Option<i32>, String, String) {
    let mut child = Command::new(REDIS_SERVER)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn redis-server");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
