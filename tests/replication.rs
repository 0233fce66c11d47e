//! Replication end to end, with the reference redis-server 7.0.15 on either side of the link:
//! a real Redis master feeding a vireo replica (disk and diskless transfers, swapdb loading),
//! vireo feeding vireo, and a chain real -> vireo -> real; each under concurrent writes of
//! several data types with expiries, ending with DEBUG DIGEST equal everywhere and the same
//! master_repl_offset at every level. Link cuts (either side kills the link) must end in a
//! partial resync; a promoted replica (REPLICAOF NO ONE) must let its former siblings, vireo or
//! Redis, continue with a partial resync; a restarted replica continues from its RDB. The gate
//! checks of a replica (READONLY, MASTERDOWN), REPLICAOF's replies and ROLE are compared with
//! Redis's.

mod runtime_support;

use runtime_support::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use vireo_testkit::{RawConn, ServerBuilder, ServerProcess};

const SYNC_WAIT: Duration = Duration::from_secs(20);

/// Options every server of these tests gets: DEBUG DIGEST, no diskless delay.
const COMMON: &[&str] = &["--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"];

fn start(b: ServerBuilder, extra: &[&str]) -> ServerProcess {
    b.args(COMMON.iter().copied()).args(extra.iter().copied()).start()
}

fn replica_of(b: ServerBuilder, master: &ServerProcess, extra: &[&str]) -> ServerProcess {
    let port = master.port().to_string();
    let mut args = vec!["--replicaof", "127.0.0.1", port.as_str()];
    args.extend_from_slice(extra);
    start(b, &args)
}

fn text(r: &[u8]) -> String {
    String::from_utf8_lossy(r).into_owned()
}

fn ok(c: &mut RawConn, args: &[&str]) {
    let r = c.cmd(args);
    assert!(!r.starts_with(b"-"), "{args:?}: {}", text(&r));
}

fn info(s: &ServerProcess, section: &str, field: &str) -> String {
    info_field(&mut s.connect(), section, field)
}

fn info_i64(s: &ServerProcess, section: &str, field: &str) -> i64 {
    info(s, section, field).parse().unwrap_or_else(|_| panic!("{field} of {} is not a number", s.name()))
}

fn digest(s: &ServerProcess) -> String {
    text(&s.connect().cmd(&["DEBUG", "DIGEST"]))
}

/// Some data of every kind, in databases 0 and 2, before any replica exists.
fn preload(c: &mut RawConn) {
    ok(c, &["SET", "pre:str", "hello"]);
    ok(c, &["SET", "pre:ttl", "later", "EX", "1000"]);
    ok(c, &["RPUSH", "pre:list", "a", "b", "c", &"x".repeat(300)]);
    ok(c, &["HSET", "pre:hash", "f1", "1", "f2", "two"]);
    ok(c, &["SADD", "pre:set", "1", "2", "3"]);
    ok(c, &["SADD", "pre:words", "alpha", "beta"]);
    ok(c, &["ZADD", "pre:zset", "1", "a", "2.5", "b"]);
    ok(c, &["XADD", "pre:stream", "1-1", "k", "v"]);
    ok(c, &["SELECT", "2"]);
    ok(c, &["SET", "pre:db2", "two", "PX", "5000000"]);
    ok(c, &["SELECT", "0"]);
    for i in 0..200 {
        ok(c, &["SET", &format!("pre:k{i}"), &format!("value-{i}")]);
    }
}

/// Writes until stopped: strings, counters, lists, hashes, sets, sorted sets, streams, keys
/// that expire while the test runs, deletions, another database and transactions.
struct Writer {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<u64>>,
}

