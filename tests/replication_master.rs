//! The master side of replication, with real redis-server 7.0.15 replicas attached to a vireo
//! master: full sync by disk and by socket under concurrent writes of every type (with
//! expiries), then the datasets compared with DEBUG DIGEST and the offsets compared; a link
//! cut followed by a partial resync; PSYNC served from the middle of a command (the backlog is
//! byte-addressed); WAIT and min-replicas-to-write; a replica that stops reading is dropped at
//! its output-buffer limit; INFO replication's master fields in Redis's order.

mod runtime_support;

use runtime_support::*;
use std::time::Duration;
use vireo_testkit::{RawConn, ServerProcess};

const T: Duration = Duration::from_secs(20);

fn master(extra: &[&str]) -> ServerProcess {
    let mut args = vec!["--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"];
    args.extend_from_slice(extra);
    vireo().args(args).start()
}

fn redis_replica_of(m: &ServerProcess, extra: &[&str]) -> ServerProcess {
    let port = m.port().to_string();
    let mut args = vec!["--enable-debug-command", "yes", "--replicaof", "127.0.0.1", &port];
    args.extend_from_slice(extra);
    redis().args(args).start()
}

fn conn(s: &ServerProcess) -> RawConn {
    RawConn::connect(s.addr()).unwrap()
}

fn ok(c: &mut RawConn, args: &[&str]) {
    let r = c.cmd(args);
    assert!(!r.starts_with(b"-"), "{args:?}: {}", String::from_utf8_lossy(&r));
}

/// Writes of every type, some with expiries, some in another database.
fn write_burst(c: &mut RawConn, round: usize) {
    let r = round.to_string();
    ok(c, &["SET", &format!("s:{r}"), &format!("value-{r}")]);
    ok(c, &["SET", &format!("e:{r}"), "gone-soon", "PX", "50"]);
    ok(c, &["SET", &format!("t:{r}"), "lives", "EX", "1000"]);
    ok(c, &["INCRBY", "counter", "3"]);
    ok(c, &["RPUSH", "list", &r, "x", "y"]);
    ok(c, &["LPOP", "list"]);
    ok(c, &["SADD", "set", &r, "member"]);
    ok(c, &["SPOP", "set"]);
    ok(c, &["HSET", "hash", &format!("f{r}"), &r]);
    ok(c, &["ZADD", "zset", &r, &format!("m{r}")]);
    ok(c, &["ZINCRBY", "zset", "1.5", "m0"]);
    ok(c, &["XADD", "stream", "*", "round", &r]);
    ok(c, &["SELECT", "3"]);
    ok(c, &["SET", &format!("db3:{r}"), &r]);
    ok(c, &["SELECT", "0"]);
    ok(c, &["MULTI"]);
    ok(c, &["INCR", "in-multi"]);
    ok(c, &["LPUSH", "list2", &r]);
    let exec = c.cmd(&["EXEC"]);
    assert!(exec.starts_with(b"*2"), "{}", String::from_utf8_lossy(&exec));
}

fn preload(c: &mut RawConn) {
    ok(c, &["DEBUG", "POPULATE", "20000", "pre", "64"]);
    for i in 0..200 {
        write_burst(c, i);
    }
    ok(c, &["XGROUP", "CREATE", "stream", "g", "0"]);
    ok(c, &["XREADGROUP", "GROUP", "g", "alice", "COUNT", "5", "STREAMS", "stream", ">"]);
}

fn offset(c: &mut RawConn) -> u64 {
    info_field(c, "replication", "master_repl_offset").parse().unwrap()
}

fn digest(c: &mut RawConn) -> Vec<u8> {
    c.cmd(&["DEBUG", "DIGEST"])
}

