//! RDB snapshots end to end, with the reference redis-server 7.0.15 on the other side: vireo's
//! SAVE/BGSAVE files pass redis-check-rdb and load in Redis with the same data; Redis's dump
//! loads in vireo; data survives SHUTDOWN and restart, DEBUG RELOAD, DUMP/RESTORE both ways;
//! a damaged file stops startup with an error naming the file and offset; a failed background
//! save turns on MISCONF. Every value type, in each of its encodings: strings, integers, lists
//! (packed and plain nodes), sets, hashes, sorted sets and streams with consumer groups.

mod runtime_support;

use runtime_support::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use vireo_testkit::{parse_reply, redis_binary, RawConn, ServerProcess};

fn fresh_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vireo-persist-{}-{}-{}", tag, std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 % 1_000_000_007
}

fn ok(c: &mut RawConn, args: &[&str]) {
    let r = c.cmd(args);
    assert!(!r.starts_with(b"-"), "{args:?}: {}", String::from_utf8_lossy(&r));
}

/// A dataset of every type that persists today, in databases 0 and 5, with expiries.
fn fill(c: &mut RawConn) {
    ok(c, &["SET", "str", "hello world"]);
    ok(c, &["SET", "int", "-42"]);
    ok(c, &["SET", "big", &"x".repeat(5000)]);
    ok(c, &["SET", "ttl", "soon", "EX", "100000"]);
    ok(c, &["SADD", "ints", "1", "2", "300000", "-9000000000"]);
    ok(c, &["SADD", "words", "alpha", "beta", "7"]);
    let many: Vec<String> = (0..1000).map(|i| format!("m{i}")).collect();
    let mut args = vec!["SADD", "many"];
    args.extend(many.iter().map(|s| s.as_str()));
    ok(c, &args);
    for i in 1..=300 {
        ok(c, &["XADD", "stream", &format!("{i}-1"), "field", &format!("value {i}"), "n", &i.to_string()]);
    }
    ok(c, &["XDEL", "stream", "5-1", "6-1"]);
    ok(c, &["XGROUP", "CREATE", "stream", "g1", "0"]);
    ok(c, &["XGROUP", "CREATE", "stream", "g2", "$"]);
    ok(c, &["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "stream", ">"]);
    ok(c, &["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "stream", ">"]);
    ok(c, &["XACK", "stream", "g1", "2-1"]);
    ok(c, &["XGROUP", "CREATECONSUMER", "stream", "g2", "carol"]);
    ok(c, &["XADD", "empty-stream", "1-1", "a", "b"]);
    ok(c, &["XDEL", "empty-stream", "1-1"]);
    ok(c, &["HSET", "h:small", "a", "1", "b", "two", "c", "-3"]);
    ok(c, &["HSET", "h:longval", "f", &"v".repeat(100)]);
    let mut args = vec!["HSET".to_string(), "h:big".to_string()];
    for i in 0..700 {
        args.push(format!("field{i}"));
        args.push(format!("{}", i * 3));
    }
    let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    ok(c, &args);
    ok(c, &["ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c", "1e300", "d"]);
    let mut args = vec!["ZADD".to_string(), "z:big".to_string()];
    for i in 0..300 {
        args.push(format!("{}", (i as f64) / 7.0));
        args.push(format!("member-{i}"));
    }
    let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    ok(c, &args);
    ok(c, &["RPUSH", "l:small", "a", "1", "-2", "three"]);
    ok(c, &["RPUSH", "l:plain", "x", &"p".repeat(9000), "y"]);
    let items: Vec<String> = (0..3000).map(|i| format!("item-{i}")).collect();
    let mut args = vec!["RPUSH", "l:big"];
    args.extend(items.iter().map(|s| s.as_str()));
    ok(c, &args);
    ok(c, &["SELECT", "5"]);
    ok(c, &["SET", "in5", "five"]);
    ok(c, &["PEXPIRE", "in5", "99999999"]);
    ok(c, &["SELECT", "0"]);
}

/// Every key of databases 0 and 5: type, value (sets sorted) and PEXPIRETIME.
fn snapshot(c: &mut RawConn) -> Vec<String> {
    let mut out = Vec::new();
    for db in ["0", "5"] {
        ok(c, &["SELECT", db]);
        let keys = parse_reply(&c.cmd(&["KEYS", "*"]));
        let mut keys: Vec<String> = keys.as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
        keys.sort();
        for k in keys {
            let t = parse_reply(&c.cmd(&["TYPE", &k])).as_str().unwrap().to_string();
            let v = match t.as_str() {
                "string" => String::from_utf8_lossy(&c.cmd(&["GET", &k])).to_string(),
                "set" => {
                    let r = parse_reply(&c.cmd(&["SMEMBERS", &k]));
                    let mut m: Vec<String> =
                        r.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
                    m.sort();
                    m.join(",")
                }
                "hash" => {
                    let r = parse_reply(&c.cmd(&["HGETALL", &k]));
                    let flat: Vec<String> =
                        r.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
                    let mut pairs: Vec<String> = flat.chunks(2).map(|p| format!("{}={}", p[0], p[1])).collect();
                    pairs.sort();
                    let enc = String::from_utf8_lossy(&c.cmd(&["OBJECT", "ENCODING", &k])).to_string();
                    format!("{enc}:{}", pairs.join(","))
                }
                "zset" => {
                    let r = c.cmd(&["ZRANGE", &k, "0", "-1", "WITHSCORES"]);
                    let enc = String::from_utf8_lossy(&c.cmd(&["OBJECT", "ENCODING", &k])).to_string();
                    format!("{enc}:{}", String::from_utf8_lossy(&r))
                }
                "list" => String::from_utf8_lossy(&c.cmd(&["LRANGE", &k, "0", "-1"])).to_string(),
                "stream" => {
                    let range = c.cmd(&["XRANGE", &k, "-", "+"]);
                    let full = c.cmd(&["XINFO", "STREAM", &k, "FULL"]);
                    format!("{}|{}", String::from_utf8_lossy(&range), String::from_utf8_lossy(&full))
                }
                other => panic!("unexpected type {other}"),
            };
            let exp = String::from_utf8_lossy(&c.cmd(&["PEXPIRETIME", &k])).to_string();
            out.push(format!("{db}/{k}/{t}/{v}/{exp}"));
        }
    }
    ok(c, &["SELECT", "0"]);
    out
}

fn check_rdb(path: &Path) {
    let out = Command::new("redis-check-rdb").arg(path).output().expect("redis-check-rdb");
    assert!(
        out.status.success(),
        "redis-check-rdb rejects {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

fn start_in(builder: vireo_testkit::ServerBuilder, dir: &Path) -> ServerProcess {
    builder.dir(dir).args(["--dbfilename", "dump.rdb", "--enable-debug-command", "yes"]).start()
}

#[test]
fn vireo_snapshots_load_in_redis_and_back() {
    let dir = fresh_dir("v2r");
    let v = start_in(vireo(), &dir);
    let mut c = v.connect();
    fill(&mut c);
    let want = snapshot(&mut c);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    check_rdb(&dir.join("dump.rdb"));
    assert_eq!(info_field(&mut c, "persistence", "rdb_changes_since_last_save"), "0");

    // BGSAVE: a forked child writes while the parent answers
    std::fs::remove_file(dir.join("dump.rdb")).unwrap();
    let before = parse_reply(&c.cmd(&["LASTSAVE"])).as_int().unwrap();
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "rdb_bgsave_in_progress") == "0"));
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_bgsave_status"), "ok");
    assert!(parse_reply(&c.cmd(&["LASTSAVE"])).as_int().unwrap() >= before);
    assert!(wait_log(&v, '*', "Background saving terminated with success"));
    check_rdb(&dir.join("dump.rdb"));
    assert_eq!(info_field(&mut c, "stats", "total_forks"), "1");

    // DEBUG RELOAD keeps everything
    assert_eq!(c.cmd(&["DEBUG", "RELOAD"]), b"+OK\r\n");
    assert_eq!(snapshot(&mut c), want);
    drop(c);
    drop(v);

    // real Redis loads vireo's file
    let r = start_in(redis(), &dir);
    let mut rc = r.connect();
    assert_eq!(snapshot(&mut rc), want);
    // and writes its own, which vireo loads
    assert_eq!(rc.cmd(&["SAVE"]), b"+OK\r\n");
    drop(rc);
    drop(r);
    let v = start_in(vireo(), &dir);
    let mut c = v.connect();
    assert_eq!(snapshot(&mut c), want);
    assert!(wait_log(&v, '*', "Done loading RDB, keys loaded: "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shutdown_saves_and_restart_restores() {
    let dir = fresh_dir("restart");
    let mut v = vireo().dir(&dir).args(["--save", "3600 1"]).start();
    let mut c = v.connect();
    fill(&mut c);
    let want = snapshot(&mut c);
    drop(c);
    // restart() stops with SIGTERM: the save point makes the final snapshot
    v.restart();
    let mut c = v.connect();
    assert_eq!(snapshot(&mut c), want);
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_load_keys_loaded"), "18");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dump_payloads_cross_both_ways() {
    let [v, r] = both(&[]);
    let (mut vc, mut rc) = (v.connect(), r.connect());
    fill(&mut vc);
    fill(&mut rc);
    for key in ["str", "int", "big", "ints", "words", "many", "stream", "empty-stream", "h:small", "h:longval", "h:big"]
    {
        let from_v = parse_reply(&vc.cmd(&["DUMP", key])).as_bytes().unwrap().to_vec();
        let from_r = parse_reply(&rc.cmd(&["DUMP", key])).as_bytes().unwrap().to_vec();
        let copy = format!("{key}:copy");
        for (c, payload) in [(&mut rc, &from_v), (&mut vc, &from_r)] {
            let reply = c.cmd_bytes(&[b"RESTORE", copy.as_bytes(), b"0", payload]);
            assert_eq!(reply, b"+OK\r\n", "RESTORE {key}");
        }
        for c in [&mut vc, &mut rc] {
            let a = c.cmd(&["DEBUG", "DIGEST-VALUE", key]);
            let b = c.cmd(&["DEBUG", "DIGEST-VALUE", &copy]);
            assert_eq!(a, b, "{key}");
        }
    }
    // the replies to bad input are Redis's
    for args in [
        vec!["RESTORE", "str", "0", "x"],
        vec!["RESTORE", "new", "0", "x"],
        vec!["RESTORE", "new", "-1", "x"],
        vec!["RESTORE", "new", "0", "x", "IDLETIME", "-1"],
        vec!["RESTORE", "new", "0", "x", "FREQ", "256"],
        vec!["RESTORE", "new", "0", "x", "BOGUS"],
        vec!["DUMP", "nosuchkey"],
    ] {
        assert_eq!(vc.cmd(&args), rc.cmd(&args), "{args:?}");
    }
}

#[test]
fn damaged_file_stops_startup() {
    let dir = fresh_dir("damaged");
    let v = start_in(vireo(), &dir);
    let mut c = v.connect();
    fill(&mut c);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    drop(c);
    drop(v);
    let path = dir.join("dump.rdb");
    let good = std::fs::read(&path).unwrap();
    // truncated
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let out = vireo().dir(&dir).run_expecting_exit(Duration::from_secs(10));
    assert!(!out.status.success());
    assert!(out.log.contains("dump.rdb") && out.log.contains("offset"), "{}", out.log);
    // a flipped byte in the body fails the checksum (or the structure)
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x5a;
    std::fs::write(&path, &bad).unwrap();
    let out = vireo().dir(&dir).run_expecting_exit(Duration::from_secs(10));
    assert!(!out.status.success(), "{}", out.log);
    // the file is left as it was
    assert_eq!(std::fs::read(&path).unwrap(), bad);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failed_bgsave_turns_on_misconf() {
    let dir = fresh_dir("misconf");
    let v = vireo().dir(&dir).args(["--save", "3600 1"]).start();
    let mut c = v.connect();
    ok(&mut c, &["SET", "k", "v"]);
    // the directory disappears under the server: the child cannot create its temp file
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "rdb_bgsave_in_progress") == "0"));
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_bgsave_status"), "err");
    let misconf = c.cmd(&["SET", "k", "w"]);
    assert!(
        misconf.starts_with(b"-MISCONF Redis is configured to save RDB snapshots"),
        "{}",
        String::from_utf8_lossy(&misconf)
    );
    assert!(c.cmd(&["PING"]).starts_with(b"-MISCONF"));
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    // writes come back when the option is off
    ok(&mut c, &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"]);
    assert_eq!(c.cmd(&["SET", "k", "w"]), b"+OK\r\n");
    // SHUTDOWN NOSAVE, since saving cannot work (the connection closes without a reply)
    c.send_cmd(&["SHUTDOWN", "NOSAVE"]);
    assert!(v.wait_exit(Duration::from_secs(10)).is_some());
}

#[test]
fn lfu_counters_travel_with_the_snapshot() {
    let dir = fresh_dir("lfu");
    let v = start_in(vireo().args(["--maxmemory-policy", "allkeys-lfu"]), &dir);
    let mut c = v.connect();
    ok(&mut c, &["SET", "hot", "v"]);
    for _ in 0..200 {
        ok(&mut c, &["GET", "hot"]);
    }
    ok(&mut c, &["SET", "cold", "v"]);
    let freq = |c: &mut RawConn, k: &str| parse_reply(&c.cmd(&["OBJECT", "FREQ", k])).as_int().unwrap();
    let (hot, cold) = (freq(&mut c, "hot"), freq(&mut c, "cold"));
    assert!(hot > cold, "hot {hot} cold {cold}");
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    check_rdb(&dir.join("dump.rdb"));
    assert_eq!(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]), b"+OK\r\n");
    assert_eq!((freq(&mut c, "hot"), freq(&mut c, "cold")), (hot, cold));
    drop(c);
    drop(v);
    let r = start_in(redis().args(["--maxmemory-policy", "allkeys-lfu"]), &dir);
    let mut rc = r.connect();
    assert_eq!((freq(&mut rc, "hot"), freq(&mut rc, "cold")), (hot, cold));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kill_9_during_bgsave_leaves_a_whole_file() {
    let dir = fresh_dir("kill");
    let mut v = start_in(vireo(), &dir);
    let mut c = v.connect();
    ok(&mut c, &["DEBUG", "POPULATE", "200000", "key", "100"]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    ok(&mut c, &["DEBUG", "POPULATE", "400000", "more", "100"]);
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    v.kill9();
    // the orphaned child may still finish; either way the file is a complete snapshot
    std::thread::sleep(Duration::from_secs(3));
    check_rdb(&dir.join("dump.rdb"));
    v.restart();
    let n = parse_reply(&v.connect().cmd(&["DBSIZE"])).as_int().unwrap();
    assert!(n == 200_000 || n == 600_000, "{n} keys");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server process started on `dir` without waiting for it to be ready (it is loading).
struct Loading {
    child: std::process::Child,
    port: u16,
}

impl Loading {
    fn spawn(binary: &Path, dir: &Path, extra: &[&str]) -> Loading {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = std::fs::File::create(dir.join(format!("loading-{port}.log"))).unwrap();
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--dir", dir.to_str().unwrap(), "--save", ""])
            .args(["--key-load-delay", "100", "--loading-process-events-interval-bytes", "1024"])
            .args(extra)
            .stdout(log)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        Loading { child, port }
    }

    fn connect(&self) -> RawConn {
        let addr: std::net::SocketAddr = format!("127.0.0.1:{}", self.port).parse().unwrap();
        let mut conn = None;
        assert!(wait_until(Duration::from_secs(20), || {
            conn = RawConn::connect(addr).ok();
            conn.is_some()
        }));
        conn.unwrap()
    }
}

impl Drop for Loading {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The field names of INFO persistence, in order.
fn persistence_fields(c: &mut RawConn) -> Vec<String> {
    let info = c.cmd_parsed(&["INFO", "persistence"]);
    info.as_str()
        .unwrap()
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|f| !f.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn clients_are_served_while_the_dataset_loads() {
    let dir = fresh_dir("loading");
    let v = start_in(vireo().args(["--enable-debug-command", "yes"]), &dir);
    let mut c = v.connect();
    ok(&mut c, &["DEBUG", "POPULATE", "20000", "key", "20"]);
    ok(&mut c, &["SAVE"]);
    drop(c);
    v.stop();
    let size = std::fs::metadata(dir.join("dump.rdb")).unwrap().len();

    // Redis, loading the same file as slowly, shows which INFO fields a loading server prints
    let r = Loading::spawn(&redis_binary(), &dir, &[]);
    let mut rc = r.connect();
    assert!(rc.cmd(&["GET", "key:1"]).starts_with(b"-LOADING"));
    let redis_fields = persistence_fields(&mut rc);
    drop(rc);
    drop(r);

    let l = Loading::spawn(Path::new(VIREO), &dir, &[]);
    let mut c = l.connect();
    assert_eq!(c.cmd(&["GET", "key:1"]), b"-LOADING Redis is loading the dataset in memory\r\n");
    assert_eq!(c.cmd(&["PING"]), b"-LOADING Redis is loading the dataset in memory\r\n");
    assert_eq!(c.cmd(&["SET", "x", "y"]), b"-LOADING Redis is loading the dataset in memory\r\n");
    assert_eq!(persistence_fields(&mut c), redis_fields, "INFO persistence while loading, field for field");
    assert_eq!(info_field(&mut c, "persistence", "loading"), "1");
    assert_eq!(info_field(&mut c, "persistence", "async_loading"), "0");
    assert_eq!(info_field(&mut c, "persistence", "loading_total_bytes"), size.to_string());
    let loaded: u64 = info_field(&mut c, "persistence", "loading_loaded_bytes").parse().unwrap();
    assert!(loaded <= size);
    // a second client connects and is answered too
    let mut c2 = l.connect();
    assert!(c2.cmd(&["DBSIZE"]).starts_with(b"-LOADING"));
    // then the load completes and the data is there
    assert!(wait_until(Duration::from_secs(60), || info_field(&mut c, "persistence", "loading") == "0"));
    assert_eq!(parse_reply(&c.cmd(&["DBSIZE"])).as_int(), Some(20000));
    assert_eq!(c.cmd(&["GET", "key:1"]), b"$20\r\nvalue:1\0\0\0\0\0\0\0\0\0\0\0\0\0\r\n"[..]);
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_load_keys_loaded"), "20000");
    assert_eq!(c2.cmd(&["PING"]), b"+PONG\r\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clients_are_served_while_the_aof_loads() {
    let dir = fresh_dir("loading-aof");
    let v = start_in(vireo().args(["--appendonly", "yes", "--enable-debug-command", "yes"]), &dir);
    let mut c = v.connect();
    for i in 0..5000 {
        ok(&mut c, &["RPUSH", "list", &i.to_string()]);
    }
    drop(c);
    v.stop();
    let l = Loading::spawn(Path::new(VIREO), &dir, &["--appendonly", "yes"]);
    let mut c = l.connect();
    assert_eq!(c.cmd(&["LLEN", "list"]), b"-LOADING Redis is loading the dataset in memory\r\n");
    assert_eq!(info_field(&mut c, "persistence", "loading"), "1");
    assert!(wait_until(Duration::from_secs(60), || info_field(&mut c, "persistence", "loading") == "0"));
    assert_eq!(c.cmd(&["LLEN", "list"]), b":5000\r\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn full_disk_fails_saves_and_keeps_the_old_dump() {
    let dir = fresh_dir("enospc");
    let v = start_in(vireo().args(["--save", "3600 1", "--enable-debug-command", "yes"]), &dir);
    let mut c = v.connect();
    ok(&mut c, &["SET", "k", "old"]);
    ok(&mut c, &["SAVE"]);
    let old = std::fs::read(dir.join("dump.rdb")).unwrap();
    ok(&mut c, &["SET", "k", "new"]);
    ok(&mut c, &["SET", "more", &"x".repeat(2000)]);
    // the disk fills up 50 bytes into the next file
    ok(&mut c, &["DEBUG", "DISK-FULL-AFTER", "50"]);
    assert_eq!(c.cmd(&["SAVE"]), b"-ERR\r\n");
    assert!(wait_log(&v, '#', "Write error saving DB on disk(rdbSaveRio): No space left on device"));
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "rdb_bgsave_in_progress") == "0"));
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_bgsave_status"), "err");
    assert_eq!(info_field(&mut c, "persistence", "rdb_saves"), "3");
    assert!(wait_log(&v, '#', "Background saving error"));
    assert_eq!(std::fs::read(dir.join("dump.rdb")).unwrap(), old, "the old dump is untouched");
    assert!(!std::fs::read_dir(&dir).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with("temp-")));
    assert!(c.cmd(&["SET", "k", "w"]).starts_with(b"-MISCONF Redis is configured to save RDB snapshots"));
    assert_eq!(c.cmd(&["GET", "k"]), b"$3\r\nnew\r\n");
    // space comes back: the next BGSAVE succeeds and writes are accepted again
    ok(&mut c, &["DEBUG", "DISK-FULL-AFTER", "-1"]);
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "rdb_last_bgsave_status") == "ok"));
    assert_eq!(c.cmd(&["SET", "k", "w"]), b"+OK\r\n");
    assert_ne!(std::fs::read(dir.join("dump.rdb")).unwrap(), old);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A background save reports its progress: the keys the child wrote so far, out of the total.
#[test]
fn bgsave_progress_is_reported() {
    let dir = fresh_dir("progress");
    let v = start_in(vireo(), &dir);
    let mut c = RawConn::connect(v.addr()).unwrap();
    ok(&mut c, &["DEBUG", "POPULATE", "3000"]);
    // two milliseconds per key: about six seconds of saving
    ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "2000"]);
    ok(&mut c, &["BGSAVE"]);
    let field = |c: &mut RawConn, f: &str| info_field(c, "persistence", f);
    assert!(wait_until(Duration::from_secs(20), || {
        let n: u64 = field(&mut c, "current_save_keys_processed").parse().unwrap();
        n > 0 && n < 3000
    }));
    assert_eq!(field(&mut c, "current_save_keys_total"), "3000");
    let perc: f64 = field(&mut c, "current_fork_perc").parse().unwrap();
    assert!(perc > 0.0 && perc < 100.0, "{perc}");
    ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "0"]);
}