impl Writer {
    fn start(master: &ServerProcess, tag: &str) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let mut c = master.connect();
        let tag = tag.to_string();
        let handle = std::thread::spawn(move || {
            let mut n: u64 = 0;
            while !flag.load(Ordering::Relaxed) || n < 200 {
                write_one(&mut c, &tag, n);
                n += 1;
                if n.is_multiple_of(50) {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
            n
        });
        Writer { stop, handle: Some(handle) }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().map(|h| h.join().expect("writer")).unwrap_or(0)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn write_one(c: &mut RawConn, tag: &str, n: u64) {
    let k = |s: &str| format!("{tag}:{s}:{}", n % 37);
    let v = format!("v{n}");
    let ns = n.to_string();
    match n % 14 {
        0 => ok(c, &["SET", &k("str"), &v]),
        1 => ok(c, &["INCRBY", &k("cnt"), "3"]),
        2 => ok(c, &["RPUSH", &k("list"), &v, "x", "y"]),
        3 => ok(c, &["LPOP", &k("list")]),
        4 => ok(c, &["HSET", &k("hash"), &v, &ns, "f", &v]),
        5 => ok(c, &["SADD", &k("set"), &ns, &v]),
        6 => ok(c, &["ZADD", &k("zset"), &ns, &v]),
        7 => ok(c, &["XADD", &k("stream"), "*", "n", &ns]),
        // short-lived keys: the master expires them while writes go on
        8 => ok(c, &["SET", &k("short"), &v, "PX", "60"]),
        9 => ok(c, &["EXPIRE", &k("str"), "1000"]),
        10 => ok(c, &["DEL", &k("set")]),
        11 => {
            ok(c, &["SELECT", "3"]);
            ok(c, &["SET", &k("db3"), &v, "EX", "500"]);
            ok(c, &["SELECT", "0"]);
        }
        12 => {
            c.send_cmd(&["MULTI"]);
            c.send_cmd(&["LPUSH", &k("mlist"), &v]);
            c.send_cmd(&["HINCRBY", &k("mhash"), "n", "1"]);
            c.send_cmd(&["EXEC"]);
            for _ in 0..4 {
                let r = c.read_reply();
                assert!(!r.starts_with(b"-"), "{}", text(&r));
            }
        }
        _ => ok(c, &["SPOP", &k("set")]),
    }
}

/// Waits until every replica's link is up and every server reports the same
/// master_repl_offset and the same DEBUG DIGEST; panics with the details otherwise.
fn assert_converged(master: &ServerProcess, replicas: &[&ServerProcess]) {
    let mut last = String::new();
    let done = wait_until(SYNC_WAIT, || {
        let mo = info(master, "replication", "master_repl_offset");
        let md = digest(master);
        let mut state = format!("{} offset {mo} digest {md}", master.name());
        let mut same = true;
        for r in replicas {
            let link = info(r, "replication", "master_link_status");
            let ro = info(r, "replication", "master_repl_offset");
            let rd = digest(r);
            state += &format!("; {} link {link} offset {ro} digest {rd}", r.name());
            same &= link == "up" && ro == mo && rd == md;
        }
        last = state;
        same
    });
    assert!(done, "servers did not converge: {last}");
    let keys = text(&master.connect().cmd(&["DBSIZE"]));
    assert_ne!(keys, ":0\r\n", "the dataset is empty");
}

fn wait_link_up(r: &ServerProcess) {
    assert!(
        wait_until(SYNC_WAIT, || info(r, "replication", "master_link_status") == "up"),
        "{} never got its link up:\n{}",
        r.name(),
        r.log_tail(30)
    );
}

/// Kills the link from one side, writes meanwhile, and checks the replica continued with a
/// partial resync (sync_partial_ok grows, sync_full does not).
fn cut_and_resume(master: &ServerProcess, replica: &ServerProcess, from_replica_side: bool, tag: &str) {
    let full = info_i64(master, "stats", "sync_full");
    let partial = info_i64(master, "stats", "sync_partial_ok");
    let w = Writer::start(master, tag);
    std::thread::sleep(Duration::from_millis(100));
    if from_replica_side {
        let r = replica.connect().cmd(&["CLIENT", "KILL", "TYPE", "master"]);
        assert_eq!(r, b":1\r\n");
    } else {
        let r = master.connect().cmd(&["CLIENT", "KILL", "TYPE", "replica"]);
        assert!(r.starts_with(b":") && r != b":0\r\n", "{}", text(&r));
    }
    std::thread::sleep(Duration::from_millis(150));
    w.finish();
    assert_converged(master, &[replica]);
    assert_eq!(info_i64(master, "stats", "sync_full"), full, "a full sync happened:\n{}", replica.log_tail(20));
    assert!(info_i64(master, "stats", "sync_partial_ok") > partial, "no partial resync:\n{}", replica.log_tail(20));
}

#[test]
fn redis_master_to_vireo_replica_by_disk_then_link_cuts_resume() {
    let m = start(redis(), &["--repl-diskless-sync", "no"]);
    preload(&mut m.connect());
    let w = Writer::start(&m, "w1");
    let v = replica_of(vireo(), &m, &[]);
    wait_link_up(&v);
    w.finish();
    assert_converged(&m, &[&v]);
    let log = v.log();
    for line in [
        "Connecting to MASTER 127.0.0.1:",
        "MASTER <-> REPLICA sync started",
        "Master replied to PING, replication can continue...",
        "Partial resynchronization not possible (no cached master)",
        "Full resync from master: ",
        "MASTER <-> REPLICA sync: receiving ",
        "MASTER <-> REPLICA sync: Flushing old data",
        "MASTER <-> REPLICA sync: Loading DB in memory",
        "MASTER <-> REPLICA sync: Finished with success",
    ] {
        assert!(log.contains(line), "missing log line {line:?}:\n{log}");
    }
    // INFO and ROLE of the replica, as Redis shows them
    let mut c = v.connect();
    let role = c.cmd_parsed(&["ROLE"]);
    let parts = role.as_array().expect("ROLE array");
    assert_eq!(parts[0].as_str(), Some("slave"));
    assert_eq!(parts[2].as_int(), Some(m.port() as i64));
    assert_eq!(parts[3].as_str(), Some("connected"));
    assert_eq!(parts[4].as_int().unwrap().to_string(), info(&v, "replication", "slave_repl_offset"));
    let text_info = c.cmd_parsed(&["INFO", "replication"]).as_str().unwrap().to_string();
    let names: Vec<&str> = text_info.lines().filter_map(|l| l.split(':').next()).filter(|n| !n.is_empty()).collect();
    assert_eq!(
        &names[..10],
        &[
            "# Replication",
            "role",
            "master_host",
            "master_port",
            "master_link_status",
            "master_last_io_seconds_ago",
            "master_sync_in_progress",
            "slave_read_repl_offset",
            "slave_repl_offset",
            "slave_priority"
        ]
    );
    // everything received from the master counts as replication input: the snapshot and
    // the stream
    let input = info_i64(&v, "stats", "total_net_repl_input_bytes");
    assert!(input > info_i64(&v, "replication", "slave_repl_offset"), "{input}");
    // the master sees an online replica at the same offset
    let row = info(&m, "replication", "slave0");
    assert!(row.contains(&format!("port={}", v.port())) && row.contains("state=online"), "{row}");
    cut_and_resume(&m, &v, true, "cut1");
    cut_and_resume(&m, &v, false, "cut2");
    assert!(v.log().contains("Successful partial resynchronization with master."));
}

#[test]
fn redis_master_to_vireo_replica_diskless_and_swapdb() {
    for load in ["disabled", "swapdb", "on-empty-db"] {
        let m = start(redis(), &["--repl-diskless-sync", "yes"]);
        preload(&mut m.connect());
        let w = Writer::start(&m, "d");
        let v = replica_of(vireo(), &m, &["--repl-diskless-load", load]);
        wait_link_up(&v);
        w.finish();
        assert_converged(&m, &[&v]);
        let log = v.log();
        assert!(log.contains("receiving streamed RDB from master with EOF"), "{load}:\n{log}");
        if load == "swapdb" {
            assert!(log.contains("MASTER <-> REPLICA sync: Swapping active DB with loaded DB"), "{log}");
        }
        cut_and_resume(&m, &v, false, "dcut");
    }
}

#[test]
fn swapdb_keeps_serving_old_data_until_the_new_set_is_loaded() {
    // a replica with its own data is re-pointed to a master with a different history: it keeps
    // answering from the old data during the transfer and ends with exactly the master's data;
    // swapdb frees the old data in the background, and so does a disk load with
    // replica-lazy-flush
    let m = start(redis(), &["--repl-diskless-sync", "yes"]);
    preload(&mut m.connect());
    for args in
        [&["--repl-diskless-load", "swapdb"][..], &["--repl-diskless-load", "disabled", "--replica-lazy-flush", "yes"]]
    {
        let v = start(vireo(), args);
        let mut c = v.connect();
        ok(&mut c, &["SET", "mine", "old"]);
        let port = m.port().to_string();
        ok(&mut c, &["REPLICAOF", "127.0.0.1", &port]);
        // whatever the moment, a read sees the old dataset, the new one or -LOADING, never an
        // empty one
        let r = c.cmd(&["DBSIZE"]);
        assert_ne!(r, b":0\r\n");
        wait_link_up(&v);
        assert_converged(&m, &[&v]);
        assert_eq!(c.cmd(&["EXISTS", "mine"]), b":0\r\n");
        assert!(wait_until(SYNC_WAIT, || info_i64(&v, "memory", "lazyfreed_objects") >= 1), "{args:?}");
    }
}

#[test]
fn vireo_master_to_vireo_replicas_disk_and_diskless() {
    for diskless in ["no", "yes"] {
        let m = start(vireo(), &["--repl-diskless-sync", diskless]);
        preload(&mut m.connect());
        let w = Writer::start(&m, "vv");
        let r1 = replica_of(vireo(), &m, &[]);
        let r2 = replica_of(vireo(), &m, &["--repl-diskless-load", "swapdb"]);
        wait_link_up(&r1);
        wait_link_up(&r2);
        w.finish();
        assert_converged(&m, &[&r1, &r2]);
        cut_and_resume(&m, &r1, true, "vcut");
        cut_and_resume(&m, &r2, false, "vcut2");
    }
}

#[test]
fn chain_redis_to_vireo_to_redis_keeps_offsets_equal() {
    for diskless in ["no", "yes"] {
        let top = start(redis(), &["--repl-diskless-sync", diskless]);
        preload(&mut top.connect());
        let w = Writer::start(&top, "chain");
        let mid = replica_of(vireo(), &top, &["--repl-diskless-sync", diskless]);
        wait_link_up(&mid);
        let bottom = replica_of(redis(), &mid, &[]);
        wait_link_up(&bottom);
        w.finish();
        assert_converged(&top, &[&mid, &bottom]);
        // the bottom's master is vireo: its offsets follow vireo's forwarding byte for byte
        assert_eq!(info(&mid, "replication", "master_repl_offset"), info(&bottom, "replication", "slave_repl_offset"));
        // a cut in the middle resumes partially at both levels
        cut_and_resume(&top, &mid, true, "chaincut");
        assert_converged(&top, &[&mid, &bottom]);
        assert_eq!(info_i64(&mid, "stats", "sync_full"), 1, "{}", mid.log_tail(30));
    }
}

#[test]
fn promoted_vireo_replica_serves_partial_resyncs_to_former_siblings() {
    let m = start(redis(), &[]);
    preload(&mut m.connect());
    let a = replica_of(vireo(), &m, &[]);
    let b = replica_of(vireo(), &m, &[]);
    let c = replica_of(redis(), &m, &[]);
    for r in [&a, &b, &c] {
        wait_link_up(r);
    }
    let w = Writer::start(&m, "promo");
    std::thread::sleep(Duration::from_millis(200));
    w.finish();
    assert_converged(&m, &[&a, &b, &c]);
    // promote a; b (vireo) and c (Redis) follow it without a full sync
    let old_id = info(&a, "replication", "master_replid");
    let mut ca = a.connect();
    ok(&mut ca, &["REPLICAOF", "NO", "ONE"]);
    assert_eq!(info(&a, "replication", "role"), "master");
    assert_eq!(info(&a, "replication", "master_replid2"), old_id);
    let second: i64 = info_i64(&a, "replication", "second_repl_offset");
    assert_eq!(second, info_i64(&a, "replication", "master_repl_offset") + 1);
    assert!(a.log().contains("MASTER MODE enabled (user request from '"));
    let port = a.port().to_string();
    ok(&mut b.connect(), &["REPLICAOF", "127.0.0.1", &port]);
    ok(&mut c.connect(), &["REPLICAOF", "127.0.0.1", &port]);
    wait_link_up(&b);
    wait_link_up(&c);
    let w = Writer::start(&a, "after");
    std::thread::sleep(Duration::from_millis(100));
    w.finish();
    assert_converged(&a, &[&b, &c]);
    assert_eq!(info_i64(&a, "stats", "sync_full"), 0, "{}", a.log_tail(30));
    assert_eq!(info_i64(&a, "stats", "sync_partial_ok"), 2);
    assert!(b.log().contains("Master replication ID changed to"), "{}", b.log_tail(20));
}

#[test]
fn vireo_replica_follows_a_promoted_redis_sibling_partially() {
    let m = start(redis(), &[]);
    preload(&mut m.connect());
    let r = replica_of(redis(), &m, &[]);
    let v = replica_of(vireo(), &m, &[]);
    wait_link_up(&r);
    wait_link_up(&v);
    let w = Writer::start(&m, "rp");
    std::thread::sleep(Duration::from_millis(200));
    w.finish();
    assert_converged(&m, &[&r, &v]);
    ok(&mut r.connect(), &["REPLICAOF", "NO", "ONE"]);
    let port = r.port().to_string();
    ok(&mut v.connect(), &["REPLICAOF", "127.0.0.1", &port]);
    wait_link_up(&v);
    let w = Writer::start(&r, "rp2");
    std::thread::sleep(Duration::from_millis(100));
    w.finish();
    assert_converged(&r, &[&v]);
    assert_eq!(info_i64(&r, "stats", "sync_full"), 0);
    assert_eq!(info_i64(&r, "stats", "sync_partial_ok"), 1);
    // a vireo replica with its own sub-replica passes the id change on
    assert_eq!(info(&v, "replication", "master_replid"), info(&r, "replication", "master_replid"));
}

#[test]
fn restarted_replica_continues_from_its_rdb() {
    let m = start(redis(), &[]);
    preload(&mut m.connect());
    let mut v = replica_of(vireo(), &m, &["--save", "3600 1"]);
    wait_link_up(&v);
    let w = Writer::start(&m, "rs");
    std::thread::sleep(Duration::from_millis(100));
    w.finish();
    assert_converged(&m, &[&v]);
    let partial = info_i64(&m, "stats", "sync_partial_ok");
    v.restart();
    wait_link_up(&v);
    assert_converged(&m, &[&v]);
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1, "{}", v.log_tail(20));
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), partial + 1);
}

