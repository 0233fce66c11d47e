//! Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK, ...). A handler that finds nothing to
//! serve calls `Ctx::block_on_keys`; the client then waits, registered under each key in FIFO
//! order, with an optional deadline. Writes that touch a key somebody waits on mark it ready
//! (`call()` does this from the command's key specs); after the command, every ready key's
//! waiters re-run their own command through the gate and `call()`, oldest first, until one
//! blocks again (nothing left to serve). A deadline that passes gives the command's timeout
//! reply. Stream readers differ in three ways: they do not consume, so every waiter of a ready
//! stream gets its turn; they may re-run with rewritten arguments (XREAD's `$` resolved to the id
//! it meant when the client blocked); and an XREADGROUP waiter whose key stops being a stream or
//! whose group disappears is released with Redis's error. A re-run that blocks again keeps its
//! original deadline. This module owns the bookkeeping only; what "serving" means is each
//! command's own.

use crate::client::{cflags, Client, Reply};
use crate::server::Server;
use bytes::Bytes;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// What a blocked client waits for.
#[derive(Debug, Clone)]
pub struct BlockState {
    /// (db, key) pairs, in the order the command named them.
    pub keys: Vec<(usize, Bytes)>,
    /// The type the key must hold for the command to be worth running again.
    pub wants: vireo_keyspace::Kind,
    /// Absolute deadline in ms since the epoch; 0 = none.
    pub deadline_ms: i64,
    /// Writes the reply for a timeout (null array, null bulk...).
    pub on_timeout: fn(&mut Reply),
    /// The arguments to run again instead of the ones received (XREAD's `$` resolved to the id
    /// it stood for when the client blocked); `None` re-runs the command as received.
    pub rerun_argv: Option<Vec<Bytes>>,
    /// XREADGROUP's group: a waiter whose key stops being a stream, or whose group goes away,
    /// is released with an error instead of waiting for data that can no longer come.
    pub stream_group: Option<Bytes>,
    /// WAIT: the replication offset to be acknowledged and by how many replicas; its timeout
    /// reply is the number that acknowledged by then.
    pub wait_repl: Option<(u64, i64)>,
}

#[derive(Debug, Default)]
pub struct Blocking {
    /// Waiting client ids per (db, key), oldest first.
    waiters: HashMap<(usize, Bytes), VecDeque<u64>>,
    /// (deadline, client id) of the clients with a deadline.
    deadlines: BTreeSet<(i64, u64)>,
    /// Keys written since the last serve round, in the order they became ready.
    ready: Vec<(usize, Bytes)>,
    ready_set: HashSet<(usize, Bytes)>,
    /// Number of blocked clients (INFO blocked_clients).
    pub blocked: usize,
    /// The deadline of the client being re-run: if its command blocks again, it keeps it.
    rerun_deadline: Option<i64>,
    /// The key whose readiness is being served while a waiter's command runs again, so the
    /// command takes from that key first (Redis serves a waiter from the key that became ready,
    /// not from the first of its keys that happens to hold something).
    serving: Option<(usize, Bytes)>,
}

impl Blocking {
    /// True when some client waits on (db, key).
    #[inline]
    pub fn is_waited(&self, db: usize, key: &[u8]) -> bool {
        !self.waiters.is_empty() && self.waiters.contains_key(&(db, Bytes::copy_from_slice(key)))
    }

    /// True when any client is blocked on keys.
    #[inline]
    pub fn any(&self) -> bool {
        !self.waiters.is_empty()
    }

    /// Marks a key ready if somebody waits on it.
    pub fn signal(&mut self, db: usize, key: &[u8]) {
        if self.waiters.is_empty() {
            return;
        }
        let k = (db, Bytes::copy_from_slice(key));
        if self.waiters.contains_key(&k) && self.ready_set.insert(k.clone()) {
            self.ready.push(k);
        }
    }

    /// Keys became ready and their waiters have not been served yet.
    #[inline]
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// While a waiter's command runs again: the ready key (in database `db`) it is served from.
    pub fn serving_key(&self, db: usize) -> Option<&Bytes> {
        self.serving.as_ref().filter(|(d, _)| *d == db).map(|(_, k)| k)
    }

