//! The loaders on damaged input, on stable Rust (the fuzz/ targets explore further on
//! nightly): an RDB file, an AOF manifest and an AOF base in command form are cut at every
//! length and have each byte flipped in turn. A damaged RDB is always refused (its checksum
//! sees any flip that the structure does not), a cut command file stops at the last whole
//! command before the cut, and nothing panics — including replaying flipped commands through
//! the gate and `call()` as the AOF loader does.

use vireo_server::aof::{next_command, Manifest};
use vireo_server::persist::{load_into, write_dbs, Access};
use vireo_server::testing::TestServer;

fn dataset() -> TestServer {
    let mut t = TestServer::new("");
    let big: Vec<String> = (0..80).map(|i| format!("m{i}")).collect();
    let mut rpush = vec!["RPUSH", "biglist"];
    rpush.extend(big.iter().map(|s| s.as_str()));
    let mut cmds: Vec<Vec<&str>> = vec![rpush];
    for c in [
        "SET s hello",
        "SET n -42",
        "PEXPIREAT s 99999999999999",
        "RPUSH l a b 1",
        "SADD si 1 2 3",
        "SADD ss x y",
        "HSET h f v g 7",
        "ZADD z 1.5 a 2 b",
        "XADD st 1-1 f v",
        "XADD st 2-1 f w",
        "XGROUP CREATE st g 0",
        "XREADGROUP GROUP g alice COUNT 1 STREAMS st >",
        "XGROUP CREATECONSUMER st g bob",
        "SELECT 3",
        "SET other db3",
    ] {
        cmds.push(c.split(' ').collect());
    }
    for c in cmds {
        let r = t.cmd(&c);
        assert!(!r.starts_with(b"-"), "{c:?}: {}", String::from_utf8_lossy(&r));
    }
    t
}

fn rdb_bytes(t: &TestServer, checksum: bool) -> Vec<u8> {
    let aux = vireo_rdb::file::Aux { redis_ver: "7.0.15".into(), ctime: 1, used_mem: 1, repl: None, aof_base: false };
    let mut out = Vec::new();
    write_dbs(&t.srv.ks.dbs, &mut out, true, checksum, &aux, Access::None).unwrap();
    out
}

fn load(bytes: &[u8]) -> Result<u64, String> {
    let mut fresh = TestServer::new("");
    let limits = fresh.srv.type_limits();
    load_into(&mut fresh.srv.ks.dbs, bytes, limits, 0, false, false).map(|st| st.loaded)
}

#[test]
fn damaged_rdb_files_are_refused() {
    let t = dataset();
    let good = rdb_bytes(&t, true);
    assert_eq!(load(&good), Ok(10));
    for cut in 0..good.len() {
        assert!(load(&good[..cut]).is_err(), "a file cut at {cut} of {} loaded", good.len());
    }
    for i in 0..good.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = good.clone();
            bad[i] ^= bit;
            assert!(load(&bad).is_err(), "a flip of byte {i} went unnoticed");
        }
    }
    // without a checksum nothing catches a flip but the structure: never a panic either way
    let unchecked = rdb_bytes(&t, false);
    for i in 0..unchecked.len() {
        let mut bad = unchecked.clone();
        bad[i] ^= 0x5a;
        let _ = load(&bad);
    }
}

#[test]
fn damaged_manifests_never_panic_and_round_trip() {
    let good = "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n";
    let m = Manifest::parse(good).unwrap();
    assert_eq!(Manifest::parse(&m.render()).unwrap(), m);
    let bytes = good.as_bytes();
    let check = |b: &[u8]| {
        if let Ok(text) = std::str::from_utf8(b) {
            if let Ok(m) = Manifest::parse(text) {
                assert_eq!(Manifest::parse(&m.render()).unwrap(), m);
            }
        }
    };
    for cut in 0..bytes.len() {
        check(&bytes[..cut]);
    }
    for i in 0..bytes.len() {
        for bit in [0x01u8, 0x20, 0x80] {
            let mut bad = bytes.to_vec();
            bad[i] ^= bit;
            check(&bad);
        }
    }
    // a line cut in the middle of a field is refused, not guessed at
    assert!(Manifest::parse("file appendonly.aof.2.base.aof seq 2 ty").is_err());
    assert!(Manifest::parse("file appendonly.aof.2.base.aof seq").is_err());
}

/// The commands of `data` up to the first bad one, and where the whole ones end.
fn commands(data: &[u8]) -> (Vec<Vec<bytes::Bytes>>, usize, bool) {
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        match next_command(data, &mut pos) {
            Ok(None) => return (out, pos, true),
            Ok(Some(argv)) => out.push(argv),
            Err(valid) => return (out, valid, false),
        }
    }
}

#[test]
fn damaged_command_form_bases_stop_at_the_damage() {
    let t = dataset();
    let mut base = Vec::new();
    vireo_server::aof_rewrite::write_dbs(&t.srv.ks.dbs, &mut base, None).unwrap();
    let (all, end, clean) = commands(&base);
    assert!(clean && end == base.len());
    // command boundaries
    let mut bounds = vec![0];
    let mut pos = 0;
    while next_command(&base, &mut pos).unwrap().is_some() {
        bounds.push(pos);
    }
    for cut in 0..base.len() {
        let (cmds, valid, clean) = commands(&base[..cut]);
        let whole = bounds.iter().filter(|&&b| b <= cut).count() - 1;
        assert_eq!(cmds.len(), whole, "cut at {cut}");
        assert_eq!(cmds[..], all[..whole]);
        assert_eq!(valid, bounds[whole]);
        assert_eq!(clean, bounds.contains(&cut));
    }
    // flipped bytes: read as far as they parse, then replayed through the gate and call()
    // with a client of the AOF loader's kind; nothing panics
    for i in (0..base.len()).step_by(3) {
        let mut bad = base.clone();
        bad[i] ^= 0x04;
        let (cmds, valid, _) = commands(&bad);
        assert!(valid <= bad.len());
        let mut replay = TestServer::new("");
        for argv in cmds {
            let args: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
            let _ = replay.exec(&args);
        }
    }
}

/// Inputs the fuzz targets found: a bulk length near usize::MAX (overflowed the bounds check)
/// and a collection declaring 2^31 members (was presized up front).
#[test]
fn fuzz_findings_stay_fixed() {
    for huge in ["18446744073709551615", "18446744073709551614", "18446744073709551613"] {
        let cmd = format!("*1\r\n${huge}\r\nx\r\n");
        let mut pos = 0;
        assert_eq!(next_command(cmd.as_bytes(), &mut pos), Err(0));
    }
    let payload: &[u8] =
        &[2, 128, 128, 0, 0, 0, 0, 0, 0, 0, 77, 128, 128, 4, 0, 0, 0, 0, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0];
    for t in [2u8, 4, 3, 5] {
        let mut body = payload.to_vec();
        body[0] = t;
        let mut d = vireo_rdb::enc::Decoder::new(&body[..]);
        let ty = d.u8().unwrap();
        assert!(vireo_rdb::value::read_value(&mut d, ty, &Default::default()).is_err());
    }
    // a RESIZEDB of 2^62 keys in a file is not trusted either
    let mut rdb = b"REDIS0010".to_vec();
    rdb.extend_from_slice(&[0xFE, 0, 0xFB, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert!(load(&rdb).is_err());
}