#[test]
fn replica_gate_and_replies_match_redis() {
    // REPLICAOF replies, READONLY, MASTERDOWN and ROLE while the master is unreachable,
    // compared byte for byte with a Redis replica in the same state
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port().to_string();
    drop(dead);
    let [v, r] = both(&["--replica-serve-stale-data", "no", "--replicaof", "127.0.0.1", &dead_port]);
    for s in [&v, &r] {
        let mut c = s.connect();
        c.cmd(&["SET", "x", "1"]);
    }
    let same = |args: &[&str]| {
        let a = v.connect().cmd(args);
        let b = r.connect().cmd(args);
        assert_eq!(text(&a), text(&b), "{args:?}");
        a
    };
    assert!(same(&["GET", "x"]).starts_with(b"-MASTERDOWN"));
    same(&["SET", "x", "1"]);
    same(&["PING"]);
    same(&["INFO", "keyspace"]);
    same(&["REPLICAOF", "127.0.0.1", &dead_port]);
    same(&["REPLICAOF", "127.0.0.1", "70000"]);
    same(&["REPLICAOF", "127.0.0.1", "port"]);
    same(&["SLAVEOF", "127.0.0.1"]);
    same(&["CONFIG", "GET", "replicaof"]);
    // ROLE: the state is "connect" or "connecting" for both, offset -1
    for s in [&v, &r] {
        let role = s.connect().cmd_parsed(&["ROLE"]);
        let a = role.as_array().unwrap();
        assert_eq!(a[0].as_str(), Some("slave"));
        assert!(matches!(a[3].as_str(), Some("connect" | "connecting")), "{role:?}");
        assert_eq!(a[4].as_int(), Some(-1));
    }
    for f in ["master_link_status", "master_last_io_seconds_ago", "master_sync_in_progress", "slave_repl_offset"] {
        assert_eq!(info(&v, "replication", f), info(&r, "replication", f), "{f}");
    }
    // stale data served again: writes are refused as READONLY
    same(&["CONFIG", "SET", "replica-serve-stale-data", "yes"]);
    assert!(same(&["SET", "x", "1"]).starts_with(b"-READONLY"));
    same(&["GET", "x"]);
    let mut cv = v.connect();
    let mut cr = r.connect();
    for args in [&["MULTI"][..], &["SET", "x", "2"], &["GET", "x"], &["EXEC"]] {
        assert_eq!(text(&cv.cmd(args)), text(&cr.cmd(args)), "{args:?}");
    }
    same(&["REPLICAOF", "NO", "ONE"]);
    same(&["SET", "x", "1"]);
    same(&["REPLICAOF", "no", "one"]);
}

