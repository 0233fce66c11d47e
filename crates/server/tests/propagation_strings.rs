//! What the string commands propagate, compared with Redis 7.0.15. The same commands run on an
//! in-process vireo (`TestServer`, capturing its replication stream) and on a real
//! redis-server started on a free port, whose stream is read as a replica would read it (inline
//! `SYNC`, skip the RDB payload, then the command stream). Both streams are parsed into commands
//! and must be equal once absolute times derived from the clock (SET ... PXAT, PEXPIREAT after a
//! relative TTL) are normalized; replies must be equal byte for byte.

use vireo_server::testing::TestServer;

mod prop_support;

use prop_support::*;

/// Commands covering every propagation rule of the string family. Arguments are separated by
/// single spaces; `''` stands for the empty string.
const SCRIPT: &[&str] = &[
    // SET as received, SET with a relative/absolute TTL as SET ... PXAT, GET options removed
    "SET a 1",
    "SET a 2 nx",
    "SET a 3 xx",
    "SET b v EX 600",
    "SET b v px 1200000",
    "SET b v EXAT 4102444800",
    "SET b v PXAT 4102444800123",
    "SET b v2 KEEPTTL",
    "SET b v3 keepttl GET",
    "SET b v4 GET get Get",
    "SET b get GET",
    "SET b v5 GET EX 60",
    "SET b v6 NX",
    "SET c v XX",
    "SET c v NX GET",
    "SET c v EX 0",
    "SET c v BOGUS",
    // an absolute time in the past is propagated as given; the next access expires the key
    "SET d v PXAT 1",
    "GET d",
    "SET d v PXAT 1",
    "SET d w XX",
    "SET d v EXAT 1",
    "SET d w NX",
    // a command that finds an expired key propagates the DEL and its own effect together
    "SET m v PXAT 1",
    "SET m w GET",
    "SET m v PXAT 1",
    "INCR m",
    "SET m v PXAT 1",
    "APPEND m x",
    "SET m v PXAT 1",
    "GETEX m EX 60",
    "SET m v PXAT 1",
    "GETDEL m",
    "SET m v PXAT 1",
    "MSETNX m a m2 b",
    "SET m v PXAT 1",
    "INCRBYFLOAT m 1.5",
    "SET m v PXAT 1",
    "SETRANGE m 0 ''",
    "SET m v PXAT 1",
    "MGET m",
    // SETNX, SETEX, PSETEX
    "SETNX e v",
    "SETNX e w",
    "SETEX f 120 v",
    "PSETEX f 180000 v",
    "SETEX f 0 v",
    // GETEX: PEXPIREAT, PERSIST, DEL; nothing for a plain read or PERSIST without a TTL
    "GETEX f",
    "GETEX f EX 240",
    "GETEX f PX 300000",
    "GETEX f EXAT 4102444800",
    "GETEX f PXAT 4102444800777",
    "GETEX f PERSIST",
    "GETEX f PERSIST",
    "GETEX nokey EX 60",
    "GETEX f EX -1",
    "GETEX f PXAT 1",
    "GETEX f",
    // GETDEL, GETSET
    "SET g v EX 60",
    "GETDEL g",
    "GETDEL g",
    "GETSET g w",
    "GETSET g x",
    // MSET, MSETNX
    "MSET h1 a h2 b",
    "MSETNX h2 c h3 d",
    "MSETNX h3 c h4 d",
    "MSET h5",
    // APPEND, SETRANGE
    "APPEND i hello",
    "APPEND i ''",
    "APPEND i2 ''",
    "SETRANGE i 2 XY",
    "SETRANGE i 2 ''",
    "SETRANGE j 3 ''",
    "SETRANGE j -1 x",
    "SETRANGE j 1 x",
    // counters
    "INCR k",
    "DECR k",
    "INCRBY k 10",
    "DECRBY k 3",
    "INCRBY k abc",
    "SET k 9223372036854775807",
    "INCR k",
    // INCRBYFLOAT becomes SET ... KEEPTTL with the exact result
    "INCRBYFLOAT l 10.5",
    "INCRBYFLOAT l 0.1",
    "SET l 3 EX 600",
    "INCRBYFLOAT l 1.5e1",
    "INCRBYFLOAT l abc",
    // read-only commands propagate nothing
    "GET a",
    "MGET a b c",
    "STRLEN i",
    "GETRANGE i 0 -1",
    "SUBSTR i 0 1",
    "LCS a b",
    // another database: the stream selects it
    "SELECT 1",
    "SET a v",
    "INCRBYFLOAT a2 2",
    "SELECT 0",
    "SET a again",
];

fn args_of(cmd: &str) -> Vec<Vec<u8>> {
    cmd.split(' ').map(|a| if a == "''" { Vec::new() } else { a.as_bytes().to_vec() }).collect()
}

/// The lookup statistics of an INFO reply: they show whether each command looked its keys up
/// for reading or for writing, and which keys it expired.
fn lookup_stats(info_reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(info_reply);
    let wanted = ["keyspace_hits:", "keyspace_misses:", "expired_keys:"];
    text.lines().filter(|l| wanted.iter().any(|w| l.starts_with(w))).map(str::to_string).collect()
}

fn run(redis_args: &[&str], vireo_config: &str) {
    let mut reference = Reference::start(redis_args);
    let t0 = now_ms();
    let mut ref_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        ref_replies.push(reference.exec(&refs));
    }
    let ref_stats = lookup_stats(&reference.exec(&[b"INFO", b"stats"]));
    reference.exec(MARKER);
    let ref_stream = normalize(reference.stream_until(MARKER), t0);

    let mut vireo = TestServer::new(vireo_config);
    vireo.capture();
    let t0 = now_ms();
    let mut vireo_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        vireo_replies.push(vireo.exec(&refs));
    }
    let vireo_stats = lookup_stats(&vireo.exec(&[b"INFO", b"stats"]));
    let vireo_stream = normalize(parse_stream(&vireo.take_captured()), t0);

    for ((cmd, r), v) in SCRIPT.iter().zip(&ref_replies).zip(&vireo_replies) {
        assert_eq!(
            String::from_utf8_lossy(v),
            String::from_utf8_lossy(r),
            "reply to {cmd:?} differs (left: vireo, right: redis)"
        );
    }
    assert_eq!(ref_stats.len(), 3, "INFO stats of the reference: {ref_stats:?}");
    assert_eq!(vireo_stats, ref_stats, "lookup statistics differ (left: vireo, right: redis)");
    if vireo_stream != ref_stream {
        let n = vireo_stream.len().max(ref_stream.len());
        let mut report = String::new();
        for i in 0..n {
            let v = vireo_stream.get(i).map(String::as_str).unwrap_or("<none>");
            let r = ref_stream.get(i).map(String::as_str).unwrap_or("<none>");
            report.push_str(&format!("{} {:50} | {}\n", if v == r { ' ' } else { '!' }, v, r));
        }
        panic!("propagated streams differ (left: vireo, right: redis)\n{report}");
    }
}

#[test]
fn string_commands_propagate_like_redis() {
    run(&[], "");
}

#[test]
fn string_commands_propagate_unlink_with_lazyfree() {
    run(
        &["--lazyfree-lazy-user-del", "yes", "--lazyfree-lazy-expire", "yes"],
        "lazyfree-lazy-user-del yes\nlazyfree-lazy-expire yes\n",
    );
}
