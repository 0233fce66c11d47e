//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The gate queues a client's commands
//! while it is in MULTI (a rejected command marks the transaction to abort with EXECABORT);
//! EXEC runs the queue through `call()`, so the propagation point sees one unit and wraps it in
//! MULTI/EXEC when it changed more than one thing. WATCH keeps, per watched key, the clients
//! watching it; every key a write touches (tracked by the keyspace while anyone watches),
//! expires or gets flushed marks its watchers dirty, and their EXEC fails.

use crate::client::{cflags, Client};
use crate::command::*;
use crate::exec::Ctx;
use crate::registry::CmdId;
use crate::server::Server;
use bytes::Bytes;
use std::collections::HashMap;

const S_MULTI: &str = "Starts a transaction.";
const S_EXEC: &str = "Runs the commands queued since MULTI.";
const S_DISCARD: &str = "Drops the commands queued since MULTI.";
const S_WATCH: &str = "Makes the next EXEC conditional on the keys staying unchanged.";
const S_UNWATCH: &str = "Forgets every watched key.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_MULTI,
            since: "1.2.0",
            group: Group::Transactions,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: Some(multi),
        subcommands: &[],
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SKIP_SLOWLOG,
        acl: acl::SLOW | acl::TRANSACTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_EXEC,
            since: "1.2.0",
            group: Group::Transactions,
            complexity: Some("Depends on commands in the transaction"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: Some(exec),
        subcommands: &[],
    },
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_DISCARD,
            since: "2.0.0",
            group: Group::Transactions,
            complexity: Some("O(N), when N is the number of queued commands"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: Some(discard),
        subcommands: &[],
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        tips: &[],
        key_specs: &[KeySpec {
            notes: "",
            flags: kflags::RO,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 },
        }],
        doc: Doc {
            summary: S_WATCH,
            since: "2.2.0",
            group: Group::Transactions,
            complexity: Some("O(1) for every key."),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                token: None,
                summary: None,
                since: None,
                flags: argflags::MULTIPLE,
                deprecated_since: None,
                display: None,
                subargs: &[],
            }],
        },
        handler: Some(watch),
        subcommands: &[],
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_UNWATCH,
            since: "2.2.0",
            group: Group::Transactions,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: Some(unwatch),
        subcommands: &[],
    },
];

/// A key a client watches.
#[derive(Debug, Clone)]
pub struct WatchedKey {
    pub db: usize,
    pub key: Bytes,
    /// The key was logically expired when WATCH ran (its later deletion does not count).
    pub expired: bool,
}

/// The queued commands of a client in MULTI.
#[derive(Debug, Default)]
pub struct MultiState {
    pub commands: Vec<(CmdId, Vec<Bytes>)>,
}

/// Watched keys of all clients: (db, key) -> client ids, in WATCH order.
#[derive(Debug, Default)]
pub struct WatchTable {
    by_key: HashMap<(usize, Bytes), Vec<u64>>,
}

impl WatchTable {
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
    /// Client ids watching (db, key).
    fn watchers(&self, db: usize, key: &[u8]) -> Option<Vec<u64>> {
        if self.by_key.is_empty() {
            return None;
        }
        self.by_key.get(&(db, Bytes::copy_from_slice(key))).cloned()
    }
    /// Keys watched in `db`.
    fn keys_in(&self, db: usize) -> Vec<Bytes> {
        self.by_key.keys().filter(|(d, _)| *d == db).map(|(_, k)| k.clone()).collect()
    }
}

/// Queues a command of a client in MULTI (nothing is queued once the transaction is doomed).
pub fn queue(c: &mut Client, id: CmdId, argv: &[Bytes]) {
    if c.has(cflags::DIRTY_CAS | cflags::DIRTY_EXEC) {
        return;
    }
    c.mstate.commands.push((id, argv.to_vec()));
}

/// Leaves MULTI and forgets the queue and the watched keys (DISCARD, EXEC, RESET).
pub fn discard_transaction(srv: &mut Server, c: &mut Client) {
    c.mstate.commands.clear();
    c.flags &= !(cflags::MULTI | cflags::DIRTY_CAS | cflags::DIRTY_EXEC);
    unwatch_all(srv, c);
}

fn watch_key(srv: &mut Server, c: &mut Client, key: &Bytes) {
    let db = c.db;
    if c.watched.iter().any(|w| w.db == db && w.key == *key) {
        return;
    }
    let expired = srv.db(db).key_is_expired(key);
    srv.watch.by_key.entry((db, key.clone())).or_default().push(c.id);
    c.watched.push(WatchedKey { db, key: key.clone(), expired });
    srv.update_write_tracking();
}

/// Forgets every key the client watches.
pub fn unwatch_all(srv: &mut Server, c: &mut Client) {
    if c.watched.is_empty() {
        return;
    }
    for w in c.watched.drain(..) {
        let k = (w.db, w.key);
        if let Some(v) = srv.watch.by_key.get_mut(&k) {
            v.retain(|&id| id != c.id);
            if v.is_empty() {
                srv.watch.by_key.remove(&k);
            }
        }
    }
    srv.update_write_tracking();
}