#[test]
fn replica_hides_expired_keys_until_the_master_deletes_them() {
    let m = start(redis(), &[]);
    let v = replica_of(vireo(), &m, &[]);
    wait_link_up(&v);
    let mut cm = m.connect();
    ok(&mut cm, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    ok(&mut cm, &["SET", "gone", "v", "PX", "100"]);
    ok(&mut cm, &["SET", "kept", "v"]);
    assert!(wait_until(SYNC_WAIT, || info(&v, "replication", "master_repl_offset")
        == info(&m, "replication", "master_repl_offset")));
    std::thread::sleep(Duration::from_millis(200));
    let mut cv = v.connect();
    // expired on the replica's clock: reads don't see it, but it is still there
    assert_eq!(cv.cmd(&["GET", "gone"]), b"$-1\r\n");
    assert_eq!(cv.cmd(&["EXISTS", "gone"]), b":0\r\n");
    assert_eq!(cv.cmd(&["DBSIZE"]), b":2\r\n");
    // the master's access deletes it and propagates the DEL
    assert_eq!(cm.cmd(&["GET", "gone"]), b"$-1\r\n");
    assert!(wait_until(SYNC_WAIT, || v.connect().cmd(&["DBSIZE"]) == b":1\r\n"));
}

/// A hand-driven master: accepts the replica's connection and speaks the protocol step by
/// step, so that offsets, framing and the replica's own requests can be checked byte for byte.
struct FakeMaster {
    listener: std::net::TcpListener,
}

struct FakeLink {
    s: std::net::TcpStream,
    buf: Vec<u8>,
}

impl FakeMaster {
    fn new() -> FakeMaster {
        FakeMaster { listener: std::net::TcpListener::bind("127.0.0.1:0").unwrap() }
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }

    fn accept(&self) -> FakeLink {
        self.listener.set_nonblocking(true).unwrap();
        let mut got = None;
        assert!(
            wait_until(SYNC_WAIT, || {
                if let Ok((s, _)) = self.listener.accept() {
                    got = Some(s);
                }
                got.is_some()
            }),
            "the replica did not connect"
        );
        let s = got.unwrap();
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        FakeLink { s, buf: Vec::new() }
    }
}

impl FakeLink {
    fn send(&mut self, b: &[u8]) {
        use std::io::Write;
        self.s.write_all(b).unwrap();
    }

    /// The next request of the replica (multibulk or inline), as strings.
    fn next(&mut self) -> Vec<String> {
        use std::io::Read;
        let deadline = std::time::Instant::now() + SYNC_WAIT;
        loop {
            if self.buf.first() == Some(&b'*') {
                if let Ok(Some(n)) = vireo_testkit::reply_len(&self.buf) {
                    let r = vireo_testkit::parse_reply(&self.buf[..n]);
                    self.buf.drain(..n);
                    return r.as_array().unwrap().iter().map(|a| text(a.as_bytes().unwrap())).collect();
                }
            } else if let Some(p) = self.buf.iter().position(|&b| b == b'\n') {
                let line = text(&self.buf[..p]).trim_end().to_string();
                self.buf.drain(..=p);
                return line.split(' ').map(|s| s.to_string()).collect();
            }
            assert!(std::time::Instant::now() < deadline, "no request from the replica");
            let mut b = [0u8; 4096];
            match self.s.read(&mut b) {
                Ok(0) => panic!("the replica closed the link"),
                Ok(n) => self.buf.extend_from_slice(&b[..n]),
                Err(_) => {}
            }
        }
    }

    /// Skips periodic ACKs until a request other than `REPLCONF ACK` (or an ACK of `want`).
    fn next_ack(&mut self, want: i64) {
        loop {
            let r = self.next();
            assert_eq!(&r[..2], &["REPLCONF", "ACK"], "{r:?}");
            if r[2] == want.to_string() {
                return;
            }
            assert!(r[2].parse::<i64>().unwrap() < want, "ACK past the stream: {r:?} (want {want})");
        }
    }

    /// The handshake up to PSYNC; returns PSYNC's arguments.
    fn handshake(&mut self, replica_port: u16) -> Vec<String> {
        assert_eq!(self.next(), ["PING"]);
        self.send(b"+PONG\r\n");
        assert_eq!(self.next(), ["REPLCONF", "listening-port", &replica_port.to_string()]);
        assert_eq!(self.next(), ["REPLCONF", "capa", "eof", "capa", "psync2"]);
        self.send(b"+OK\r\n+OK\r\n");
        let p = self.next();
        assert_eq!(p[0], "PSYNC", "{p:?}");
        p
    }
}

/// An RDB with one key ("k" = "v" in db 0), its checksum left out (0).
fn tiny_rdb() -> Vec<u8> {
    let mut v = b"REDIS0010".to_vec();
    v.extend_from_slice(&[0xFE, 0x00, 0x00, 0x01, b'k', 0x01, b'v', 0xFF]);
    v.extend_from_slice(&[0; 8]);
    v
}

fn cmd_bytes(args: &[&str]) -> Vec<u8> {
    vireo_testkit::encode_cmd(args)
}

#[test]
fn replica_protocol_offsets_acks_and_multi_resume_byte_exact() {
    // the same script against vireo and the reference Redis replica
    for b in [vireo(), redis()] {
        protocol_script(b);
    }
}

fn protocol_script(b: ServerBuilder) {
    let fake = FakeMaster::new();
    let port = fake.port().to_string();
    let v = start(b, &["--replicaof", "127.0.0.1", &port]);
    let mut link = fake.accept();
    assert_eq!(link.handshake(v.port()), ["PSYNC", "?", "-1"]);
    // keepalive newlines before the answer and before the payload are ignored
    let id = "a".repeat(40);
    link.send(format!("\n+FULLRESYNC {id} 100\r\n\n").as_bytes());
    let rdb = tiny_rdb();
    link.send(format!("${}\r\n", rdb.len()).as_bytes());
    link.send(&rdb[..5]);
    // mid-transfer: ROLE says sync, INFO shows the progress
    assert!(wait_until(SYNC_WAIT, || {
        let t = v.connect().cmd_parsed(&["INFO", "replication"]).as_str().unwrap().to_string();
        field_of(&t, "master_sync_read_bytes").as_deref() == Some("5")
    }));
    assert_eq!(info(&v, "replication", "master_sync_in_progress"), "1");
    assert_eq!(info(&v, "replication", "master_sync_total_bytes"), rdb.len().to_string());
    assert_eq!(info(&v, "replication", "master_sync_left_bytes"), (rdb.len() - 5).to_string());
    let role = v.connect().cmd_parsed(&["ROLE"]);
    assert_eq!(role.as_array().unwrap()[3].as_str(), Some("sync"));
    link.send(&rdb[5..]);
    wait_link_up(&v);
    assert_eq!(info(&v, "replication", "slave_repl_offset"), "100");
    assert_eq!(info(&v, "replication", "master_replid"), id);
    assert_eq!(v.connect().cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    // the stream: every applied byte counts; GETACK is answered with the offset before it
    let mut stream = cmd_bytes(&["SELECT", "0"]);
    stream.extend(cmd_bytes(&["SET", "a", "1"]));
    stream.extend(cmd_bytes(&["PING"]));
    // commands that fail here still count: the errors are logged, never sent
    stream.extend(cmd_bytes(&["NOTACMD", "x"]));
    stream.extend(cmd_bytes(&["LPUSH", "a", "x"]));
    let before_getack = 100 + stream.len() as i64;
    let getack = cmd_bytes(&["REPLCONF", "GETACK", "*"]);
    stream.extend(&getack);
    link.send(&stream);
    link.next_ack(before_getack);
    let applied = before_getack + getack.len() as i64;
    let log = v.log();
    assert!(log.contains("== CRITICAL == This replica is sending an error to its master: 'unknown command 'NOTACMD', with args beginning with: 'x' ' after processing the command '<unknown>'"), "{log}");
    assert!(log.contains("== CRITICAL == This replica is sending an error to its master: '-WRONGTYPE Operation against a key holding the wrong kind of value' after processing the command 'lpush'"), "{log}");
    assert!(log.contains("Latest backlog is: '"), "{log}");
    assert_eq!(info(&v, "stats", "unexpected_error_replies"), "2");
    // a transaction whose EXEC has not arrived is not applied
    let multi = [cmd_bytes(&["MULTI"]), cmd_bytes(&["SET", "b", "2"])].concat();
    link.send(&multi);
    assert!(
        wait_until(SYNC_WAIT, || info_i64(&v, "replication", "slave_read_repl_offset") == applied + multi.len() as i64)
    );
    assert_eq!(info_i64(&v, "replication", "slave_repl_offset"), applied);
    assert_eq!(info_i64(&v, "replication", "master_repl_offset"), applied);
    // the link breaks: the half transaction is dropped and PSYNC asks for it again
    drop(link);
    let mut link = fake.accept();
    assert_eq!(link.handshake(v.port()), ["PSYNC", &id, &(applied + 1).to_string()]);
    link.send(b"+CONTINUE\r\n");
    let tx = [multi.clone(), cmd_bytes(&["EXEC"])].concat();
    link.send(&tx);
    let end = applied + tx.len() as i64;
    assert!(wait_until(SYNC_WAIT, || info_i64(&v, "replication", "slave_repl_offset") == end));
    assert_eq!(v.connect().cmd(&["GET", "b"]), b"$1\r\n2\r\n");
    assert_eq!(info_i64(&v, "replication", "master_repl_offset"), end);
    // the replica acknowledges on its own every second
    link.next_ack(end);
    assert!(v.log().contains("Trying a partial resynchronization (request "));
}

#[test]
fn replica_retries_a_loading_master_and_falls_back_to_sync() {
    for b in [vireo(), redis()] {
        loading_then_sync_script(b);
    }
}

fn loading_then_sync_script(b: ServerBuilder) {
    let fake = FakeMaster::new();
    let port = fake.port().to_string();
    let v = start(b, &["--replicaof", "127.0.0.1", &port]);
    let mut link = fake.accept();
    link.handshake(v.port());
    link.send(b"-LOADING Redis is loading the dataset in memory\r\n");
    let mut link = fake.accept();
    link.handshake(v.port());
    link.send(b"-ERR unknown command 'PSYNC'\r\n");
    assert_eq!(link.next(), ["SYNC"]);
    let rdb = tiny_rdb();
    link.send(format!("${}\r\n", rdb.len()).as_bytes());
    link.send(&rdb);
    link.send(&cmd_bytes(&["SET", "after", "sync"]));
    wait_link_up(&v);
    assert!(wait_until(SYNC_WAIT, || v.connect().cmd(&["GET", "after"]) == b"$4\r\nsync\r\n"));
    let log = v.log();
    assert!(log.contains("Master is currently unable to PSYNC but should be in the future: -LOADING"), "{log}");
    assert!(log.contains("Retrying with SYNC..."), "{log}");
}

#[test]
fn master_timeout_then_partial_resync() {
    let m = start(redis(), &["--repl-ping-replica-period", "1"]);
    preload(&mut m.connect());
    let v = replica_of(vireo(), &m, &["--repl-timeout", "2"]);
    wait_link_up(&v);
    let full = info_i64(&m, "stats", "sync_full");
    m.signal(libc::SIGSTOP);
    let timed_out = wait_until(SYNC_WAIT, || v.log().contains("MASTER timeout: no data nor PING received..."));
    m.signal(libc::SIGCONT);
    assert!(timed_out, "{}", v.log_tail(20));
    wait_link_up(&v);
    assert_converged(&m, &[&v]);
    assert_eq!(info_i64(&m, "stats", "sync_full"), full);
    assert!(info_i64(&m, "stats", "sync_partial_ok") >= 1);
}

#[test]
fn swapdb_resync_of_the_same_history_serves_old_data_while_loading() {
    let m = start(redis(), &["--repl-diskless-sync", "yes", "--repl-backlog-size", "16384"]);
    let mut cm = m.connect();
    for i in 0..2000 {
        ok(&mut cm, &["SET", &format!("key:{i}"), "old"]);
    }
    let v = replica_of(
        vireo(),
        &m,
        &[
            "--repl-diskless-load",
            "swapdb",
            "--key-load-delay",
            "1000",
            "--loading-process-events-interval-bytes",
            "1024",
        ],
    );
    wait_link_up(&v);
    assert_converged(&m, &[&v]);
    // the replica falls out of the master's backlog: its next sync is a full one of the same
    // history
    v.signal(libc::SIGSTOP);
    ok(&mut cm, &["CLIENT", "KILL", "TYPE", "replica"]);
    for i in 0..2000 {
        ok(&mut cm, &["SET", &format!("key:{i}"), &format!("new-{}", "x".repeat(50))]);
    }
    v.signal(libc::SIGCONT);
    let mport = m.port().to_string();
    let mut cv = v.connect();
    let mut seen_async = false;
    assert!(wait_until(SYNC_WAIT, || {
        // one pipeline, answered in one pass: INFO tells whether the others ran while loading
        // (REPLICAOF to the same master is harmless when they did not)
        let mut batch = vireo_testkit::encode_cmd(&["INFO", "persistence"]);
        batch.extend(vireo_testkit::encode_cmd(&["GET", "key:7"]));
        batch.extend(vireo_testkit::encode_cmd(&["REPLICAOF", "127.0.0.1", &mport]));
        cv.send(&batch);
        let info_text = text(&cv.read_reply());
        let get = cv.read_reply();
        let replicaof = cv.read_reply();
        if info_text.contains("async_loading:1") {
            seen_async = true;
            // the old data answers reads meanwhile; what may not run while loading is refused
            assert_eq!(get, b"$3\r\nold\r\n");
            assert!(replicaof.starts_with(b"-LOADING"), "{}", text(&replicaof));
        } else {
            assert!(replicaof.starts_with(b"+OK Already connected"), "{}", text(&replicaof));
        }
        seen_async && info(&v, "replication", "master_link_status") == "up"
    }));
    assert_converged(&m, &[&v]);
    assert_eq!(info_i64(&m, "stats", "sync_full"), 2);
}

#[test]
fn masterauth_announce_and_config_rewrite() {
    let m = start(redis(), &["--requirepass", "s3cret"]);
    let mut cm = m.connect();
    ok(&mut cm, &["AUTH", "s3cret"]);
    ok(&mut cm, &["SET", "k", "v"]);
    // a wrong password stops the handshake, as Redis says in its log
    let bad = replica_of(vireo(), &m, &["--masterauth", "wrong"]);
    assert!(
        wait_until(SYNC_WAIT, || bad.log().contains("Unable to AUTH to MASTER: -WRONGPASS")),
        "{}",
        bad.log_tail(10)
    );
    assert_eq!(info(&bad, "replication", "master_link_status"), "down");
    drop(bad);
    let v = vireo()
        .args(COMMON.iter().copied())
        .config_text("masterauth s3cret\nreplica-announce-ip 10.1.2.3\nreplica-announce-port 6399\n")
        .start();
    let mut cv = v.connect();
    let port = m.port().to_string();
    ok(&mut cv, &["REPLICAOF", "127.0.0.1", &port]);
    wait_link_up(&v);
    assert_eq!(cv.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    // the master lists it under its announced address once the transfer is over
    let mut row = String::new();
    let online = wait_until(SYNC_WAIT, || {
        let t = cm.cmd_parsed(&["INFO", "replication"]).as_str().unwrap().to_string();
        row = field_of(&t, "slave0").unwrap_or_default();
        row.contains("state=online")
    });
    assert!(online && row.starts_with("ip=10.1.2.3,port=6399,state=online"), "{row}");
    // CONFIG REWRITE keeps the master, and forgets it after REPLICAOF NO ONE
    ok(&mut cv, &["CONFIG", "REWRITE"]);
    let conf = std::fs::read_to_string(v.dir().join("testkit.conf")).unwrap();
    assert!(conf.contains(&format!("replicaof 127.0.0.1 {port}")), "{conf}");
    assert_eq!(
        cv.cmd(&["CONFIG", "GET", "replicaof"]),
        format!("*2\r\n$9\r\nreplicaof\r\n${}\r\n127.0.0.1 {port}\r\n", 10 + port.len()).into_bytes()
    );
    ok(&mut cv, &["REPLICAOF", "NO", "ONE"]);
    ok(&mut cv, &["CONFIG", "REWRITE"]);
    let conf = std::fs::read_to_string(v.dir().join("testkit.conf")).unwrap();
    assert!(!conf.contains("replicaof"), "{conf}");
}

#[test]
fn rdb_del_sync_files_removes_the_received_file_without_persistence() {
    let m = start(redis(), &["--repl-diskless-sync", "no"]);
    preload(&mut m.connect());
    for (del, kept) in [("yes", false), ("no", true)] {
        let v = replica_of(vireo(), &m, &["--rdb-del-sync-files", del]);
        wait_link_up(&v);
        assert_converged(&m, &[&v]);
        assert_eq!(v.dir().join("dump.rdb").exists(), kept, "rdb-del-sync-files {del}:\n{}", v.log_tail(10));
        if !kept {
            assert!(v
                .log()
                .contains("Removing the RDB file obtained from the master. This replica has persistence disabled"));
        }
    }
}

#[test]
fn eof_marked_transfer_and_a_broken_snapshot_with_swapdb() {
    // the same script against vireo and the reference Redis replica
    for b in [vireo(), redis()] {
        eof_script(b);
    }
}

fn eof_script(b: ServerBuilder) {
    let fake = FakeMaster::new();
    let v = start(b, &["--repl-diskless-load", "swapdb"]);
    let mut cv = v.connect();
    ok(&mut cv, &["CONFIG", "SET", "replica-read-only", "no"]);
    ok(&mut cv, &["SET", "mine", "old"]);
    ok(&mut cv, &["REPLICAOF", "127.0.0.1", &fake.port().to_string()]);
    let id = "b".repeat(40);
    let mark = "c".repeat(40);
    // first a transfer that breaks off in the middle: the old data stays
    let mut link = fake.accept();
    link.handshake(v.port());
    link.send(format!("+FULLRESYNC {id} 7\r\n$EOF:{mark}\r\n").as_bytes());
    let rdb = tiny_rdb();
    link.send(&rdb[..rdb.len() - 12]);
    std::thread::sleep(Duration::from_millis(50));
    drop(link);
    assert_eq!(cv.cmd(&["GET", "mine"]), b"$3\r\nold\r\n");
    // the replica tries again at once; now the mark arrives split across two writes
    let mut link = fake.accept();
    link.handshake(v.port());
    link.send(format!("+FULLRESYNC {id} 7\r\n$EOF:{mark}\r\n").as_bytes());
    link.send(&rdb);
    link.send(&mark.as_bytes()[..15]);
    std::thread::sleep(Duration::from_millis(50));
    link.send(&mark.as_bytes()[15..]);
    // the first ACK comes right after the load: a diskless master streams only after it
    link.next_ack(7);
    wait_link_up(&v);
    assert_eq!(cv.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    assert_eq!(cv.cmd(&["EXISTS", "mine"]), b":0\r\n");
    assert!(v.log().contains("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to parser"));
}

#[test]
fn a_stalled_master_does_not_stall_the_replica() {
    let m = start(redis(), &[]);
    preload(&mut m.connect());
    let v = start(vireo(), &["--repl-timeout", "1"]);
    m.signal(libc::SIGSTOP);
    let mut cv = v.connect();
    ok(&mut cv, &["REPLICAOF", "127.0.0.1", &m.port().to_string()]);
    // the handshake waits for the master; clients are served meanwhile
    let started = std::time::Instant::now();
    assert!(wait_until(SYNC_WAIT, || {
        let role = cv.cmd_parsed(&["ROLE"]);
        role.as_array().unwrap()[3].as_str() == Some("handshake")
    }));
    assert_eq!(cv.cmd(&["PING"]), b"+PONG\r\n");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(wait_until(SYNC_WAIT, || v.log().contains("Timeout connecting to the MASTER...")), "{}", v.log_tail(10));
    m.signal(libc::SIGCONT);
    wait_link_up(&v);
    assert_converged(&m, &[&v]);
}
