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
    assert!(v.log().contains("Successfully migrated an old-style AOF into the AOF directory"));
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
