//! The multi-part AOF end to end with the reference redis-server 7.0.15: vireo's appendonlydir
//! (base, incr files, manifest, after a BGREWRITEAOF too) starts Redis with the same data and
//! Redis's starts vireo; with appendfsync always every acknowledged write survives kill -9; a
//! torn tail is cut when aof-load-truncated allows it and stops startup otherwise; CONFIG SET
//! appendonly yes at run time builds the directory in the background.

mod runtime_support;

use runtime_support::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use vireo_testkit::{parse_reply, RawConn, ServerBuilder};

fn fresh_dir(tag: &str) -> PathBuf {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_007;
    let d = std::env::temp_dir().join(format!("vireo-aof-{}-{}-{}", tag, std::process::id(), n));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ok(c: &mut RawConn, args: &[&str]) {
    let r = c.cmd(args);
    assert!(!r.starts_with(b"-"), "{args:?}: {}", String::from_utf8_lossy(&r));
}

fn fill(c: &mut RawConn, tag: &str) {
    ok(c, &["SET", &format!("s:{tag}"), "v"]);
    ok(c, &["INCRBY", "counter", "5"]);
    ok(c, &["RPUSH", "list", tag, "x"]);
    ok(c, &["SADD", "set", tag]);
    ok(c, &["HSET", "hash", tag, "1"]);
    ok(c, &["ZADD", "zset", "1.5", tag]);
    ok(c, &["XADD", "stream", "*", "tag", tag]);
    ok(c, &["SET", &format!("ttl:{tag}"), "v", "EX", "100000"]);
    ok(c, &["MULTI"]);
    ok(c, &["INCR", "in-multi"]);
    ok(c, &["SELECT", "3"]);
    ok(c, &["SET", &format!("db3:{tag}"), "v"]);
    ok(c, &["EXEC"]);
    ok(c, &["SELECT", "0"]);
}

fn digest(c: &mut RawConn) -> Vec<u8> {
    c.cmd(&["DEBUG", "DIGEST"])
}

fn aof_builder(b: ServerBuilder, dir: &Path) -> ServerBuilder {
    b.dir(dir).args(["--appendonly", "yes", "--enable-debug-command", "yes"])
}

#[test]
fn aof_directories_cross_between_vireo_and_redis() {
    let dir = fresh_dir("cross");
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    fill(&mut c, "one");
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), b"+Background append only file rewriting started\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "0"));
    assert_eq!(info_field(&mut c, "persistence", "aof_last_bgrewrite_status"), "ok");
    fill(&mut c, "two");
    let want = digest(&mut c);
    let manifest = std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap();
    assert!(manifest.contains("appendonly.aof.2.base.rdb seq 2 type b"), "{manifest}");
    assert!(manifest.contains("type i"), "{manifest}");
    drop(c);
    drop(v);

    let r = aof_builder(redis(), &dir).start();
    let mut rc = r.connect();
    assert_eq!(digest(&mut rc), want, "Redis loads vireo's AOF with the same data");
    fill(&mut rc, "three");
    let want = digest(&mut rc);
    drop(rc);
    drop(r);

    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    assert_eq!(digest(&mut c), want, "vireo loads Redis's AOF with the same data");
    assert!(v.log().contains("DB loaded from append only file"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fsync_always_survives_kill_9() {
    let dir = fresh_dir("always");
    let mut v = aof_builder(vireo(), &dir).args(["--appendfsync", "always"]).start();
    let mut c = v.connect();
    for i in 0..200 {
        assert_eq!(c.cmd(&["SET", &format!("k{i}"), &i.to_string()]), b"+OK\r\n");
    }
    let want = digest(&mut c);
    drop(c);
    v.kill9();
    v.restart();
    let mut c = v.connect();
    assert_eq!(digest(&mut c), want);
    assert_eq!(parse_reply(&c.cmd(&["DBSIZE"])).as_int(), Some(200));
    let _ = std::fs::remove_dir_all(&dir);
}

fn incr_path(dir: &Path) -> PathBuf {
    let m = std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap();
    let name = m.lines().rfind(|l| l.ends_with("type i")).unwrap().split_whitespace().nth(1).unwrap().to_string();
    dir.join("appendonlydir").join(name)
}

#[test]
fn torn_tail_follows_aof_load_truncated() {
    let dir = fresh_dir("torn");
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    ok(&mut c, &["SET", "a", "1"]);
    ok(&mut c, &["SET", "b", "2"]);
    drop(c);
    drop(v);
    let path = incr_path(&dir);
    let mut data = std::fs::read(&path).unwrap();
    let good_len = data.len();
    data.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhel");
    std::fs::write(&path, &data).unwrap();

    // aof-load-truncated no: refuse to start, file untouched
    let out =
        aof_builder(vireo(), &dir).args(["--aof-load-truncated", "no"]).run_expecting_exit(Duration::from_secs(10));
    assert!(!out.status.success(), "{}", out.log);
    assert_eq!(std::fs::read(&path).unwrap(), data);

    // yes (the default): the torn command is cut off and the rest loads
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    assert_eq!(c.cmd(&["MGET", "a", "b", "c"]), b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
    assert!(v.log().contains("loaded anyway because aof-load-truncated is enabled"));
    assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, good_len);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_set_appendonly_builds_the_directory() {
    let dir = fresh_dir("runtime");
    let v = vireo().dir(&dir).args(["--enable-debug-command", "yes"]).start();
    let mut c = v.connect();
    fill(&mut c, "before");
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrite_in_progress")
        == "0"
        && info_field(&mut c, "persistence", "aof_rewrites") == "1"));
    fill(&mut c, "after");
    let want = digest(&mut c);
    assert_eq!(info_field(&mut c, "persistence", "aof_enabled"), "1");
    drop(c);
    v.stop();
    let v2 = aof_builder(vireo(), &dir).start();
    let mut c = v2.connect();
    assert_eq!(digest(&mut c), want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_tools_report_and_fix() {
    let dir = fresh_dir("check");
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    fill(&mut c, "x");
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    drop(c);
    drop(v);
    let check_rdb =
        |p: &Path| std::process::Command::new(env!("CARGO_BIN_EXE_vireo-check-rdb")).arg(p).output().unwrap();
    let rdb = dir.join("dump.rdb");
    let out = check_rdb(&rdb);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && text.contains("RDB looks OK") && text.contains("keys read"), "{text}");
    let mut bytes = std::fs::read(&rdb).unwrap();
    let n = bytes.len();
    bytes.truncate(n - 20);
    std::fs::write(&rdb, &bytes).unwrap();
    let out = check_rdb(&rdb);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success() && text.contains("RDB ERROR DETECTED") && text.contains("[offset "), "{text}");

    let manifest = dir.join("appendonlydir/appendonly.aof.manifest");
    let check_aof = |args: &[&str], input: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vireo-check-aof"))
            .args(args)
            .arg(&manifest)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = check_aof(&[], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // Redis's own checker agrees
    let theirs = std::process::Command::new("redis-check-aof").arg(&manifest).output().unwrap();
    assert!(theirs.status.success(), "{}", String::from_utf8_lossy(&theirs.stdout));

    let incr = incr_path(&dir);
    let mut data = std::fs::read(&incr).unwrap();
    let good = data.len();
    data.extend_from_slice(b"*2\r\n$3\r\nDEL\r\n$1");
    std::fs::write(&incr, &data).unwrap();
    let out = check_aof(&[], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("ok_up_to={good}")));
    let out = check_aof(&["--fix"], "y\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(std::fs::metadata(&incr).unwrap().len() as usize, good);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn old_single_file_aof_is_migrated() {
    let dir = fresh_dir("legacy");
    // what Redis 6 wrote: one file of commands
    let mut old = Vec::new();
    for (i, cmd) in [
        vec!["SELECT", "0"],
        vec!["SET", "old", "value"],
        vec!["RPUSH", "list", "a", "b"],
        vec!["SELECT", "2"],
        vec!["SADD", "s", "x"],
    ]
    .iter()
    .enumerate()
    {
        let _ = i;
        old.extend_from_slice(format!("*{}\r\n", cmd.len()).as_bytes());
        for a in cmd {
            old.extend_from_slice(format!("${}\r\n{}\r\n", a.len(), a).as_bytes());
        }
    }
    std::fs::write(dir.join("appendonly.aof"), &old).unwrap();
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    assert_eq!(c.cmd(&["GET", "old"]), b"$5\r\nvalue\r\n");
    ok(&mut c, &["SELECT", "2"]);
    assert_eq!(c.cmd(&["SISMEMBER", "s", "x"]), b":1\r\n");
    let want = digest(&mut c);
    assert!(v.log().contains(
        "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir)."
    ));
    let manifest = std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap();
    assert!(manifest.starts_with("file appendonly.aof seq 1 type b\n"), "{manifest}");
    drop(c);
    drop(v);
    // and Redis reads the migrated directory
    let r = aof_builder(redis(), &dir).start();
    assert_eq!(digest(&mut r.connect()), want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn growth_triggers_an_automatic_rewrite() {
    let dir = fresh_dir("auto");
    let v = aof_builder(vireo(), &dir)
        .args(["--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "10kb"])
        .start();
    let mut c = v.connect();
    let value = "x".repeat(100);
    for i in 0..300 {
        ok(&mut c, &["SET", &format!("k{}", i % 10), &value]);
    }
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrites") != "0"));
    assert!(v.log().contains("Starting automatic rewriting of AOF on"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn timestamp_annotations_cross_both_ways() {
    let dir = fresh_dir("ts");
    let ts = ["--aof-timestamp-enabled", "yes"];
    let v = aof_builder(vireo(), &dir).args(ts).start();
    let mut c = v.connect();
    fill(&mut c, "one");
    let want = digest(&mut c);
    drop(c);
    drop(v);
    let incr = std::fs::read(incr_path(&dir)).unwrap();
    assert!(incr.starts_with(b"#TS:"), "{}", String::from_utf8_lossy(&incr[..20.min(incr.len())]));
    let r = aof_builder(redis(), &dir).args(ts).start();
    let mut rc = r.connect();
    assert_eq!(digest(&mut rc), want);
    fill(&mut rc, "two");
    let want = digest(&mut rc);
    drop(rc);
    drop(r);
    let v = aof_builder(vireo(), &dir).args(ts).start();
    assert_eq!(digest(&mut v.connect()), want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every type in its small and big encodings (the big ones cross the 64-item batches of the
/// command-form rewrite), expiries, several databases, and streams with deleted entries,
/// groups, pending entries and a consumer without any, plus an empty stream.
fn fill_every_type(c: &mut RawConn) {
    ok(c, &["SET", "str", "hello world"]);
    ok(c, &["SET", "int", "-42"]);
    ok(c, &["SET", "ttl", "soon", "PXAT", "99999999999999"]);
    ok(c, &["SADD", "ints", "1", "2", "300000", "-9000000000"]);
    ok(c, &["SADD", "words", "alpha", "beta", "7"]);
    ok(c, &["HSET", "h:small", "a", "1", "b", "two", "c", "-3"]);
    ok(c, &["ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c", "1e300", "d", "0.1", "e"]);
    ok(c, &["RPUSH", "l:small", "a", "1", "-2", "three"]);
    ok(c, &["RPUSH", "l:plain", "x", &"p".repeat(9000), "y"]);
    for i in 0..200 {
        let (m, s) = (format!("m{i}"), format!("{}", i as f64 / 7.0));
        ok(c, &["SADD", "s:big", &m]);
        ok(c, &["SADD", "s:bigints", &i.to_string()]);
        ok(c, &["RPUSH", "l:big", &m]);
        ok(c, &["HSET", "h:big", &m, &s]);
        ok(c, &["ZADD", "z:big", &s, &m]);
    }
    ok(c, &["PEXPIREAT", "z:big", "99999999999998"]);
    for i in 1..=100 {
        ok(c, &["XADD", "stream", &format!("{i}-1"), "field", &format!("value {i}"), "n", &i.to_string()]);
    }
    ok(c, &["XDEL", "stream", "5-1", "100-1"]);
    ok(c, &["XGROUP", "CREATE", "stream", "g1", "0"]);
    ok(c, &["XGROUP", "CREATE", "stream", "g2", "$"]);
    ok(c, &["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "stream", ">"]);
    ok(c, &["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "stream", ">"]);
    ok(c, &["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "stream", "0"]);
    ok(c, &["XACK", "stream", "g1", "2-1"]);
    ok(c, &["XGROUP", "CREATECONSUMER", "stream", "g2", "carol"]);
    ok(c, &["XADD", "empty-stream", "1-1", "a", "b"]);
    ok(c, &["XDEL", "empty-stream", "1-1"]);
    ok(c, &["SELECT", "5"]);
    ok(c, &["SET", "in5", "five"]);
    ok(c, &["PEXPIRE", "in5", "99999999"]);
    ok(c, &["SELECT", "0"]);
}

/// The parts of the dataset DEBUG DIGEST leaves out: every key's PEXPIRETIME and each
/// stream's XINFO STREAM FULL (groups, PEL, consumers), with consumers' seen-time masked (a
/// rewrite's XCLAIM and CREATECONSUMER set it to the load time, in Redis as well).
fn beyond_digest(c: &mut RawConn) -> Vec<String> {
    let mut out = Vec::new();
    for db in ["0", "5"] {
        ok(c, &["SELECT", db]);
        let keys = parse_reply(&c.cmd(&["KEYS", "*"]));
        let mut keys: Vec<String> = keys.as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
        keys.sort();
        for k in keys {
            let exp = String::from_utf8_lossy(&c.cmd(&["PEXPIRETIME", &k])).to_string();
            let mut line = format!("{db}/{k}/{exp}");
            if c.cmd(&["TYPE", &k]) == b"+stream\r\n" {
                let full = String::from_utf8_lossy(&c.cmd(&["XINFO", "STREAM", &k, "FULL"])).to_string();
                let mut masked = String::new();
                let mut rest = full.as_str();
                while let Some(at) = rest.find("seen-time\r\n:") {
                    let end = at + "seen-time\r\n:".len();
                    masked.push_str(&rest[..end]);
                    rest = &rest[end..];
                    rest = &rest[rest.find("\r\n").unwrap()..];
                }
                masked.push_str(rest);
                line.push('/');
                line.push_str(&masked);
            }
            out.push(line);
        }
    }
    ok(c, &["SELECT", "0"]);
    out
}

fn base_of(dir: &Path) -> (String, Vec<u8>) {
    let m = std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap();
    let name = m.lines().find(|l| l.ends_with("type b")).unwrap().split_whitespace().nth(1).unwrap().to_string();
    let data = std::fs::read(dir.join("appendonlydir").join(&name)).unwrap();
    (name, data)
}

#[test]
fn command_form_base_crosses_between_vireo_and_redis() {
    let dir = fresh_dir("cmdform");
    let no_preamble = ["--aof-use-rdb-preamble", "no"];
    let v = aof_builder(vireo(), &dir).args(no_preamble).start();
    let mut c = v.connect();
    fill_every_type(&mut c);
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), b"+Background append only file rewriting started\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "0"));
    assert_eq!(info_field(&mut c, "persistence", "aof_last_bgrewrite_status"), "ok");
    let want = (digest(&mut c), beyond_digest(&mut c));
    let (name, base) = base_of(&dir);
    assert_eq!(name, "appendonly.aof.2.base.aof");
    assert!(base.starts_with(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"), "{}", String::from_utf8_lossy(&base[..40]));
    // the batches: 200 list elements make RPUSHes of 64, 64, 64 and 8
    let text = String::from_utf8_lossy(&base).to_string();
    assert_eq!(text.matches("*66\r\n$5\r\nRPUSH\r\n$5\r\nl:big\r\n").count(), 3);
    assert_eq!(text.matches("*10\r\n$5\r\nRPUSH\r\n$5\r\nl:big\r\n").count(), 1);
    assert_eq!(text.matches("*130\r\n$4\r\nZADD\r\n$5\r\nz:big\r\n").count(), 3);
    assert!(text.contains("$6\r\nXCLAIM\r\n"), "pending entries are rebuilt by XCLAIM");
    assert!(text.contains("$9\r\nPEXPIREAT\r\n$3\r\nttl\r\n$14\r\n99999999999999\r\n"));
    drop(c);
    drop(v);

    // Redis loads vireo's command-form base, then rewrites its own in the same form
    let r = aof_builder(redis(), &dir).args(no_preamble).start();
    let mut rc = r.connect();
    assert_eq!((digest(&mut rc), beyond_digest(&mut rc)), want, "Redis loads vireo's command-form base");
    assert_eq!(rc.cmd(&["BGREWRITEAOF"]), b"+Background append only file rewriting started\r\n");
    assert!(
        wait_until(Duration::from_secs(10), || info_field(&mut rc, "persistence", "aof_rewrite_in_progress") == "0")
    );
    assert_eq!(info_field(&mut rc, "persistence", "aof_last_bgrewrite_status"), "ok");
    ok(&mut rc, &["SET", "after-redis-rewrite", "1"]);
    let want = (digest(&mut rc), beyond_digest(&mut rc));
    drop(rc);
    drop(r);
    let (name, base) = base_of(&dir);
    assert!(name.ends_with(".base.aof") && base.starts_with(b"*"), "Redis wrote {name}");

    // vireo loads Redis's command-form base
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    assert_eq!((digest(&mut c), beyond_digest(&mut c)), want, "vireo loads Redis's command-form base");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn command_form_base_on_startup_and_runtime_enable() {
    // CONFIG SET appendonly yes with the preamble off writes the first base in command form
    let dir = fresh_dir("cmdform-on");
    let v = vireo().dir(&dir).args(["--enable-debug-command", "yes", "--aof-use-rdb-preamble", "no"]).start();
    let mut c = v.connect();
    fill_every_type(&mut c);
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrite_in_progress")
        == "0"
        && info_field(&mut c, "persistence", "aof_rewrites") == "1"));
    let (name, _) = base_of(&dir);
    assert_eq!(name, "appendonly.aof.1.base.aof");
    ok(&mut c, &["SET", "later", "x"]);
    let want = (digest(&mut c), beyond_digest(&mut c));
    drop(c);
    drop(v);
    let r = aof_builder(redis(), &dir).start();
    let mut rc = r.connect();
    assert_eq!((digest(&mut rc), beyond_digest(&mut rc)), want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn full_disk_refuses_writes_until_the_aof_can_be_written() {
    let dir = fresh_dir("enospc");
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    ok(&mut c, &["SET", "a", "1"]);
    // room for 10 more bytes: the next command is cut short, taken back out of the file, and
    // kept in memory to be written again
    ok(&mut c, &["DEBUG", "DISK-FULL-AFTER", "10"]);
    assert_eq!(c.cmd(&["SET", "b", "2"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "c", "3"]), b"-MISCONF Errors writing to the AOF file: No space left on device\r\n");
    assert!(c.cmd(&["PING"]).starts_with(b"-MISCONF"));
    assert_eq!(c.cmd(&["GET", "b"]), b"$1\r\n2\r\n");
    assert_eq!(info_field(&mut c, "persistence", "aof_last_write_status"), "err");
    assert!(wait_log(&v, '#', "Short write while writing to the AOF file: (nwritten=10, expected=27)"));
    let incr = std::fs::read(incr_path(&dir)).unwrap();
    assert!(incr.ends_with(b"$1\r\na\r\n$1\r\n1\r\n"), "the partial command was removed");
    // space comes back: cron writes the kept command, and writes are accepted again
    ok(&mut c, &["DEBUG", "DISK-FULL-AFTER", "-1"]);
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_last_write_status") == "ok"));
    assert!(wait_log(&v, '#', "AOF write error looks solved, Redis can write again."));
    assert_eq!(c.cmd(&["SET", "c", "3"]), b"+OK\r\n");
    let want = digest(&mut c);
    drop(c);
    drop(v);
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    assert_eq!(digest(&mut c), want);
    assert_eq!(c.cmd(&["MGET", "a", "b", "c"]), b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn old_aof_with_rdb_preamble_loads_preamble_and_commands() {
    let dir = fresh_dir("legacy-preamble");
    // what Redis 4 to 6 wrote with aof-use-rdb-preamble: an RDB, then the commands after it
    let v = vireo().dir(&dir).start();
    let mut c = v.connect();
    ok(&mut c, &["SET", "from-rdb", "1"]);
    ok(&mut c, &["RPUSH", "list", "a"]);
    ok(&mut c, &["SAVE"]);
    drop(c);
    drop(v);
    let mut old = std::fs::read(dir.join("dump.rdb")).unwrap();
    std::fs::remove_file(dir.join("dump.rdb")).unwrap();
    for cmd in [vec!["SELECT", "0"], vec!["SET", "from-commands", "2"], vec!["RPUSH", "list", "b"]] {
        old.extend_from_slice(format!("*{}\r\n", cmd.len()).as_bytes());
        for a in cmd {
            old.extend_from_slice(format!("${}\r\n{}\r\n", a.len(), a).as_bytes());
        }
    }
    std::fs::write(dir.join("appendonly.aof"), &old).unwrap();
    let r = aof_builder(redis(), &dir).start();
    let mut rc = r.connect();
    let want = digest(&mut rc);
    assert_eq!(rc.cmd(&["LRANGE", "list", "0", "-1"]), b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    drop(rc);
    drop(r);
    // Redis migrated it; start over from the single file for vireo
    std::fs::remove_dir_all(dir.join("appendonlydir")).unwrap();
    std::fs::write(dir.join("appendonly.aof"), &old).unwrap();
    let v = aof_builder(vireo(), &dir).start();
    let mut c = v.connect();
    assert_eq!(c.cmd(&["MGET", "from-rdb", "from-commands"]), b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_eq!(digest(&mut c), want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The forked children of a server process (its rewrite or save child).
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            if let Ok(text) = std::fs::read_to_string(t.path().join("children")) {
                out.extend(text.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
            }
        }
    }
    out
}

/// Kills the server's rewrite child with `signal` (it must exist) and waits until the server
/// has reaped it.
fn kill_rewrite_child(s: &vireo_testkit::ServerProcess, c: &mut RawConn, signal: &str) {
    let kids = children_of(s.pid());
    assert_eq!(kids.len(), 1, "{}: one rewrite child expected, found {kids:?}", s.name());
    let st = std::process::Command::new("kill").args([signal, &kids[0].to_string()]).status().unwrap();
    assert!(st.success());
    assert!(wait_until(Duration::from_secs(10), || info_field(c, "persistence", "aof_rewrite_in_progress") == "0"));
}

fn manifest_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap_or_else(|_| "<none>".into())
}

fn rewrite_fields(c: &mut RawConn) -> String {
    [
        "aof_enabled",
        "aof_rewrite_in_progress",
        "aof_last_bgrewrite_status",
        "aof_rewrites",
        "aof_rewrites_consecutive_failures",
    ]
    .iter()
    .map(|f| format!("{f}:{}", info_field(c, "persistence", f)))
    .collect::<Vec<_>>()
    .join(" ")
}

/// BGREWRITEAOF attempts that fail (a child killed with SIGKILL; SIGUSR1 is a deliberate stop
/// that does not count) each leave their incr file in the manifest; after three consecutive
/// failures the automatic rewrite is held back with Redis's log line, while a user's
/// BGREWRITEAOF still runs and, succeeding, folds every incr file into the new base. vireo and
/// redis-server go through the same steps and must agree on every observation.
fn failing_rewrites_scenario(b: ServerBuilder, dir: &Path) -> Vec<String> {
    let s = aof_builder(b, dir).start();
    let mut c = s.connect();
    let mut obs = Vec::new();
    ok(&mut c, &["SET", "k", "v"]);
    // one key takes the child 100 s to write: it is still running when killed
    ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "100000000"]);
    for signal in ["-9", "-USR1", "-9", "-9"] {
        obs.push(String::from_utf8_lossy(&c.cmd(&["BGREWRITEAOF"])).into_owned());
        obs.push(manifest_text(dir));
        kill_rewrite_child(&s, &mut c, signal);
        obs.push(rewrite_fields(&mut c));
    }
    let before = manifest_text(dir);
    ok(&mut c, &["CONFIG", "SET", "auto-aof-rewrite-percentage", "1"]);
    ok(&mut c, &["CONFIG", "SET", "auto-aof-rewrite-min-size", "1kb"]);
    ok(&mut c, &["SET", "x", &"x".repeat(2048)]);
    assert!(
        wait_log(
            &s,
            '#',
            "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in 1 minutes"
        ),
        "{}: {}",
        s.name(),
        s.log_tail(20)
    );
    obs.push(rewrite_fields(&mut c));
    assert_eq!(manifest_text(dir), before, "{}: no new incr file while limited", s.name());
    ok(&mut c, &["CONFIG", "SET", "auto-aof-rewrite-percentage", "0"]);
    ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    // a user's BGREWRITEAOF is not held back
    obs.push(String::from_utf8_lossy(&c.cmd(&["BGREWRITEAOF"])).into_owned());
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "0"));
    obs.push(manifest_text(dir));
    obs.push(rewrite_fields(&mut c));
    let d1 = digest(&mut c);
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
    assert_eq!(digest(&mut c), d1);
    obs
}

#[test]
fn failed_rewrites_keep_their_incr_files_and_hold_back_automatic_ones() {
    let (dv, dr) = (fresh_dir("rwfail-v"), fresh_dir("rwfail-r"));
    let v = failing_rewrites_scenario(vireo(), &dv);
    let r = failing_rewrites_scenario(redis(), &dr);
    assert_eq!(v, r);
    // and the facts themselves: four attempts, four incr files after the first one
    let has = |obs: &str, f: &str| obs.split_whitespace().any(|w| w == f);
    assert_eq!(
        v[10],
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n\
         file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n\
         file appendonly.aof.4.incr.aof seq 4 type i\nfile appendonly.aof.5.incr.aof seq 5 type i\n"
    );
    assert!(has(&v[5], "aof_rewrites_consecutive_failures:1"), "SIGUSR1 is no failure: {}", v[5]);
    assert!(has(&v[11], "aof_rewrites_consecutive_failures:3") && has(&v[11], "aof_rewrites:4"), "{}", v[11]);
    assert!(has(&v[11], "aof_last_bgrewrite_status:err"), "{}", v[11]);
    assert_eq!(v[13], "+Background append only file rewriting started\r\n");
    assert_eq!(v[14], "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.6.incr.aof seq 6 type i\n");
    assert!(
        has(&v[15], "aof_rewrites_consecutive_failures:0") && has(&v[15], "aof_last_bgrewrite_status:ok"),
        "{}",
        v[15]
    );
    let _ = std::fs::remove_dir_all(&dv);
    let _ = std::fs::remove_dir_all(&dr);
}

/// The names in the AOF directory, without the rewrite child's own temp files (Redis writes
/// those in `dir`, vireo next to the base).
fn aof_dir_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("appendonlydir"))
        .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.retain(|n| !n.starts_with("temp-rewriteaof"));
    v.sort();
    v
}

/// CONFIG SET appendonly yes at run time: the writes made during the first rewrite collect in
/// `temp-appendonly.aof.incr`, outside any manifest; a failed attempt removes it and the
/// rewrite is retried; only the first success writes the manifest, naming the base and the
/// renamed temp file. vireo and redis-server must agree on every observation.
fn runtime_enable_scenario(b: ServerBuilder, dir: &Path) -> Vec<String> {
    let s = b.dir(dir).args(["--enable-debug-command", "yes"]).start();
    let mut c = s.connect();
    let mut obs = Vec::new();
    fill(&mut c, "before");
    ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "100000000"]);
    obs.push(String::from_utf8_lossy(&c.cmd(&["CONFIG", "SET", "appendonly", "yes"])).into_owned());
    obs.push(rewrite_fields(&mut c));
    fill(&mut c, "during");
    obs.push(format!("{:?}", aof_dir_names(dir)));
    let temp = dir.join("appendonlydir/temp-appendonly.aof.incr");
    assert!(std::fs::metadata(&temp).unwrap().len() > 0, "{}: writes reach the temp incr file", s.name());
    kill_rewrite_child(&s, &mut c, "-9");
    assert!(wait_log(&s, '*', "Removing the temp incr aof file temp-appendonly.aof.incr in the background"));
    obs.push(manifest_text(dir));
    obs.push(info_field(&mut c, "persistence", "aof_rewrites_consecutive_failures"));
    // the attempt is retried from scratch
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "1"));
    ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    kill_rewrite_child(&s, &mut c, "-9");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_last_bgrewrite_status")
        == "ok"
        && info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "0"));
    obs.push(
        log_lines(&s.log()).iter().filter(|l| l.msg.starts_with("Removing the temp incr aof file")).count().to_string(),
    );
    obs.push(manifest_text(dir));
    obs.push(format!("{:?}", aof_dir_names(dir)));
    obs.push(rewrite_fields(&mut c));
    fill(&mut c, "after");
    let want = digest(&mut c);
    drop(c);
    s.stop();
    let s2 = aof_builder(vireo(), dir).start();
    assert_eq!(digest(&mut s2.connect()), want, "{}'s directory loads with every write", s.name());
    obs
}

#[test]
fn runtime_enable_collects_writes_in_a_temp_incr_until_a_rewrite_succeeds() {
    let (dv, dr) = (fresh_dir("rtenable-v"), fresh_dir("rtenable-r"));
    let v = runtime_enable_scenario(vireo(), &dv);
    let r = runtime_enable_scenario(redis(), &dr);
    assert_eq!(v, r);
    assert_eq!(v[2], r#"["temp-appendonly.aof.incr"]"#);
    assert_eq!(v[3], "<none>");
    assert_eq!(v[5], "2");
    assert_eq!(v[6], "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    let _ = std::fs::remove_dir_all(&dv);
    let _ = std::fs::remove_dir_all(&dr);
}

/// A checker's report, exit code and the files it left (name, bytes).
type CheckerRun = (String, Option<i32>, Vec<(String, Vec<u8>)>);

/// Runs a checker (`theirs`: redis-check-aof / redis-check-rdb, or ours) in `dir` with `args`
/// and `stdin`; returns its stdout (log-line prefixes reduced to `PID:C TIME`), exit code
/// and the bytes of every file left in `dir` (what --fix cut).
fn run_checker(bin: &str, dir: &Path, args: &[&str], stdin: &str) -> CheckerRun {
    use std::io::Write;
    let mut child = std::process::Command::new(bin)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text: String = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| match parse_log_line(l) {
            Some(p) => format!("PID:C TIME {} {}\n", p.level, p.msg),
            None => format!("{l}\n"),
        })
        .collect();
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                files.push((
                    e.path().strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    files.sort();
    (text, out.status.code(), files)
}

/// Each case: a directory built by `setup`, then both checkers on copies of it.
fn checkers_agree(tag: &str, setup: impl Fn(&Path), args: &[&str], stdin: &str) -> String {
    let (dv, dr) = (fresh_dir(&format!("{tag}-v")), fresh_dir(&format!("{tag}-r")));
    setup(&dv);
    setup(&dr);
    let ours = run_checker(env!("CARGO_BIN_EXE_vireo-check-aof"), &dv, args, stdin);
    let theirs = run_checker("redis-check-aof", &dr, args, stdin);
    assert_eq!(ours.0, theirs.0, "{tag}: report");
    assert_eq!(ours.1, theirs.1, "{tag}: exit status");
    assert_eq!(ours.2, theirs.2, "{tag}: files after the check");
    let _ = std::fs::remove_dir_all(&dv);
    let _ = std::fs::remove_dir_all(&dr);
    ours.0
}

const PING: &[u8] = b"*1\r\n$4\r\nPING\r\n";

/// A multi-part directory as Redis 7.0 leaves it right after a rewrite (an RDB base and an
/// empty incr file), and variants: damaged, torn, annotated, with an old-style file.
#[test]
fn check_aof_reports_as_redis_check_aof() {
    // the directory written by the reference server itself
    let src = fresh_dir("check-src");
    let r = aof_builder(redis(), &src).start();
    let mut c = r.connect();
    fill(&mut c, "x");
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), b"+Background append only file rewriting started\r\n");
    assert!(wait_until(Duration::from_secs(10), || info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "0"));
    drop(c);
    r.stop();
    let copy_dir = |d: &Path| {
        std::fs::create_dir_all(d.join("appendonlydir")).unwrap();
        for e in std::fs::read_dir(src.join("appendonlydir")).unwrap().flatten() {
            std::fs::copy(e.path(), d.join("appendonlydir").join(e.file_name())).unwrap();
        }
    };
    let incr = |d: &Path| incr_path(d);
    let manifest = "appendonlydir/appendonly.aof.manifest";
    // an empty incr file
    let out = checkers_agree("empty-incr", copy_dir, &[manifest], "");
    assert!(out.contains("INCR AOF appendonly.aof.2.incr.aof is empty\n"), "{out}");
    assert!(out.contains("BASE AOF appendonly.aof.2.base.rdb is valid\n"), "{out}");
    // a valid incr file, then a torn one: reported, refused, and cut with --fix
    let with_tail = |tail: &'static [u8]| {
        move |d: &Path| {
            copy_dir(d);
            let mut data = PING.to_vec();
            data.extend_from_slice(tail);
            std::fs::write(incr(d), data).unwrap();
        }
    };
    checkers_agree("incr-ok", with_tail(b""), &[manifest], "");
    checkers_agree("incr-torn", with_tail(b"*2\r\n$3\r\nGET\r\n$1"), &[manifest], "");
    checkers_agree("incr-torn-fix", with_tail(b"*2\r\n$3\r\nGET\r\n$1"), &["--fix", manifest], "y\n");
    checkers_agree("incr-torn-no", with_tail(b"*2\r\n$3\r\nGET\r\n$1"), &["--fix", manifest], "n\n");
    checkers_agree("incr-multi", with_tail(b"*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nPING\r\n"), &["--fix", manifest], "y\n");
    checkers_agree("incr-garbage", with_tail(b"xyz"), &[manifest], "");
    checkers_agree("incr-2multi", with_tail(b"*1\r\n$5\r\nMULTI\r\n*1\r\n$5\r\nMULTI\r\n"), &[manifest], "");
    checkers_agree("incr-badlen", with_tail(b"*1\r\n$-5\r\nPING\r\n"), &[manifest], "");
    // annotations and --truncate-to-timestamp
    let annotated = with_tail(b"#TS:200\r\n*1\r\n$4\r\nPING\r\n#TS:300\r\n*1\r\n$4\r\nPING\r\n");
    checkers_agree("ts-none", annotated, &[manifest], "");
    checkers_agree("ts-cut", annotated, &["--truncate-to-timestamp", "250", manifest], "");
    checkers_agree("ts-nothing", annotated, &["--truncate-to-timestamp", "500", manifest], "");
    checkers_agree("ts-bad", annotated, &["--truncate-to-timestamp", "2x", manifest], "");
    // a damaged manifest, a missing file, an empty base, a torn file that is not the last
    let bad_manifest = |d: &Path| {
        copy_dir(d);
        std::fs::write(d.join(manifest), "file a seq 1 type x\n").unwrap();
    };
    checkers_agree("manifest-bad", bad_manifest, &[manifest], "");
    let missing = |d: &Path| {
        copy_dir(d);
        std::fs::remove_file(incr(d)).unwrap();
    };
    checkers_agree("missing", missing, &[manifest], "");
    let parts = |d: &Path| {
        std::fs::write(
            d.join("m.manifest"),
            "file b.aof seq 1 type b\nfile i1.aof seq 1 type i\nfile i2.aof seq 2 type i\n",
        )
        .unwrap();
        std::fs::write(d.join("b.aof"), b"").unwrap();
        std::fs::write(d.join("i1.aof"), [PING, b"*2\r\n$3\r\nGET\r\n$1"].concat()).unwrap();
        std::fs::write(d.join("i2.aof"), PING).unwrap();
    };
    checkers_agree("not-last", parts, &["--fix", "m.manifest"], "y\n");
    // old-style files: commands, an RDB preamble with a tail, empty, usage
    let old = |d: &Path| {
        let base = std::fs::read_dir(src.join("appendonlydir"))
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().ends_with(".base.rdb"))
            .unwrap()
            .path();
        std::fs::write(d.join("pre.aof"), [std::fs::read(base).unwrap(), PING.to_vec(), b"*1\r\n".to_vec()].concat())
            .unwrap();
        std::fs::write(d.join("cmds.aof"), [PING, PING].concat()).unwrap();
        std::fs::write(d.join("empty.aof"), b"").unwrap();
    };
    checkers_agree("old-pre", old, &["pre.aof"], "");
    checkers_agree("old-pre-fix", old, &["--fix", "pre.aof"], "y\n");
    checkers_agree("old-cmds", old, &["cmds.aof"], "");
    checkers_agree("old-empty", old, &["empty.aof"], "");
    checkers_agree("old-missing", old, &["nothere.aof"], "");
    let _ = std::fs::remove_dir_all(&src);
}

#[test]
fn check_rdb_reports_as_redis_check_rdb() {
    let dir = fresh_dir("check-rdb");
    for args in [&["--dbfilename", "dump.rdb"][..], &["--dbfilename", "nocrc.rdb", "--rdbchecksum", "no"]] {
        let r = redis().dir(&dir).args(args.iter().copied()).start();
        let mut c = r.connect();
        fill(&mut c, "x");
        assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
        drop(c);
        r.stop();
    }
    for f in ["dump.rdb", "nocrc.rdb"] {
        let ours = run_checker(env!("CARGO_BIN_EXE_vireo-check-rdb"), &dir, &[f], "");
        let theirs = run_checker("redis-check-rdb", &dir, &[f], "");
        assert_eq!((ours.0, ours.1), (theirs.0, theirs.1), "{f}");
    }
    // damaged files: cut at many points (inside the header, an AUX field, a key name, a value,
    // the checksum), a wrong signature, a version from the future, an invalid type byte; the
    // offset, "While doing", key and type lines and the counts must be Redis's
    let good = std::fs::read(dir.join("dump.rdb")).unwrap();
    let mut damaged: Vec<(String, Vec<u8>)> = Vec::new();
    for cut in [4, 9, 20, 40, 60, 90, 130, 200, 300, 500, 800, good.len() / 2, good.len() - 30, good.len() - 4] {
        if cut < good.len() {
            damaged.push((format!("cut-{cut}.rdb"), good[..cut].to_vec()));
        }
    }
    let mut magic = good.clone();
    magic[1] = b'X';
    damaged.push(("magic.rdb".into(), magic));
    let mut version = good.clone();
    version[5..9].copy_from_slice(b"0042");
    damaged.push(("version.rdb".into(), version));
    // the first key's type byte: just after SELECTDB n and RESIZEDB a b
    let select = good.iter().position(|&b| b == 0xFE).unwrap();
    let mut bad_type = good.clone();
    bad_type[select + 5] = 8;
    damaged.push(("type.rdb".into(), bad_type));
    // Redis words some errors with its own source location ("Internal error in RDB reading
    // offset 0, function at rdb.c:NNNN -> ..."), and reports some short reads inside a value as
    // such an error (then followed by a "Terminating server" log line): the error line is
    // compared up to its offset, that log line not at all
    let error_offset_only = |text: &str| -> String {
        let mut after_marker = false;
        text.lines()
            .filter(|l| !l.ends_with("Terminating server after rdb file reading failure."))
            .map(|l| {
                let l = if after_marker { l.split_once(']').map_or(l, |(o, _)| o) } else { l };
                after_marker = l == "--- RDB ERROR DETECTED ---";
                format!("{l}\n")
            })
            .collect()
    };
    for (name, bytes) in &damaged {
        std::fs::write(dir.join(name), bytes).unwrap();
        let ours = run_checker(env!("CARGO_BIN_EXE_vireo-check-rdb"), &dir, &[name], "");
        let theirs = run_checker("redis-check-rdb", &dir, &[name], "");
        assert_eq!(error_offset_only(&ours.0), error_offset_only(&theirs.0), "{name}");
        assert_eq!(ours.1, theirs.1, "{name}: exit status");
        assert_ne!(ours.1, Some(0), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
