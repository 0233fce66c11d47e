//! What the set commands propagate, compared with Redis 7.0.15: the same commands run on an
//! in-process vireo (`TestServer`, capturing its replication stream) and on a real redis-server
//! whose stream is read as a replica would read it. SPOP must reach replicas as SREM of the
//! members it chose (or DEL when it took the whole set), never as SPOP; SMOVE, the *STORE
//! commands and SREM as they were given, and read-only commands not at all. Members chosen at
//! random differ between the two servers, so for keys named `rnd:*` the SREM members are
//! masked in the comparison, and vireo's own SREMs are checked against the members its SPOP
//! replied with.

use vireo_server::testing::TestServer;

mod prop_support;

use prop_support::*;

/// Commands covering the propagation rules of the set family. Arguments are separated by
/// single spaces.
const SCRIPT: &[&str] = &[
    // SADD / SREM as given, nothing when nothing changed
    "SADD s 1 2 3",
    "SADD s 3",
    "SADD s 4 a",
    "SREM s 1 nope",
    "SREM s zz",
    "SREM nokey a",
    "SET str x",
    "SADD str a",
    // SMOVE as given; nothing when no member moved
    "SMOVE s t 2",
    "SMOVE s t nope",
    "SMOVE s s 3",
    "SMOVE nokey t 1",
    "SADD t 3",
    "SMOVE s t 3",
    // SPOP of one member: SREM key member
    "SADD one x",
    "SPOP one",
    "SPOP one",
    // SPOP with a count covering the set: DEL
    "SADD all a b c",
    "SPOP all 5",
    "SADD all a",
    "SPOP all 1",
    "SPOP all 0",
    "SPOP nokey 3",
    "SADD z 1",
    "SPOP z 0",
    // SPOP with a count: one SREM per member, in both strategies
    "SADD rnd:a 1 2 3 4 5 6 7 8 9 10",
    "SPOP rnd:a 3",
    "SADD rnd:b a b c d e f g h i j",
    "SPOP rnd:b 8",
    "SADD rnd:c a b c",
    "SPOP rnd:c",
    // read-only commands
    "SRANDMEMBER s 2",
    "SRANDMEMBER s -5",
    "SMEMBERS s",
    "SISMEMBER s a",
    "SINTER s t",
    "SINTERCARD 2 s t",
    "SUNION s t",
    "SDIFF s t",
    "SSCAN s 0",
    // stores as given, including the one that deletes the destination
    "SINTERSTORE d s t",
    "SUNIONSTORE d s t",
    "SDIFFSTORE d s s",
    "SDIFFSTORE d nokey",
    "SUNIONSTORE d2 s",
    // a TTL in the past deletes the set
    "SADD e a b",
    "PEXPIREAT e 1",
    "SCARD e",
    // another database
    "SELECT 2",
    "SADD s x",
    "SPOP s 1",
    "SELECT 0",
    "SADD s again",
];

fn args_of(cmd: &str) -> Vec<Vec<u8>> {
    cmd.split(' ').map(|a| a.as_bytes().to_vec()).collect()
}

/// The members of an array reply of bulk strings.
fn bulk_members(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply);
    let mut lines = text.split("\r\n");
    let head = lines.next().unwrap_or("");
    let mut out = Vec::new();
    if head.starts_with('*') || head.starts_with('~') {
        while let Some(l) = lines.next() {
            if l.starts_with('$') {
                out.push(lines.next().unwrap_or("").to_string());
            }
        }
    } else if head.starts_with('$') && head != "$-1" {
        out.push(lines.next().unwrap_or("").to_string());
    }
    out.sort();
    out
}

/// SREM members of random pops, masked.
fn mask_random(stream: &[String]) -> Vec<String> {
    stream
        .iter()
        .map(|c| {
            let parts: Vec<&str> = c.split(' ').collect();
            if parts.len() == 3 && parts[0].eq_ignore_ascii_case("SREM") && parts[1].starts_with("rnd:") {
                format!("SREM {} <member>", parts[1])
            } else {
                c.clone()
            }
        })
        .collect()
}

#[test]
fn set_commands_propagate_like_redis() {
    let mut reference = Reference::start(&[]);
    let t0 = now_ms();
    let mut ref_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        ref_replies.push(reference.exec(&refs));
    }
    reference.exec(MARKER);
    let ref_stream = normalize(reference.stream_until(MARKER), t0);

    let mut vireo = TestServer::new("");
    vireo.capture();
    let t0 = now_ms();
    let mut vireo_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        vireo_replies.push(vireo.exec(&refs));
    }
    let vireo_stream = normalize(parse_stream(&vireo.take_captured()), t0);

    for ((cmd, r), v) in SCRIPT.iter().zip(&ref_replies).zip(&vireo_replies) {
        if cmd.contains("rnd:") && cmd.starts_with("SPOP") || cmd.starts_with("SRANDMEMBER") {
            // random members: the same number of them
            assert_eq!(bulk_members(v).len(), bulk_members(r).len(), "reply to {cmd:?}");
            continue;
        }
        let unordered = ["SPOP ", "SMEMBERS ", "SINTER ", "SUNION ", "SDIFF ", "SSCAN "];
        if unordered.iter().any(|p| cmd.starts_with(p)) {
            // hash-table order depends on the hash seed
            assert_eq!(bulk_members(v), bulk_members(r), "reply to {cmd:?} (left: vireo, right: redis)");
            continue;
        }
        assert_eq!(
            String::from_utf8_lossy(v),
            String::from_utf8_lossy(r),
            "reply to {cmd:?} differs (left: vireo, right: redis)"
        );
    }

    // vireo's SREMs name exactly the members its SPOPs replied with
    for key in ["rnd:a", "rnd:b", "rnd:c"] {
        let popped: Vec<String> = SCRIPT
            .iter()
            .zip(&vireo_replies)
            .filter(|(c, _)| c.starts_with("SPOP ") && c.split(' ').nth(1) == Some(key))
            .flat_map(|(_, r)| bulk_members(r))
            .collect();
        let mut removed: Vec<String> =
            vireo_stream.iter().filter_map(|c| c.strip_prefix(&format!("SREM {key} ")).map(str::to_string)).collect();
        removed.sort();
        assert!(!popped.is_empty());
        assert_eq!(removed, popped, "SREMs of {key} against the members SPOP returned");
    }

    // the scenario does reach the interesting cases on the reference
    assert_eq!(ref_stream.iter().filter(|c| c.starts_with("SREM rnd:b ")).count(), 8, "{ref_stream:?}");
    assert!(ref_stream.iter().any(|c| c == "DEL all"), "{ref_stream:?}");
    let (vireo_stream, ref_stream) = (mask_random(&vireo_stream), mask_random(&ref_stream));
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
