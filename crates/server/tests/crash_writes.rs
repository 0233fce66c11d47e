//! Crash images of snapshot writes (DESIGN.md rule 9): the RDB file, the AOF base in command
//! form and the AOF manifest are written through `disk::FailAfter`, which stops every
//! operation after a given number of bytes and steps, as a kill at that point would. The
//! failure point sweeps over every byte of a small dataset's file and every step after it;
//! each time the target on disk must be either the old file or the complete new one, never a
//! mixture or a torn file, and a write that reports success must have left the new one.

use std::path::{Path, PathBuf};
use vireo_server::aof::Manifest;
use vireo_server::disk::{Disk, FailAfter, Os};
use vireo_server::persist::{write_dbs, write_file_on, Access, FileKind};
use vireo_server::testing::TestServer;

fn fresh_dir(tag: &str) -> PathBuf {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_007;
    let d = std::env::temp_dir().join(format!("vireo-crash-{tag}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small dataset of every type, with a TTL and a second database.
fn dataset() -> TestServer {
    let mut t = TestServer::new("");
    for cmd in [
        "SET s hello",
        "SET n 42",
        "PEXPIREAT s 99999999999999",
        "RPUSH l a b c 1 2",
        "SADD si 1 2 3",
        "SADD ss x y",
        "HSET h f v g 7",
        "ZADD z 1.5 a 2 b",
        "XADD st 1-1 f v",
        "XADD st 2-1 f w",
        "XGROUP CREATE st g 0",
        "XREADGROUP GROUP g alice COUNT 1 STREAMS st >",
        "SELECT 2",
        "SET other db2",
    ] {
        let argv: Vec<&str> = cmd.split(' ').collect();
        let r = t.cmd(&argv);
        assert!(!r.starts_with(b"-"), "{cmd}: {}", String::from_utf8_lossy(&r));
    }
    t
}

type Body<'a> = &'a dyn Fn(&mut dyn std::io::Write) -> std::io::Result<u64>;

/// Sweeps the failure point over every byte and step of writing `body` to `target` (which
/// holds `old` before each attempt).
fn sweep(dir: &Path, kind: FileKind, old: &[u8], body: Body<'_>) -> usize {
    let target = dir.join("target");
    let temp = dir.join("temp-target");
    write_file_on(&Os, &temp, &target, kind, body).unwrap();
    let new = std::fs::read(&target).unwrap();
    assert_ne!(new, old);
    // the file's bytes plus create, sync, rename and directory sync
    let units = new.len() as u64 + 4;
    for budget in 0..=units {
        std::fs::write(&target, old).unwrap();
        let disk = FailAfter::new(budget);
        let res = write_file_on(&disk, &temp, &target, kind, body);
        let now = std::fs::read(&target).unwrap();
        assert!(now == old || now == new, "budget {budget}: the target is neither the old nor the new file");
        if res.is_ok() {
            assert_eq!(now, new, "budget {budget}: success reported but the new file is not in place");
        } else {
            assert!(disk.tripped(), "budget {budget}: an error without reaching the failure point: {res:?}");
        }
        if budget == units {
            assert!(res.is_ok() && !disk.tripped(), "the full budget is enough");
        }
        let _ = Os.remove(&temp);
    }
    new.len()
}

#[test]
fn rdb_file_is_old_or_new_at_every_crash_point() {
    let t = dataset();
    let dir = fresh_dir("rdb");
    let aux = vireo_rdb::file::Aux {
        redis_ver: "7.0.15".into(),
        ctime: 1_700_000_000,
        used_mem: 1_000_000,
        repl: None,
        aof_base: false,
    };
    let old = b"REDIS0010 an older snapshot".to_vec();
    let dbs = &t.srv.ks.dbs;
    let body = |w: &mut dyn std::io::Write| write_dbs(dbs, w, true, true, &aux, Access::None);
    let n = sweep(&dir, FileKind::Rdb, &old, &body);
    assert!(n > 100);
    // and the complete file loads back with every key
    let bytes = std::fs::read(dir.join("target")).unwrap();
    let mut fresh = TestServer::new("");
    let limits = fresh.srv.type_limits();
    let st = vireo_server::persist::load_into(&mut fresh.srv.ks.dbs, &bytes[..], limits, 0, false, false).unwrap();
    assert_eq!(st.loaded, 9);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn command_form_base_is_old_or_new_at_every_crash_point() {
    let t = dataset();
    let dir = fresh_dir("aofbase");
    let old = b"*1\r\n$4\r\nPING\r\n".to_vec();
    let dbs = &t.srv.ks.dbs;
    let body = |w: &mut dyn std::io::Write| vireo_server::aof_rewrite::write_dbs(dbs, w, None);
    sweep(&dir, FileKind::AofBase, &old, &body);
    // the new base is whole: every command parses to the end
    let bytes = std::fs::read(dir.join("target")).unwrap();
    let mut pos = 0;
    let mut cmds = 0;
    while let Some(_argv) = vireo_server::aof::next_command(&bytes, &mut pos).unwrap() {
        cmds += 1;
    }
    assert_eq!(pos, bytes.len());
    assert!(cmds >= 12);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn manifest_is_old_or_new_at_every_crash_point() {
    let dir = fresh_dir("manifest");
    let old =
        Manifest::parse("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n")
            .unwrap()
            .render();
    let new = Manifest::parse(
        "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
    )
    .unwrap()
    .render();
    let body = |w: &mut dyn std::io::Write| w.write_all(new.as_bytes()).map(|()| 0);
    sweep(&dir, FileKind::AofManifest, old.as_bytes(), &body);
    let now = std::fs::read_to_string(dir.join("target")).unwrap();
    assert_eq!(Manifest::parse(&now).unwrap(), Manifest::parse(&new).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}
