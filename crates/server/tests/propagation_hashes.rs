//! What the hash commands propagate, compared with Redis 7.0.15. The same commands run on an
//! in-process vireo (`TestServer`, capturing its replication stream) and on a real
//! redis-server started on a free port, whose stream is read as a replica would read it (inline
//! `SYNC`, skip the RDB payload, then the command stream). Both streams are parsed into commands
//! and must be equal; replies and lookup statistics must be equal byte for byte. HINCRBYFLOAT
//! must reach replicas as HSET of its exact result, failed and read-only commands not at all,
//! and keys found expired as DEL before the command's own effect. A last test checks that a
//! huge negative HRANDFIELD count ends with the client disconnected, not with unbounded memory.

use vireo_server::testing::TestServer;

mod prop_support;

use prop_support::*;

/// Commands covering every propagation rule of the hash family. Arguments are separated by
/// single spaces; `''` stands for the empty string.
const SCRIPT: &[&str] = &[
    // HSET / HMSET as received (updates too), HSETNX only when it sets
    "HSET h a 1 b 2",
    "HSET h a 1",
    "HMSET h c 3 d 4",
    "HSETNX h a x",
    "HSETNX h e 5",
    "HSET h f",
    "HMSET h",
    // HDEL: nothing when nothing was removed
    "HDEL h nofield",
    "HDEL h a b nofield",
    "HDEL nokey a",
    // counters; failures propagate nothing
    "HINCRBY h n 5",
    "HINCRBY h n -7",
    "HINCRBY h n abc",
    "HINCRBY h c 9223372036854775807",
    "HINCRBY h c 9223372036854775800",
    "HSET h s hello",
    "HINCRBY h s 1",
    // HINCRBYFLOAT becomes HSET with the exact result
    "HINCRBYFLOAT h fl 10.5",
    "HINCRBYFLOAT h fl 0.1",
    "HINCRBYFLOAT h fl 5.0e3",
    "HINCRBYFLOAT h n 1.5",
    "HINCRBYFLOAT h fl abc",
    "HINCRBYFLOAT h fl inf",
    "HINCRBYFLOAT h s 1",
    "HINCRBYFLOAT h2 x 0x10",
    // read-only commands propagate nothing
    "HGET h a",
    "HMGET h a c nokey",
    "HMGET nokey a",
    "HLEN h",
    "HSTRLEN h c",
    "HEXISTS h c",
    "HKEYS h2",
    "HVALS h2",
    "HGETALL h2",
    "HRANDFIELD h2",
    "HRANDFIELD h2 -3 WITHVALUES",
    "HSCAN h2 0",
    // emptying the hash deletes the key; the HDEL is propagated as sent
    "HDEL h c d e n fl s",
    "EXISTS h",
    // a command that finds an expired key propagates the DEL and then its own effect
    "SET m v PXAT 1",
    "HSET m a 1",
    "SET m v PXAT 1",
    "HSETNX m a 1",
    "SET m v PXAT 1",
    "HINCRBY m a 1",
    "SET m v PXAT 1",
    "HINCRBYFLOAT m a 1",
    "SET m v PXAT 1",
    "HDEL m a",
    "SET m v PXAT 1",
    "HGET m a",
    "SET m v PXAT 1",
    "HGETALL m",
    // wrong types propagate nothing
    "SET str v",
    "HSET str a 1",
    "HINCRBYFLOAT str a 1",
    // another database: the stream selects it
    "SELECT 1",
    "HSET a f v",
    "HINCRBYFLOAT a g 2",
    "SELECT 0",
    "HSET a f again",
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

#[test]
fn hash_commands_propagate_like_redis() {
    let mut reference = Reference::start(&[]);
    let mut ref_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        ref_replies.push(reference.exec(&refs));
    }
    let ref_stats = lookup_stats(&reference.exec(&[b"INFO", b"stats"]));
    reference.exec(MARKER);
    let ref_stream = commands(reference.stream_until(MARKER));

    let mut vireo = TestServer::new("");
    vireo.capture();
    let mut vireo_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        vireo_replies.push(vireo.exec(&refs));
    }
    let vireo_stats = lookup_stats(&vireo.exec(&[b"INFO", b"stats"]));
    let vireo_stream = commands(parse_stream(&vireo.take_captured()));

    for ((cmd, r), v) in SCRIPT.iter().zip(&ref_replies).zip(&vireo_replies) {
        if cmd.starts_with("HRANDFIELD") || cmd.starts_with("HKEYS") || cmd.starts_with("HVALS") {
            // random, or in an order that depends on the hash: compare the reply's size only
            assert_eq!(v.len(), r.len(), "reply to {cmd:?} differs in size (left: vireo, right: redis)");
            continue;
        }
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

fn commands(cmds: Vec<Vec<Vec<u8>>>) -> Vec<String> {
    cmds.into_iter()
        .map(|argv| argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn huge_negative_hrandfield_closes_the_client_instead_of_growing() {
    for config in [
        "client-output-buffer-limit normal 1mb 0 0\n",
        "hash-max-listpack-entries 0\nclient-output-buffer-limit normal 1mb 0 0\n",
    ] {
        let mut vireo = TestServer::new(config);
        assert_eq!(vireo.cmd(&["HSET", "h", "a", "1", "b", "2"]), b":2\r\n");
        for args in
            [["HRANDFIELD", "h", "-9223372036854775807", ""], ["HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"]]
        {
            let argv: Vec<&str> = args.iter().copied().filter(|a| !a.is_empty()).collect();
            let reply = vireo.cmd(&argv);
            assert!(reply.is_empty(), "the oversized reply must be dropped, got {} bytes", reply.len());
            assert_ne!(vireo.client.flags & vireo_server::client::cflags::CLOSE_ASAP, 0, "{config}");
            vireo.client.flags &= !vireo_server::client::cflags::CLOSE_ASAP;
        }
        // a bounded negative count is served in full
        let reply = vireo.cmd(&["HRANDFIELD", "h", "-5000", "WITHVALUES"]);
        assert!(reply.starts_with(b"*10000\r\n"));
        assert_eq!(reply.iter().filter(|&&c| c == b'$').count(), 10000);
        assert_eq!(vireo.client.flags & vireo_server::client::cflags::CLOSE_ASAP, 0);
    }
}
