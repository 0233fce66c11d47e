//! Debian's redis-sentinel 7.0.15 watching vireo servers: it discovers the replica from the
//! master's INFO, and when the master goes away it promotes the replica (REPLICAOF NO ONE, its
//! INFO and ROLE read by Sentinel) and reports the new master's address. This checks the
//! replication surface Sentinel depends on; vireo's own Sentinel mode is a later issue.

mod runtime_support;

use runtime_support::*;
use std::time::Duration;
use vireo_testkit::{RawConn, ServerBuilder};

const T: Duration = Duration::from_secs(40);

#[test]
fn redis_sentinel_fails_over_a_vireo_master_to_its_vireo_replica() {
    let Some(sentinel_bin) = ["/usr/bin/redis-sentinel", "/usr/local/bin/redis-sentinel"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
    else {
        panic!("redis-sentinel is missing: run scripts/install-deps.sh");
    };
    let m = vireo().args(["--repl-diskless-sync-delay", "0"]).start();
    let mport = m.port().to_string();
    let r = vireo().args(["--replicaof", "127.0.0.1", &mport]).start();
    let mut rc = RawConn::connect(r.addr()).unwrap();
    assert!(wait_until(T, || info_field(&mut rc, "replication", "master_link_status") == "up"));
    let conf = format!(
        "sentinel monitor mymaster 127.0.0.1 {} 1\nsentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n",
        m.port()
    );
    let s = ServerBuilder::with_binary(sentinel_bin).name("sentinel").config_text(&conf).start();
    let mut sc = RawConn::connect(s.addr()).unwrap();
    let replicas_seen = |sc: &mut RawConn| {
        let reply = sc.cmd_parsed(&["SENTINEL", "REPLICAS", "mymaster"]);
        reply.as_array().is_some_and(|a| !a.is_empty())
    };
    assert!(wait_until(T, || replicas_seen(&mut sc)), "sentinel never saw the replica");
    let mut mc = RawConn::connect(m.addr()).unwrap();
    let r0 = mc.cmd(&["SET", "before-failover", "1"]);
    assert_eq!(r0, b"+OK\r\n");
    assert_eq!(mc.cmd(&["WAIT", "1", "5000"]), b":1\r\n");
    drop(mc);
    drop(m);
    let rport = r.port().to_string();
    let promoted = |sc: &mut RawConn| {
        let a = sc.cmd_parsed(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]);
        a.as_array().and_then(|a| a.get(1).and_then(|p| p.as_str().map(|p| p == rport))).unwrap_or(false)
    };
    assert!(wait_until(T, || promoted(&mut sc)), "no failover: {}", s.log_tail(30));
    // Sentinel kills the normal clients of the server it promotes: connect again
    drop(rc);
    let mut rc = RawConn::connect(r.addr()).unwrap();
    assert!(wait_until(T, || info_field(&mut rc, "replication", "role") == "master"));
    assert_eq!(rc.cmd(&["GET", "before-failover"]), b"$1\r\n1\r\n");
    assert_eq!(rc.cmd(&["SET", "after-failover", "1"]), b"+OK\r\n");
    assert!(wait_until(T, || s.log().contains("+switch-master mymaster 127.0.0.1")), "{}", s.log_tail(20));
}
