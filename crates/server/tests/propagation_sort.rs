//! What SORT and SORT_RO propagate, compared with Redis 7.0.15. The same commands run on an
//! in-process vireo (`TestServer`, capturing its replication stream) and on a real
//! redis-server started on a free port, whose stream is read as a replica would read it (inline
//! `SYNC`, skip the RDB payload, then the command stream). Both streams are parsed into commands
//! and must be equal; replies and lookup statistics (SORT reads every pattern key it resolves)
//! must be equal byte for byte. SORT ... STORE goes to replicas as written; plain sorts, SORT_RO
//! and failures not at all; destinations and keys found expired as DEL first.

use vireo_server::testing::TestServer;

mod prop_support;

use prop_support::*;

/// Commands covering every propagation rule of the hash family. Arguments are separated by
/// single spaces; `''` stands for the empty string.
const SCRIPT: &[&str] = &[
    "SADD s 3 1 2",
    "SADD words b c a",
    "MSET w_1 30 w_2 10 w_3 20",
    "HSET h_1 f z",
    "HSET h_2 f y",
    // a plain SORT, SORT_RO and failures propagate nothing (lookups of patterns are counted)
    "SORT s",
    "SORT_RO s BY w_* GET # GET w_* GET h_*->f",
    "SORT s BY w_*",
    "SORT words",
    "SORT words STORE bad",
    "SORT nokey",
    "SORT_RO s STORE x",
    // STORE propagates as written
    "SORT s STORE dst",
    "SORT s BY w_* DESC GET h_*->f STORE dst",
    "SORT words ALPHA LIMIT 0 2 STORE dst2",
    "SORT words BY nosort STORE dst3",
    // an empty result deletes the destination (propagated), or does nothing
    "SORT nokey STORE dst",
    "SORT nokey STORE dst",
    "SORT s LIMIT 5 5 STORE dst2",
    // a destination found expired is deleted first
    "SET m v PXAT 1",
    "SORT s STORE m",
    "SET m v PXAT 1",
    "SORT nokey STORE m",
    // an expired key to sort, and expired weights
    "SET e v PXAT 1",
    "SORT e",
    "SET w_2 v PXAT 1",
    "SORT s BY w_* STORE dst4",
    // wrong types propagate nothing
    "SET str v",
    "SORT str STORE dst",
    // another database: the stream selects it
    "SELECT 1",
    "SADD a 2 1",
    "SORT a STORE b",
    "SELECT 0",
    "SORT s STORE back",
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
fn sort_propagates_like_redis() {
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