/// Waits until the replica applied everything the master sent, then compares data.
fn assert_in_sync(m: &mut RawConn, replicas: &mut [&mut RawConn]) {
    for r in replicas.iter_mut() {
        assert!(wait_until(T, || info_field(r, "replication", "master_link_status") == "up"), "link never came up");
        let mut last = (0, 0);
        assert!(
            wait_until(T, || {
                last = (offset(r), offset(m));
                last.0 == last.1
            }),
            "replica offset {} vs master {}",
            last.0,
            last.1
        );
    }
    let d = digest(m);
    for r in replicas.iter_mut() {
        if digest(r) != d {
            panic!("dataset digests differ: {}", explain_difference(m, r));
        }
    }
}

/// The keys whose values differ between two servers (databases 0 and 3), for failure messages.
fn explain_difference(a: &mut RawConn, b: &mut RawConn) -> String {
    let mut out = String::new();
    for db in ["0", "3"] {
        a.cmd(&["SELECT", db]);
        b.cmd(&["SELECT", db]);
        let keys_a = a.cmd_parsed(&["KEYS", "*"]);
        let keys_b = b.cmd_parsed(&["KEYS", "*"]);
        let list = |r: &vireo_testkit::Reply| -> Vec<String> {
            let mut v: Vec<String> = r.as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
            v.sort();
            v
        };
        let (ka, kb) = (list(&keys_a), list(&keys_b));
        out.push_str(&format!("db{db}: {} keys vs {}; ", ka.len(), kb.len()));
        for k in ka.iter().filter(|k| !kb.contains(k)).take(5) {
            out.push_str(&format!("only on master: {k}; "));
        }
        for k in kb.iter().filter(|k| !ka.contains(k)).take(5) {
            out.push_str(&format!("only on replica: {k}; "));
        }
        let mut shown = 0;
        for k in ka.iter().filter(|k| kb.contains(k)) {
            let (da, dbb) = (a.cmd(&["DEBUG", "DIGEST-VALUE", k]), b.cmd(&["DEBUG", "DIGEST-VALUE", k]));
            let (ta, tb) = (a.cmd(&["PTTL", k]), b.cmd(&["PTTL", k]));
            if da != dbb || (ta == b":-1\r\n") != (tb == b":-1\r\n") {
                out.push_str(&format!(
                    "differs: {k} {} vs {}; ",
                    String::from_utf8_lossy(&a.cmd(&["DUMP", k])).len(),
                    String::from_utf8_lossy(&b.cmd(&["DUMP", k])).len()
                ));
                shown += 1;
                if shown > 5 {
                    break;
                }
            }
        }
        a.cmd(&["SELECT", "0"]);
        b.cmd(&["SELECT", "0"]);
    }
    out
}

