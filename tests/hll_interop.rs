//! HyperLogLog strings travel between vireo and redis-server 7.0.15 unchanged in meaning: the
//! same PFADDs produce byte-identical strings on both; a string made by one server, stored with
//! SET on the other, counts the same there, keeps growing the same under further PFADDs, merges
//! the same, and converts to dense at the same point. Sparse and dense strings are both covered
//! (the sparse limit is lowered on both servers to reach dense form quickly).

use vireo_testkit::{RawConn, ServerBuilder, ServerProcess};

fn pair() -> (ServerProcess, ServerProcess) {
    let args = ["--hll-sparse-max-bytes", "1500"];
    let vireo = ServerBuilder::with_binary(env!("CARGO_BIN_EXE_vireo-server")).args(args).start();
    let redis = ServerBuilder::redis().args(args).start();
    (vireo, redis)
}

fn cmd(c: &mut RawConn, args: &[&[u8]]) -> Vec<u8> {
    c.cmd_bytes(args)
}

/// The payload of a bulk reply.
fn bulk(reply: &[u8]) -> Vec<u8> {
    assert_eq!(reply[0], b'$', "bulk expected: {:?}", String::from_utf8_lossy(reply));
    let nl = reply.iter().position(|&b| b == b'\n').unwrap();
    let len: usize = std::str::from_utf8(&reply[1..nl - 1]).unwrap().parse().unwrap();
    reply[nl + 1..nl + 1 + len].to_vec()
}

fn pfadd(c: &mut RawConn, key: &str, elems: &[String]) -> Vec<u8> {
    let mut args: Vec<&[u8]> = vec![b"PFADD", key.as_bytes()];
    args.extend(elems.iter().map(|e| e.as_bytes()));
    cmd(c, &args)
}

fn elems(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

#[test]
fn same_pfadds_give_identical_strings() {
    let (vireo, redis) = pair();
    let (mut v, mut r) = (vireo.connect(), redis.connect());
    // element counts that stay sparse, cross the sparse limit, and go far into dense
    for (i, n) in [0usize, 1, 5, 50, 300, 1200, 5000].into_iter().enumerate() {
        let key = format!("h{i}");
        let batch = elems(&format!("k{i}-"), n);
        for chunk in batch.chunks(97).chain(std::iter::once(&[][..])) {
            assert_eq!(pfadd(&mut v, &key, chunk), pfadd(&mut r, &key, chunk), "PFADD {key} ({n} elements)");
        }
        let (gv, gr) = (cmd(&mut v, &[b"GET", key.as_bytes()]), cmd(&mut r, &[b"GET", key.as_bytes()]));
        assert_eq!(gv, gr, "string of {key} after {n} elements");
        for c in [&b"PFCOUNT"[..], b"GET"] {
            assert_eq!(
                cmd(&mut v, &[c, key.as_bytes()]),
                cmd(&mut r, &[c, key.as_bytes()]),
                "{} {key}",
                String::from_utf8_lossy(c)
            );
        }
        let enc = [&b"PFDEBUG"[..], b"ENCODING", key.as_bytes()];
        assert_eq!(cmd(&mut v, &enc), cmd(&mut r, &enc));
    }
    // merges of sparse and dense sources
    for dst in ["h0", "h2", "h4", "h6", "new"] {
        let args: [&[u8]; 4] = [b"PFMERGE", dst.as_bytes(), b"h3", b"h5"];
        assert_eq!(cmd(&mut v, &args), cmd(&mut r, &args));
        assert_eq!(
            cmd(&mut v, &[b"GET", dst.as_bytes()]),
            cmd(&mut r, &[b"GET", dst.as_bytes()]),
            "PFMERGE into {dst}"
        );
    }
}

/// A string made by `from` is stored with SET on `to`; both must then agree on everything.
fn carry_over(from: &mut RawConn, to: &mut RawConn, key: &str, n: usize) {
    pfadd(from, key, &elems(&format!("{key}:"), n));
    let raw = bulk(&cmd(from, &[b"GET", key.as_bytes()]));
    assert!(raw.starts_with(b"HYLL"));
    assert_eq!(cmd(to, &[b"SET", key.as_bytes(), &raw]), b"+OK\r\n");
    assert_eq!(cmd(to, &[b"PFCOUNT", key.as_bytes()]), cmd(from, &[b"PFCOUNT", key.as_bytes()]), "PFCOUNT {key} ({n})");
    assert_eq!(cmd(to, &[b"GET", key.as_bytes()]), cmd(from, &[b"GET", key.as_bytes()]), "{key} after PFCOUNT");
    let other = format!("{key}-copy");
    // GETREG converts to dense: do it on copies so the originals stay as they are
    assert_eq!(cmd(to, &[b"SET", other.as_bytes(), &raw]), b"+OK\r\n");
    assert_eq!(cmd(from, &[b"SET", other.as_bytes(), &raw]), b"+OK\r\n");
    let regs_copy = [&b"PFDEBUG"[..], b"GETREG", other.as_bytes()];
    assert_eq!(cmd(to, &regs_copy), cmd(from, &regs_copy), "registers of {key}");
    // both keep growing the same way
    let more = elems(&format!("{key}+"), n / 2 + 3);
    assert_eq!(pfadd(to, key, &more), pfadd(from, key, &more));
    assert_eq!(cmd(to, &[b"GET", key.as_bytes()]), cmd(from, &[b"GET", key.as_bytes()]), "{key} after more PFADDs");
    assert_eq!(cmd(to, &[b"PFCOUNT", key.as_bytes()]), cmd(from, &[b"PFCOUNT", key.as_bytes()]));
}

#[test]
fn strings_move_between_servers() {
    let (vireo, redis) = pair();
    let (mut v, mut r) = (vireo.connect(), redis.connect());
    for n in [1usize, 20, 400, 3000, 20000] {
        carry_over(&mut r, &mut v, &format!("from-redis-{n}"), n);
        carry_over(&mut v, &mut r, &format!("from-vireo-{n}"), n);
    }
    // a union counted across strings of both origins
    let keys: [&[u8]; 5] = [b"PFCOUNT", b"from-redis-400", b"from-vireo-3000", b"from-redis-20000", b"from-vireo-1"];
    assert_eq!(cmd(&mut v, &keys), cmd(&mut r, &keys));
    let merge: [&[u8]; 4] = [b"PFMERGE", b"all", b"from-redis-3000", b"from-vireo-20"];
    assert_eq!(cmd(&mut v, &merge), cmd(&mut r, &merge));
    assert_eq!(cmd(&mut v, &[b"GET", b"all"]), cmd(&mut r, &[b"GET", b"all"]));
}
