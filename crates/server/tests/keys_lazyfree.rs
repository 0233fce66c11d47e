//! FLUSHDB / FLUSHALL with ASYNC (or lazyfree-lazy-user-flush) hand the old databases to the
//! lazy-free thread: INFO's lazyfree_pending_objects / lazyfreed_objects account for every key
//! (Redis counts a flushed database as one object per key), SYNC flushes leave them alone, and
//! the data is gone at once either way.

use std::time::{Duration, Instant};
use vireo_server::testing::TestServer;

fn field(info: &[u8], name: &str) -> u64 {
    let text = String::from_utf8_lossy(info);
    let prefix = format!("{name}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("INFO has no {name}"))
        .trim()
        .parse()
        .unwrap()
}

/// Waits until the lazy-free thread has nothing pending and returns lazyfreed_objects.
fn settled_freed(s: &mut TestServer) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let info = s.exec(&[b"INFO", b"memory"]);
        if field(&info, "lazyfree_pending_objects") == 0 {
            return field(&info, "lazyfreed_objects");
        }
        assert!(Instant::now() < deadline, "the lazy-free thread did not finish");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn fill(s: &mut TestServer, db: &str, n: usize) {
    assert_eq!(s.cmd(&["SELECT", db]), b"+OK\r\n");
    for i in 0..n {
        let k = format!("key:{i}");
        assert_eq!(s.cmd(&["SET", &k, "some value"]), b"+OK\r\n");
    }
    assert_eq!(s.cmd(&["SELECT", "0"]), b"+OK\r\n");
}

#[test]
fn async_flushes_count_every_key_once_freed() {
    let mut s = TestServer::new("");
    assert_eq!(settled_freed(&mut s), 0);

    fill(&mut s, "0", 1000);
    assert_eq!(s.cmd(&["FLUSHDB", "ASYNC"]), b"+OK\r\n");
    assert_eq!(s.cmd(&["DBSIZE"]), b":0\r\n");
    assert_eq!(settled_freed(&mut s), 1000);

    fill(&mut s, "0", 10);
    fill(&mut s, "5", 20);
    assert_eq!(s.cmd(&["FLUSHALL", "async"]), b"+OK\r\n");
    assert_eq!(s.cmd(&["DBSIZE"]), b":0\r\n");
    assert_eq!(settled_freed(&mut s), 1030);

    // synchronous flushes free in place
    fill(&mut s, "0", 7);
    assert_eq!(s.cmd(&["FLUSHDB", "SYNC"]), b"+OK\r\n");
    fill(&mut s, "1", 7);
    assert_eq!(s.cmd(&["FLUSHALL"]), b"+OK\r\n");
    assert_eq!(settled_freed(&mut s), 1030);
}

#[test]
fn lazyfree_lazy_user_flush_makes_plain_flushes_async() {
    let mut s = TestServer::new("lazyfree-lazy-user-flush yes\n");
    fill(&mut s, "0", 50);
    assert_eq!(s.cmd(&["FLUSHDB"]), b"+OK\r\n");
    assert_eq!(settled_freed(&mut s), 50);
    fill(&mut s, "2", 30);
    assert_eq!(s.cmd(&["FLUSHALL"]), b"+OK\r\n");
    assert_eq!(settled_freed(&mut s), 80);
    // SYNC still wins over the configuration
    fill(&mut s, "0", 9);
    assert_eq!(s.cmd(&["FLUSHALL", "SYNC"]), b"+OK\r\n");
    assert_eq!(settled_freed(&mut s), 80);
}

/// Without save points (with them Redis saves right away and the counter restarts from 0).
#[test]
fn flushes_count_as_changes() {
    let mut s = TestServer::new("save \"\"\n");
    fill(&mut s, "0", 4);
    fill(&mut s, "1", 3);
    let before = field(&s.exec(&[b"INFO", b"persistence"]), "rdb_changes_since_last_save");
    assert_eq!(s.cmd(&["FLUSHALL"]), b"+OK\r\n");
    let after = field(&s.exec(&[b"INFO", b"persistence"]), "rdb_changes_since_last_save");
    assert_eq!(after - before, 7);
}
