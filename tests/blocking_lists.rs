//! Blocking list commands with several real connections, on vireo and on the reference
//! redis-server 7.0.15 side by side: every scenario runs on both and the transcripts (every
//! reply, byte for byte) must be equal. Covered: FIFO service among waiters of one key, waiters
//! on several keys, BLMOVE feeding another waiter, pipelined commands behind a blocked one,
//! CLIENT UNBLOCK (TIMEOUT and ERROR), a waiter that disconnects, WATCH broken by a served pop,
//! timeouts, `blocked_clients` in INFO, and the deadline of a waiter that was woken for nothing.
//! Each write meant to serve a waiter is sent only once the server reports the waiter blocked,
//! so no assertion depends on timing.

mod runtime_support;

use runtime_support::*;
use std::time::Duration;
use vireo_testkit::{RawConn, ServerProcess};

/// Replies collected from one server, labelled by the step that produced them.
type Transcript = Vec<(String, Vec<u8>)>;

struct Run<'a> {
    srv: &'a ServerProcess,
    admin: RawConn,
    out: Transcript,
}

impl<'a> Run<'a> {
    fn new(srv: &'a ServerProcess) -> Run<'a> {
        let mut admin = srv.connect();
        assert_eq!(admin.cmd(&["FLUSHALL"]), b"+OK\r\n");
        Run { srv, admin, out: Vec::new() }
    }

    fn conn(&self) -> RawConn {
        self.srv.connect()
    }

    fn blocked(&mut self) -> usize {
        info_field(&mut self.admin, "clients", "blocked_clients").parse().unwrap()
    }

    /// Waits until the server reports `n` blocked clients.
    fn wait_blocked(&mut self, n: usize) {
        let ok = wait_until(Duration::from_secs(5), || self.blocked() == n);
        assert!(ok, "{}: never reached {n} blocked clients", self.srv.name());
    }

    /// Runs a command on the admin connection and records its reply.
    fn admin(&mut self, args: &[&str]) {
        let r = self.admin.cmd(args);
        self.out.push((args.join(" "), r));
    }

    fn record(&mut self, label: &str, c: &mut RawConn) {
        let r = c.read_reply();
        self.out.push((label.to_string(), r));
    }
}

fn compare(name: &str, scenario: fn(&mut Run)) {
    let servers = both(&[]);
    let transcripts: Vec<Transcript> = servers
        .iter()
        .map(|srv| {
            let mut run = Run::new(srv);
            scenario(&mut run);
            run.out
        })
        .collect();
    let (v, r) = (&transcripts[0], &transcripts[1]);
    for (a, b) in v.iter().zip(r) {
        assert_eq!(a.0, b.0);
        assert_eq!(
            String::from_utf8_lossy(&a.1),
            String::from_utf8_lossy(&b.1),
            "{name}: reply to {} differs (left: vireo, right: redis)",
            a.0
        );
    }
    assert_eq!(v.len(), r.len(), "{name}: transcripts of different lengths");
    assert!(!v.is_empty());
}

#[test]
fn waiters_of_one_key_are_served_first_come_first_served() {
    compare("fifo", |run| {
        let mut waiters: Vec<RawConn> = (0..5).map(|_| run.conn()).collect();
        for (i, w) in waiters.iter_mut().enumerate() {
            if i % 2 == 0 {
                w.send_cmd(&["BLPOP", "q", "0"]);
            } else {
                w.send_cmd(&["BRPOP", "q", "0"]);
            }
            run.wait_blocked(i + 1);
        }
        run.admin(&["RPUSH", "q", "a", "b", "c"]);
        for (i, w) in waiters.iter_mut().enumerate().take(3) {
            run.record(&format!("waiter {i}"), w);
        }
        run.wait_blocked(2);
        run.admin(&["LPUSH", "q", "x", "y", "z"]);
        for (i, w) in waiters.iter_mut().enumerate().skip(3) {
            run.record(&format!("waiter {i}"), w);
        }
        run.admin(&["LRANGE", "q", "0", "-1"]);
    });
}

#[test]
fn waiters_on_several_keys_and_moves_between_them() {
    compare("several keys", |run| {
        let mut a = run.conn();
        let mut b = run.conn();
        let mut m = run.conn();
        a.send_cmd(&["BLPOP", "k1", "k2", "0"]);
        run.wait_blocked(1);
        b.send_cmd(&["BLMPOP", "0", "2", "k2", "k3", "RIGHT", "COUNT", "2"]);
        run.wait_blocked(2);
        // k2 is waited on by both: the older waiter takes one element, the other the rest
        run.admin(&["RPUSH", "k2", "1", "2", "3"]);
        run.record("a", &mut a);
        run.record("b", &mut b);
        // a BLMOVE waiter feeds a BLPOP waiter on its destination
        a.send_cmd(&["BLPOP", "dst", "0"]);
        run.wait_blocked(1);
        m.send_cmd(&["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"]);
        run.wait_blocked(2);
        run.admin(&["RPUSH", "src", "moved", "stays"]);
        run.record("m", &mut m);
        run.record("a", &mut a);
        run.admin(&["LRANGE", "src", "0", "-1"]);
        run.admin(&["EXISTS", "dst"]);
        run.admin(&["INFO", "keyspace"]);
    });
}

#[test]
fn pipelines_unblocking_and_disconnects() {
    compare("pipelines", |run| {
        // commands pipelined behind a blocked one run once it is served
        let mut p = run.conn();
        p.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\np\r\n$1\r\n0\r\n*2\r\n$4\r\nLLEN\r\n$1\r\np\r\n*1\r\n$4\r\nPING\r\n");
        run.wait_blocked(1);
        run.admin(&["RPUSH", "p", "a", "b"]);
        run.record("blpop", &mut p);
        run.record("llen", &mut p);
        run.record("ping", &mut p);
        // CLIENT UNBLOCK: the timeout reply, then an error
        let mut u = run.conn();
        let id = String::from_utf8(u.cmd(&["CLIENT", "ID"])).unwrap();
        let id = id.trim_start_matches(':').trim().to_string();
        u.send_cmd(&["BLMOVE", "none", "d", "LEFT", "LEFT", "0"]);
        run.wait_blocked(1);
        let r = run.admin.cmd(&["CLIENT", "UNBLOCK", &id]);
        run.out.push(("CLIENT UNBLOCK".into(), r));
        run.record("unblocked blmove", &mut u);
        u.send_cmd(&["BLMPOP", "0", "1", "none", "LEFT"]);
        run.wait_blocked(1);
        let r = run.admin.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]);
        run.out.push(("CLIENT UNBLOCK ERROR".into(), r));
        run.record("unblocked blmpop", &mut u);
        // a waiter that goes away leaves its place to the next one
        let mut gone = run.conn();
        gone.send_cmd(&["BLPOP", "g", "0"]);
        run.wait_blocked(1);
        let mut next = run.conn();
        next.send_cmd(&["BLPOP", "g", "0"]);
        run.wait_blocked(2);
        drop(gone);
        run.wait_blocked(1);
        run.admin(&["RPUSH", "g", "x"]);
        run.record("next", &mut next);
        run.admin(&["EXISTS", "g"]);
    });
}