    /// The nearest deadline, for the event loop's poll timeout.
    pub fn next_deadline(&self) -> Option<i64> {
        self.deadlines.iter().next().map(|(d, _)| *d)
    }

    fn register(&mut self, id: u64, st: &BlockState) {
        for k in &st.keys {
            let q = self.waiters.entry(k.clone()).or_default();
            if !q.contains(&id) {
                q.push_back(id);
            }
        }
        if st.deadline_ms > 0 {
            self.deadlines.insert((st.deadline_ms, id));
        }
        self.blocked += 1;
    }

    fn unregister(&mut self, id: u64, st: &BlockState) {
        for k in &st.keys {
            if let Some(q) = self.waiters.get_mut(k) {
                q.retain(|&x| x != id);
                if q.is_empty() {
                    self.waiters.remove(k);
                }
            }
        }
        if st.deadline_ms > 0 {
            self.deadlines.remove(&(st.deadline_ms, id));
        }
        self.blocked = self.blocked.saturating_sub(1);
    }
}

/// Marks every waited key of database `db` ready (SWAPDB brought in a whole new keyspace).
pub fn signal_all_waited(srv: &mut Server, db: usize) {
    let keys: Vec<Bytes> = srv.blocking.waiters.keys().filter(|(d, _)| *d == db).map(|(_, k)| k.clone()).collect();
    for k in keys {
        srv.blocking.signal(db, &k);
    }
}

/// Blocks the calling client (from `Ctx::block_on_keys`).
pub fn block_client(srv: &mut Server, c: &mut Client, mut st: BlockState) {
    if let Some(d) = srv.blocking.rerun_deadline.take() {
        st.deadline_ms = d;
    }
    srv.blocking.register(c.id, &st);
    srv.update_write_tracking();
    c.block = Some(st);
    c.flags |= cflags::BLOCKED | cflags::PENDING_COMMAND;
    // the command is not propagated and not counted again when it is re-run
    srv.call_state.prevent = true;
}

/// Removes a client's blocking registration (served, timed out, unblocked, disconnected).
pub fn unblock_client(srv: &mut Server, c: &mut Client) {
    if let Some(st) = c.block.take() {
        srv.blocking.unregister(c.id, &st);
        srv.update_write_tracking();
    }
    c.flags &= !(cflags::BLOCKED | cflags::PENDING_COMMAND);
}

/// A blocked command that ends without running again (timeout, error) still counts as one call
/// of its command, failed when it ends with an error, as Redis counts it when unblocking.
fn count_unblocked_call(srv: &mut Server, c: &Client, failed: bool) {
    if c.argv.is_empty() {
        return;
    }
    if let crate::registry::Lookup::Found(id) = srv.registry.lookup(&c.argv) {
        let st = &mut srv.cmd_stats[id];
        st.calls += 1;
        if failed {
            st.failed_calls += 1;
        }
        srv.stats.numcommands += 1;
    }
}

/// Ends a client's wait with its timeout reply (deadline passed, CLIENT UNBLOCK ... TIMEOUT).
pub fn timeout_client(srv: &mut Server, c: &mut Client) {
    if let Some(st) = c.block.clone() {
        unblock_client(srv, c);
        count_unblocked_call(srv, c, false);
        match st.wait_repl {
            Some((off, _)) => {
                let n = crate::repl::master::acks_for(srv, off);
                c.reply.int(n as i64);
            }
            None => (st.on_timeout)(&mut c.reply),
        }
        after_unblock(srv, c);
    }
}

/// Ends a client's wait with an error (CLIENT UNBLOCK ... ERROR).
pub fn error_client(srv: &mut Server, c: &mut Client, err: &str) {
    if c.block.is_some() {
        unblock_client(srv, c);
        count_unblocked_call(srv, c, true);
        c.reply.error(err);
        srv.count_errors(c);
        after_unblock(srv, c);
    }
}

/// After a client leaves the blocked state: its reply goes out and its pipeline continues.
fn after_unblock(srv: &mut Server, c: &mut Client) {
    if c.pending_output() > 0 {
        srv.schedule_write(c);
    }
    crate::net::process_input(srv, c);
    if c.pending_output() > 0 {
        srv.schedule_write(c);
    }
}