fn full_sync_under_writes(diskless: bool) {
    let m = master(&["--repl-diskless-sync", if diskless { "yes" } else { "no" }]);
    let mut mc = conn(&m);
    // keys expire only when the test says so: a digest taken while the master's active expiry
    // deletes keys would race with the DELs on their way to the replicas
    ok(&mut mc, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    preload(&mut mc);
    let writer_addr = m.addr();
    let writer = std::thread::spawn(move || {
        let mut c = RawConn::connect(writer_addr).unwrap();
        for i in 200..700 {
            write_burst(&mut c, i);
        }
    });
    let r1 = redis_replica_of(&m, &[]);
    let r2 = redis_replica_of(&m, &[]);
    writer.join().unwrap();
    let (mut c1, mut c2) = (conn(&r1), conn(&r2));
    assert_in_sync(&mut mc, &mut [&mut c1, &mut c2]);
    // expired keys reach the replicas as DEL from the master, lazily or by the active cycle
    std::thread::sleep(Duration::from_millis(100));
    for i in 0..350 {
        mc.cmd(&["GET", &format!("e:{i}")]);
    }
    ok(&mut mc, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    assert!(wait_until(T, || mc.cmd(&["DBSIZE"]) == b":21408\r\n"), "{:?}", mc.cmd(&["DBSIZE"]));
    assert_in_sync(&mut mc, &mut [&mut c1, &mut c2]);
    assert_eq!(c1.cmd(&["DBSIZE"]), mc.cmd(&["DBSIZE"]));
    let log = m.log();
    let target = if diskless {
        "Starting BGSAVE for SYNC with target: replicas sockets"
    } else {
        "Starting BGSAVE for SYNC with target: disk"
    };
    assert!(log.contains(target), "{log}");
    assert!(
        log.contains("Synchronization with replica") || log.contains("Streamed RDB transfer with replica"),
        "{log}"
    );
    assert_eq!(info_field(&mut mc, "stats", "sync_full"), "2");
    assert_eq!(info_field(&mut mc, "replication", "connected_slaves"), "2");
}

#[test]
fn full_sync_to_redis_replicas_by_disk() {
    full_sync_under_writes(false);
}

#[test]
fn full_sync_to_redis_replicas_by_socket() {
    full_sync_under_writes(true);
}

#[test]
fn link_cut_then_partial_resync() {
    let m = master(&[]);
    let mut mc = conn(&m);
    ok(&mut mc, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    preload(&mut mc);
    let r = redis_replica_of(&m, &[]);
    let mut rc = conn(&r);
    assert_in_sync(&mut mc, &mut [&mut rc]);
    for round in 0..3 {
        ok(&mut mc, &["CLIENT", "KILL", "TYPE", "replica"]);
        for i in 0..50 {
            write_burst(&mut mc, 1000 + round * 100 + i);
        }
        assert_in_sync(&mut mc, &mut [&mut rc]);
    }
    assert_eq!(info_field(&mut mc, "stats", "sync_full"), "1");
    let partial: u64 = info_field(&mut mc, "stats", "sync_partial_ok").parse().unwrap();
    assert!(partial >= 3, "sync_partial_ok {partial}");
    assert!(m.log().contains("Partial resynchronization request from 127.0.0.1"));
}

/// Reads a replication stream as a replica would: PSYNC, then raw bytes.
fn psync_raw(m: &ServerProcess, replid: &str, off: &str) -> RawConn {
    let mut c = conn(m);
    ok(&mut c, &["REPLCONF", "listening-port", "7777"]);
    ok(&mut c, &["REPLCONF", "capa", "eof", "capa", "psync2"]);
    c.send_cmd(&["PSYNC", replid, off]);
    c
}

/// The reply line to PSYNC, after the keepalive newlines a master may send first.
fn status_line(c: &mut RawConn) -> String {
    let mut line = Vec::new();
    loop {
        let b = read_exact_more(c, 1)[0];
        if b == b'\n' && line.is_empty() {
            continue;
        }
        line.push(b);
        if line.ends_with(b"\r\n") {
            line.truncate(line.len() - 2);
            return String::from_utf8(line).unwrap();
        }
    }
}

/// Reads `n` more bytes, byte by byte from the socket (nothing is buffered ahead).
fn read_exact_more(c: &mut RawConn, n: usize) -> Vec<u8> {
    use std::io::Read;
    assert!(c.buffered().is_empty());
    let mut s = c.stream().try_clone().unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    let mut out = vec![0u8; n];
    s.read_exact(&mut out).unwrap();
    out
}

/// Reads exactly `n` bytes (and no more) from a raw connection.
fn read_exact(c: &mut RawConn, n: usize) -> Vec<u8> {
    use std::io::Read;
    let mut out = c.buffered().to_vec();
    assert!(out.len() <= n, "read past the expected bytes");
    let mut s = c.stream().try_clone().unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    while out.len() < n {
        let mut buf = vec![0u8; n - out.len()];
        let k = s.read(&mut buf).unwrap();
        assert!(k > 0, "closed");
        out.extend_from_slice(&buf[..k]);
    }
    out
}

#[test]
fn psync_is_served_from_any_byte_offset() {
    let m = master(&[]);
    let mut mc = conn(&m);
    // a replica makes the backlog exist; then the stream is written
    let r = redis_replica_of(&m, &[]);
    let mut rc = conn(&r);
    assert_in_sync(&mut mc, &mut [&mut rc]);
    let replid = info_field(&mut mc, "replication", "master_replid");
    let start = offset(&mut mc) + 1;
    for i in 0..20 {
        ok(&mut mc, &["SET", &format!("key{i}"), &"v".repeat(i * 7)]);
    }
    let end = offset(&mut mc);
    // the whole stream from `start`, then the same from offsets inside commands
    let header_for = |c: &mut RawConn| {
        assert_eq!(status_line(c), format!("+CONTINUE {replid}"));
    };
    let mut whole = psync_raw(&m, &replid, &start.to_string());
    header_for(&mut whole);
    let all = read_exact(&mut whole, (end + 1 - start) as usize);
    assert!(
        all.starts_with(b"*2\r\n$6\r\nSELECT\r\n") || all.starts_with(b"*3\r\n$3\r\nset"),
        "{}",
        String::from_utf8_lossy(&all[..40])
    );
    for skip in [1u64, 7, 30, 101] {
        let mut c = psync_raw(&m, &replid, &(start + skip).to_string());
        header_for(&mut c);
        let got = read_exact(&mut c, (end + 1 - start - skip) as usize);
        assert_eq!(got, all[skip as usize..], "from offset +{skip}");
    }
    // an offset past the end, or another history, gets a full resync
    let mut c = psync_raw(&m, &replid, &(end + 2).to_string());
    let line = status_line(&mut c);
    assert!(line.starts_with("+FULLRESYNC "), "{line}");
    let mut c = psync_raw(&m, "0123456789012345678901234567890123456789", "1");
    let line = status_line(&mut c);
    assert!(line.starts_with(&format!("+FULLRESYNC {replid} ")), "{line}");
    assert!(info_field(&mut mc, "stats", "sync_partial_err").parse::<u64>().unwrap() >= 2);
}

#[test]
fn wait_and_min_replicas() {
    let m = master(&[]);
    let mut mc = conn(&m);
    assert_eq!(mc.cmd(&["WAIT", "0", "0"]), b":0\r\n");
    assert_eq!(mc.cmd(&["WAIT", "1", "50"]), b":0\r\n");
    assert_eq!(mc.cmd(&["WAIT", "x", "0"]), b"-ERR value is not an integer or out of range\r\n");
    assert_eq!(mc.cmd(&["WAIT", "0", "x"]), b"-ERR timeout is not an integer or out of range\r\n");
    assert_eq!(mc.cmd(&["WAIT", "0", "-1"]), b"-ERR timeout is negative\r\n");
    let r1 = redis_replica_of(&m, &[]);
    let r2 = redis_replica_of(&m, &[]);
    let (mut c1, mut c2) = (conn(&r1), conn(&r2));
    assert_in_sync(&mut mc, &mut [&mut c1, &mut c2]);
    ok(&mut mc, &["SET", "k", "v"]);
    assert_eq!(mc.cmd(&["WAIT", "2", "5000"]), b":2\r\n");
    // asking for more replicas than exist waits for the timeout, then counts
    assert_eq!(mc.cmd(&["WAIT", "3", "200"]), b":2\r\n");
    ok(&mut mc, &["CONFIG", "SET", "min-replicas-to-write", "2"]);
    ok(&mut mc, &["SET", "k", "v2"]);
    ok(&mut mc, &["CONFIG", "SET", "min-replicas-to-write", "3"]);
    assert!(wait_until(T, || info_field(&mut mc, "replication", "min_slaves_good_slaves") == "2"));
    assert_eq!(mc.cmd(&["SET", "k", "v3"]), b"-NOREPLICAS Not enough good replicas to write.\r\n");
    ok(&mut mc, &["GET", "k"]);
    ok(&mut mc, &["MULTI"]);
    assert_eq!(mc.cmd(&["SET", "k", "v3"]), b"-NOREPLICAS Not enough good replicas to write.\r\n");
    assert_eq!(mc.cmd(&["EXEC"]), b"-EXECABORT Transaction discarded because of previous errors.\r\n");
    drop(r2);
    ok(&mut mc, &["CONFIG", "SET", "min-replicas-to-write", "2"]);
    assert!(wait_until(T, || mc.cmd(&["SET", "k", "v4"]).starts_with(b"-NOREPLICAS")));
    ok(&mut mc, &["CONFIG", "SET", "min-replicas-to-write", "1"]);
    ok(&mut mc, &["SET", "k", "v5"]);
    assert_eq!(mc.cmd(&["WAIT", "1", "5000"]), b":1\r\n");
    assert_eq!(c1.cmd(&["GET", "k"]), b"$2\r\nv5\r\n");
}

#[test]
fn replica_past_its_output_buffer_limit_is_dropped() {
    let m = master(&["--client-output-buffer-limit", "replica 256kb 0 0"]);
    let mut mc = conn(&m);
    let r = redis_replica_of(&m, &[]);
    let mut rc = conn(&r);
    assert_in_sync(&mut mc, &mut [&mut rc]);
    // a raw replica that never reads what it is sent
    let replid = info_field(&mut mc, "replication", "master_replid");
    let off = offset(&mut mc) + 1;
    let mut stuck = psync_raw(&m, &replid, &off.to_string());
    assert!(status_line(&mut stuck).starts_with("+CONTINUE"));
    assert!(wait_until(T, || info_field(&mut mc, "replication", "connected_slaves") == "2"));
    let big = "x".repeat(64 * 1024);
    for i in 0..200 {
        ok(&mut mc, &["SET", &format!("big{}", i % 4), &big]);
    }
    assert!(wait_until(T, || m.log().contains("scheduled to be closed ASAP for overcoming of output buffer limits")));
    assert!(wait_until(T, || info_field(&mut mc, "replication", "connected_slaves") == "1"));
    // the real replica kept up and still has everything
    assert_in_sync(&mut mc, &mut [&mut rc]);
}

/// The names of INFO replication's fields, values dropped.
fn field_names(info: &str) -> Vec<String> {
    info.lines().filter(|l| !l.is_empty()).map(|l| l.split(':').next().unwrap().to_string()).collect()
}

#[test]
fn info_replication_fields_match_redis() {
    let vm = master(&["--min-replicas-to-write", "1"]);
    let rm = redis().args(["--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1"]).start();
    let mut out = Vec::new();
    for m in [&vm, &rm] {
        let r = redis_replica_of(m, &[]);
        let mut mc = conn(m);
        let mut rc = conn(&r);
        assert!(wait_until(T, || info_field(&mut rc, "replication", "master_link_status") == "up"));
        assert!(wait_until(T, || info_field(&mut mc, "replication", "min_slaves_good_slaves") == "1"));
        let text = mc.cmd_parsed(&["INFO", "replication"]).as_str().unwrap().to_string();
        let role = mc.cmd(&["ROLE"]);
        out.push((field_names(&text), role.starts_with(b"*3\r\n$6\r\nmaster\r\n:"), text));
        drop(r);
    }
    // vireo adds one line after Redis's last field
    let mut vireo_names = out[0].0.clone();
    assert_eq!(vireo_names.pop().as_deref(), Some("repl_backlog_covered_seconds"));
    assert_eq!(vireo_names, out[1].0, "vireo:\n{}\nredis:\n{}", out[0].2, out[1].2);
    assert!(out[0].1 && out[1].1);
    let line = out[0].2.lines().find(|l| l.starts_with("slave0:")).unwrap().to_string();
    assert!(line.starts_with("slave0:ip=127.0.0.1,port=") && line.contains(",state=online,offset="), "{line}");
    assert!(line.contains(",lag_bytes=") && line.contains(",lag_ms="), "{line}");
}

/// The `lag_bytes=` / `lag_ms=` values of the replica whose listening port is 7777.
fn raw_replica_lag(mc: &mut RawConn) -> (u64, i64) {
    let text = mc.cmd_parsed(&["INFO", "replication"]).as_str().unwrap().to_string();
    let line = text.lines().find(|l| l.contains("port=7777,")).unwrap_or_else(|| panic!("{text}")).to_string();
    let get = |k: &str| line.split(',').find_map(|kv| kv.strip_prefix(k)).unwrap().to_string();
    (get("lag_bytes=").parse().unwrap(), get("lag_ms=").parse().unwrap())
}

#[test]
fn replica_lag_in_bytes_and_time() {
    let m = master(&[]);
    let mut mc = conn(&m);
    let r = redis_replica_of(&m, &[]);
    let mut rc = conn(&r);
    assert_in_sync(&mut mc, &mut [&mut rc]);
    let replid = info_field(&mut mc, "replication", "master_replid");
    let start = offset(&mut mc);
    let mut raw = psync_raw(&m, &replid, &(start + 1).to_string());
    assert!(status_line(&mut raw).starts_with("+CONTINUE"));
    raw.send_cmd(&["REPLCONF", "ACK", &start.to_string()]);
    assert!(wait_until(T, || raw_replica_lag(&mut mc) == (0, 0)));
    ok(&mut mc, &["SET", "k", &"v".repeat(1000)]);
    std::thread::sleep(Duration::from_millis(400));
    let end = offset(&mut mc);
    let (bytes, ms) = raw_replica_lag(&mut mc);
    assert_eq!(bytes, end - start);
    assert!((300..5000).contains(&ms), "lag_ms {ms}");
    raw.send_cmd(&["REPLCONF", "ACK", &end.to_string()]);
    assert!(wait_until(T, || raw_replica_lag(&mut mc) == (0, 0)));
    // the backlog covers the writes since it was created
    let covered: f64 = info_field(&mut mc, "replication", "repl_backlog_covered_seconds").parse().unwrap();
    assert!(covered >= 0.3, "covered {covered}");
}

fn vireo_replica_of(m: &ServerProcess) -> ServerProcess {
    let port = m.port().to_string();
    vireo().args(["--enable-debug-command", "yes", "--replicaof", "127.0.0.1", &port]).start()
}

fn role_name(c: &mut RawConn) -> String {
    c.cmd_parsed(&["ROLE"]).as_array().unwrap()[0].as_str().unwrap().to_string()
}

/// FAILOVER TO a replica: the old master becomes its replica and loses nothing; the other
/// replica follows. Run with a vireo and with a Redis target.
fn failover_to(target_is_vireo: bool) {
    let m = master(&[]);
    let mut mc = conn(&m);
    preload(&mut mc);
    let target = if target_is_vireo { vireo_replica_of(&m) } else { redis_replica_of(&m, &[]) };
    let other = redis_replica_of(&m, &[]);
    let (mut tc, mut oc) = (conn(&target), conn(&other));
    // no active expiry on either master: its DELs would race with the digest comparisons
    ok(&mut mc, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    ok(&mut tc, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    assert_in_sync(&mut mc, &mut [&mut tc, &mut oc]);
    let port = target.port().to_string();
    ok(&mut mc, &["FAILOVER", "TO", "127.0.0.1", &port, "TIMEOUT", "10000"]);
    assert!(wait_until(T, || role_name(&mut tc) == "master"), "target never became master");
    assert!(wait_until(T, || role_name(&mut mc) == "slave"));
    assert!(wait_until(T, || info_field(&mut mc, "replication", "master_failover_state") == "no-failover"));
    assert_eq!(info_field(&mut mc, "replication", "master_port"), port);
    // writes on the new master reach the old one and the other replica
    for i in 0..20 {
        write_burst(&mut tc, 5000 + i);
    }
    assert!(mc.cmd(&["SET", "x", "y"]).starts_with(b"-READONLY"));
    assert_in_sync(&mut tc, &mut [&mut mc]);
    assert!(wait_until(T, || digest(&mut oc) == digest(&mut tc)));
    // the hand-over was a partial resync: no new full sync on the target
    assert_eq!(info_field(&mut tc, "stats", "sync_full"), "0");
}

#[test]
fn failover_to_a_vireo_replica() {
    failover_to(true);
}

#[test]
fn failover_to_a_redis_replica() {
    failover_to(false);
}

#[test]
fn failover_errors_and_timeout() {
    let m = master(&[]);
    let mut mc = conn(&m);
    let err = |c: &mut RawConn, args: &[&str]| String::from_utf8(c.cmd(args)).unwrap();
    assert_eq!(err(&mut mc, &["FAILOVER"]), "-ERR FAILOVER requires connected replicas.\r\n");
    assert_eq!(err(&mut mc, &["FAILOVER", "ABORT"]), "-ERR No failover in progress.\r\n");
    assert_eq!(err(&mut mc, &["FAILOVER", "TIMEOUT", "0"]), "-ERR FAILOVER timeout must be greater than 0\r\n");
    assert_eq!(err(&mut mc, &["FAILOVER", "bogus"]), "-ERR syntax error\r\n");
    let r = redis_replica_of(&m, &[]);
    let mut rc = conn(&r);
    assert_in_sync(&mut mc, &mut [&mut rc]);
    assert_eq!(
        err(&mut mc, &["FAILOVER", "FORCE"]),
        "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n"
    );
    assert_eq!(
        err(&mut mc, &["FAILOVER", "TO", "127.0.0.1", "1"]),
        "-ERR FAILOVER target HOST and PORT is not a replica.\r\n"
    );
    // a target that never acknowledges: writes are held, then the failover is abandoned
    let replid = info_field(&mut mc, "replication", "master_replid");
    let off = offset(&mut mc);
    let mut raw = psync_raw(&m, &replid, &(off + 1).to_string());
    assert!(status_line(&mut raw).starts_with("+CONTINUE"));
    ok(&mut mc, &["SET", "before", "1"]);
    ok(&mut mc, &["FAILOVER", "TO", "127.0.0.1", "7777", "TIMEOUT", "1500"]);
    assert_eq!(info_field(&mut mc, "replication", "master_failover_state"), "waiting-for-sync");
    assert_eq!(err(&mut mc, &["FAILOVER"]), "-ERR FAILOVER already in progress.\r\n");
    assert_eq!(err(&mut mc, &["REPLICAOF", "127.0.0.1", "1"]), "-ERR REPLICAOF not allowed while failing over.\r\n");
    // a write waits for the failover to end
    let mut writer = conn(&m);
    writer.send_cmd(&["SET", "during", "1"]);
    assert!(writer.try_read_reply(Duration::from_millis(300)).is_none(), "a write ran during the failover");
    assert!(wait_until(T, || info_field(&mut mc, "replication", "master_failover_state") == "no-failover"));
    assert_eq!(writer.read_reply(), b"+OK\r\n");
    assert!(m.log().contains("FAILOVER to 127.0.0.1:7777 aborted: Replica never caught up before timeout"));
    assert_eq!(role_name(&mut mc), "master");
    // ABORT ends a waiting failover at once
    ok(&mut mc, &["FAILOVER", "TO", "127.0.0.1", "7777"]);
    ok(&mut mc, &["FAILOVER", "ABORT"]);
    assert_eq!(info_field(&mut mc, "replication", "master_failover_state"), "no-failover");
    ok(&mut mc, &["SET", "after", "1"]);
}