#[test]
fn watch_timeouts_and_wrong_types() {
    compare("watch and timeouts", |run| {
        // a served pop touches the key: a transaction watching it fails
        let mut w = run.conn();
        let mut watcher = run.conn();
        run.admin(&["RPUSH", "wk", "seed"]);
        run.admin(&["DEL", "wk"]);
        w.send_cmd(&["BLPOP", "wk", "0"]);
        run.wait_blocked(1);
        assert_eq!(watcher.cmd(&["WATCH", "wk"]), b"+OK\r\n");
        run.admin(&["RPUSH", "wk", "v"]);
        run.record("blpop", &mut w);
        assert_eq!(watcher.cmd(&["MULTI"]), b"+OK\r\n");
        assert_eq!(watcher.cmd(&["PING"]), b"+QUEUED\r\n");
        let r = watcher.cmd(&["EXEC"]);
        run.out.push(("EXEC after a served pop".into(), r));
        // timeouts give the null array, blocking or not
        let mut t = run.conn();
        t.send_cmd(&["BRPOPLPUSH", "none", "d", "0.05"]);
        run.record("brpoplpush timeout", &mut t);
        t.send_cmd(&["BLMPOP", "0.05", "2", "none", "none2", "LEFT"]);
        run.record("blmpop timeout", &mut t);
        // a waiter woken for nothing (a string under its key) keeps waiting, then times out
        t.send_cmd(&["BLPOP", "sk", "0.3"]);
        run.wait_blocked(1);
        run.admin(&["SET", "sk", "string"]);
        run.admin(&["DEL", "sk"]);
        run.record("blpop after a string came and went", &mut t);
        // a waiter whose key turns into another type stays blocked; WRONGTYPE for new waiters
        t.send_cmd(&["BLPOP", "tk", "0"]);
        run.wait_blocked(1);
        run.admin(&["SADD", "tk", "m"]);
        run.admin(&["BLPOP", "tk", "0"]);
        run.admin(&["DEL", "tk"]);
        run.admin(&["LPUSH", "tk", "finally"]);
        run.record("blpop served after the set went", &mut t);
        let n = run.blocked();
        run.out.push(("blocked at the end".into(), n.to_string().into_bytes()));
    });
}