/// Times out the clients whose deadline has passed.
pub fn handle_timeouts(srv: &mut Server, now_ms: i64) {
    loop {
        let Some(&(deadline, id)) = srv.blocking.deadlines.iter().next() else {
            return;
        };
        if deadline > now_ms {
            return;
        }
        srv.blocking.deadlines.remove(&(deadline, id));
        let Some(&token) = srv.client_order.get(&id) else {
            continue;
        };
        if let Some(mut c) = crate::net::take_client(srv, token) {
            timeout_client(srv, &mut c);
            crate::net::put_client(srv, c);
        }
    }
}

/// For an XREADGROUP waiter on `key`: the error that releases it when the key is no longer a
/// stream or its group no longer exists (Redis 7.0's texts).
fn stream_group_gone(srv: &Server, c: &Client, key: &(usize, Bytes)) -> Option<&'static str> {
    let group = c.block.as_ref()?.stream_group.as_ref()?;
    let (db, k) = key;
    match srv.ks.dbs[*db].peek(k).map(|e| &e.val) {
        Some(vireo_keyspace::value::Value::Stream(s)) => {
            s.group(group).is_none().then_some("NOGROUP the consumer group this client was blocked on no longer exists")
        }
        _ => Some("UNBLOCKED the stream key no longer exists"),
    }
}

/// Serves the clients waiting on keys that became ready: each re-runs its command, oldest
/// first; a client whose command blocks again keeps its place at the head of the queue.
pub fn serve_ready_keys(srv: &mut Server) {
    while !srv.blocking.ready.is_empty() {
        let ready = std::mem::take(&mut srv.blocking.ready);
        srv.blocking.ready_set.clear();
        for key in ready {
            let Some(queue) = srv.blocking.waiters.get(&key) else {
                continue;
            };
            let snapshot: Vec<u64> = queue.iter().copied().collect();
            let mut requeued: Vec<u64> = Vec::new();
            for id in snapshot {
                let Some(&token) = srv.client_order.get(&id) else {
                    continue;
                };
                let Some(mut c) = crate::net::take_client(srv, token) else {
                    continue;
                };
                // only a key of the awaited type can serve it (a string written under the key
                // leaves a BLPOP waiting, as in Redis)
                let serveable = match &c.block {
                    None => false,
                    Some(st) => {
                        let (db, k) = &key;
                        srv.ks.dbs[*db].peek(k).is_some_and(|e| e.val.kind() == st.wants)
                    }
                };
                if let Some(err) = stream_group_gone(srv, &c, &key) {
                    error_client(srv, &mut c, err);
                    crate::net::put_client(srv, c);
                    continue;
                }
                if !serveable {
                    crate::net::put_client(srv, c);
                    continue;
                }
                let Some(st) = c.block.clone() else {
                    crate::net::put_client(srv, c);
                    continue;
                };
                unblock_client(srv, &mut c);
                if let Some(argv) = st.rerun_argv {
                    c.argv = argv;
                }
                srv.blocking.rerun_deadline = Some(st.deadline_ms);
                srv.blocking.serving = Some(key.clone());
                crate::exec::process_command(srv, &mut c);
                srv.blocking.serving = None;
                srv.blocking.rerun_deadline = None;
                let blocked_again = c.block.is_some();
                if blocked_again {
                    requeued.push(id);
                } else {
                    after_unblock(srv, &mut c);
                }
                crate::net::put_client(srv, c);
                // a list or sorted set left nothing for the clients behind one that blocked
                // again; stream readers do not consume, so each of them gets its turn
                if blocked_again && st.wants != vireo_keyspace::Kind::Stream {
                    break;
                }
            }
            // the clients that blocked again go back to the head of this key's queue, in order
            if !requeued.is_empty() {
                if let Some(q) = srv.blocking.waiters.get_mut(&key) {
                    q.retain(|x| !requeued.contains(x));
                    for id in requeued.into_iter().rev() {
                        q.push_front(id);
                    }
                }
            }
        }
    }
}