/// A key changed: its watchers' transactions will fail. `cur` is the client running the
/// command, which is not in the client table at that moment.
pub fn touch_watched_key(srv: &mut Server, mut cur: Option<&mut Client>, db: usize, key: &[u8]) {
    let Some(ids) = srv.watch.watchers(db, key) else {
        return;
    };
    let exists = srv.ks.dbs[db].peek(key).is_some();
    for id in ids {
        let mut stop = false;
        let mut apply = |c: &mut Client, srv: &mut Server| {
            if let Some(w) = c.watched.iter_mut().find(|w| w.db == db && &w.key[..] == key) {
                if w.expired {
                    if !exists {
                        // the expired key is gone now: that is not a change
                        w.expired = false;
                        return;
                    }
                    stop = true;
                    return;
                }
            }
            c.flags |= cflags::DIRTY_CAS;
            unwatch_all(srv, c);
        };
        match cur.as_deref_mut() {
            Some(c) if c.id == id => apply(c, srv),
            _ => {
                if let Some(&t) = srv.client_order.get(&id) {
                    if let Some(mut c) = crate::net::take_client(srv, t) {
                        apply(&mut c, srv);
                        crate::net::put_client(srv, c);
                    }
                }
            }
        }
        if stop {
            break;
        }
    }
}

/// FLUSHDB/FLUSHALL (replaced_with = None) and SWAPDB (the other database): watchers of keys
/// that existed, or will exist after the swap, are marked dirty. Call it before the change.
pub fn touch_all_watched_in_db(
    srv: &mut Server,
    mut cur: Option<&mut Client>,
    emptied: usize,
    replaced_with: Option<usize>,
) {
    if srv.watch.is_empty() {
        return;
    }
    for key in srv.watch.keys_in(emptied) {
        let in_emptied = srv.ks.dbs[emptied].peek(&key).is_some();
        let in_replacement = replaced_with.is_some_and(|r| srv.ks.dbs[r].peek(&key).is_some());
        if !(in_emptied || in_replacement) {
            continue;
        }
        let replacement_expired = replaced_with.is_some_and(|r| {
            let db = &srv.ks.dbs[r];
            db.get_expire(&key).is_some_and(|t| srv.cached_ms > t)
        });
        let Some(ids) = srv.watch.watchers(emptied, &key) else { continue };
        for id in ids {
            let apply = |c: &mut Client, srv: &mut Server| {
                if let Some(w) = c.watched.iter_mut().find(|w| w.db == emptied && w.key == key) {
                    if w.expired {
                        if !in_replacement {
                            w.expired = false;
                            return;
                        } else if replacement_expired {
                            return;
                        }
                    } else if !in_emptied && replacement_expired {
                        w.expired = true;
                        return;
                    }
                }
                c.flags |= cflags::DIRTY_CAS;
                let _ = srv;
            };
            match cur.as_deref_mut() {
                Some(c) if c.id == id => apply(c, srv),
                _ => {
                    if let Some(&t) = srv.client_order.get(&id) {
                        if let Some(mut c) = crate::net::take_client(srv, t) {
                            apply(&mut c, srv);
                            crate::net::put_client(srv, c);
                        }
                    }
                }
            }
        }
    }
}

/// Did a watched key expire since WATCH (EXEC then fails)?
fn watched_key_expired(srv: &mut Server, c: &Client) -> bool {
    c.watched.iter().any(|w| !w.expired && srv.db(w.db).key_is_expired(&w.key))
}

fn multi(ctx: &mut Ctx) {
    if ctx.c.has(cflags::MULTI) {
        ctx.error("ERR MULTI calls can not be nested");
        return;
    }
    ctx.c.flags |= cflags::MULTI;
    ctx.ok();
}

fn discard(ctx: &mut Ctx) {
    if !ctx.c.has(cflags::MULTI) {
        ctx.error("ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(ctx.srv, ctx.c);
    ctx.ok();
}

fn watch(ctx: &mut Ctx) {
    if ctx.c.has(cflags::MULTI) {
        ctx.error("ERR WATCH inside MULTI is not allowed");
        return;
    }
    if !ctx.c.has(cflags::DIRTY_CAS) {
        for k in &ctx.argv[1..] {
            watch_key(ctx.srv, ctx.c, k);
        }
    }
    ctx.ok();
}

fn unwatch(ctx: &mut Ctx) {
    unwatch_all(ctx.srv, ctx.c);
    ctx.c.flags &= !cflags::DIRTY_CAS;
    ctx.ok();
}

fn exec(ctx: &mut Ctx) {
    if !ctx.c.has(cflags::MULTI) {
        ctx.error("ERR EXEC without MULTI");
        return;
    }
    if watched_key_expired(ctx.srv, ctx.c) {
        ctx.c.flags |= cflags::DIRTY_CAS;
    }
    if ctx.c.has(cflags::DIRTY_CAS | cflags::DIRTY_EXEC) {
        if ctx.c.has(cflags::DIRTY_EXEC) {
            ctx.error("EXECABORT Transaction discarded because of previous errors.");
        } else {
            ctx.out().null_array();
        }
        discard_transaction(ctx.srv, ctx.c);
        return;
    }
    unwatch_all(ctx.srv, ctx.c);
    // EXEC itself is never propagated: the queued commands' effects are, wrapped in
    // MULTI/EXEC by the propagation point when there is more than one
    ctx.prevent_propagation();
    let queued = std::mem::take(&mut ctx.c.mstate.commands);
    ctx.c.flags &= !cflags::MULTI;
    ctx.out().array(queued.len());
    for (id, argv) in &queued {
        crate::exec::call(ctx.srv, ctx.c, *id, argv);
    }
    discard_transaction(ctx.srv, ctx.c);
}
