//! The gate and `call()`. Every command — from a network client, and later from the master link
//! and the AOF loader — enters through [`process_command`], which applies every "may this run
//! now?" check in one fixed order, and then runs through [`call`], the one place that executes a
//! handler, measures it, records statistics, feeds MONITOR and the slowlog, and hands the
//! command's effects to the propagation point. Handlers never check role, loading or auth, and
//! never write to the replication stream themselves: they report effects through [`Ctx`].

use crate::client::{cflags, Client, ReplyMode};
use crate::command::{flags, CommandSpec};
use crate::errors;
use crate::propagate::PropOp;
use crate::registry::{CmdId, Lookup};
use crate::server::Server;
use bytes::Bytes;
use std::time::Instant;
use vireo_keyspace::db::{Db, DbEvent};

/// What a handler works with: the server, the calling client, its arguments and the command.
pub struct Ctx<'a> {
    pub srv: &'a mut Server,
    pub c: &'a mut Client,
    pub argv: &'a [Bytes],
    pub cmd: &'static CommandSpec,
    pub id: CmdId,
}

impl<'a> Ctx<'a> {
    /// Argument `i` (0 is the command name).
    #[inline]
    pub fn arg(&self, i: usize) -> &[u8] {
        &self.argv[i]
    }
    #[inline]
    pub fn argc(&self) -> usize {
        self.argv.len()
    }
    /// The client's current database, with the command's clock applied.
    #[inline]
    pub fn db(&mut self) -> &mut Db {
        let i = self.c.db;
        self.srv.db(i)
    }
    /// The current database and the reply buffer at once.
    #[inline]
    pub fn db_out(&mut self) -> (&mut Db, &mut crate::client::Reply) {
        let i = self.c.db;
        (self.srv.db(i), &mut self.c.reply)
    }
    #[inline]
    pub fn out(&mut self) -> &mut crate::client::Reply {
        &mut self.c.reply
    }
    #[inline]
    pub fn ok(&mut self) {
        self.c.reply.ok()
    }
    #[inline]
    pub fn error(&mut self, e: &str) {
        self.c.reply.error(e)
    }
    #[inline]
    pub fn int(&mut self, n: i64) {
        self.c.reply.int(n)
    }
    #[inline]
    pub fn bulk(&mut self, b: &[u8]) {
        self.c.reply.bulk(b)
    }
    #[inline]
    pub fn null(&mut self) {
        self.c.reply.null()
    }
    /// The keyspace changed `n` times (rdb_changes_since_last_save); a command that dirties
    /// the keyspace is propagated unless it prevents it.
    #[inline]
    pub fn dirty(&mut self, n: u64) {
        self.srv.dirty += n;
    }
    /// Propagate `argv` instead of the command as received (effects, not intentions: SET EX
    /// becomes SET PXAT, EXPIRE becomes PEXPIREAT...).
    pub fn rewrite(&mut self, argv: Vec<Bytes>) {
        self.srv.call_state.rewritten = Some(argv);
    }
    /// Do not propagate the command itself (it may still `also_propagate`).
    pub fn prevent_propagation(&mut self) {
        self.srv.call_state.prevent = true;
    }
    /// Propagate an extra operation in database `db` after those already collected.
    pub fn also_propagate(&mut self, db: usize, argv: Vec<Bytes>) {
        self.srv.also_propagate(Some(&mut *self.c), db, argv);
    }
    /// Keyspace notification hook (pub/sub delivery arrives with the data-types issue).
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        let db = self.c.db;
        // events of the database (a key created, expired on access) come first
        let at = self.srv.prop.pending.len();
        self.srv.drain_db_events_at(at, Some(&mut *self.c));
        self.srv.notify_keyspace_event(Some(&mut *self.c), class, event, key, db);
    }
    /// Encoding thresholds of the aggregate types (list-max-listpack-size, ...).
    #[inline]
    pub fn type_limits(&self) -> vireo_keyspace::types::Limits {
        self.srv.type_limits()
    }
    /// Whether this command may block (not inside EXEC or a script).
    pub fn may_block(&self) -> bool {
        self.srv.nesting <= 1 && !self.c.is_fake()
    }
    /// Blocks the client until one of `keys` (in the current database) holds a value of kind
    /// `wants`, or until `deadline_ms` (ms since the epoch; 0 = never), when `on_timeout`
    /// writes the reply. The command is then run again from scratch; it writes no reply now.
    pub fn block_on_keys(
        &mut self,
        keys: &[Bytes],
        wants: vireo_keyspace::Kind,
        deadline_ms: i64,
        on_timeout: fn(&mut crate::client::Reply),
    ) {
        let db = self.c.db;
        let st = crate::blocking::BlockState {
            keys: keys.iter().map(|k| (db, k.clone())).collect(),
            wants,
            deadline_ms,
            on_timeout,
            rerun_argv: None,
            stream_group: None,
            wait_repl: None,
        };
        crate::blocking::block_client(self.srv, self.c, st);
    }
    /// [`Ctx::block_on_keys`] for stream readers: when served, `rerun_argv` runs instead of the
    /// received arguments, and an XREADGROUP waiter (`group`) is released with an error when the
    /// key or the group disappears.
    pub fn block_on_stream_keys(
        &mut self,
        keys: &[Bytes],
        deadline_ms: i64,
        on_timeout: fn(&mut crate::client::Reply),
        rerun_argv: Vec<Bytes>,
        group: Option<Bytes>,
    ) {
        let db = self.c.db;
        let st = crate::blocking::BlockState {
            keys: keys.iter().map(|k| (db, k.clone())).collect(),
            wants: vireo_keyspace::Kind::Stream,
            deadline_ms,
            on_timeout,
            rerun_argv: Some(rerun_argv),
            stream_group: group,
            wait_repl: None,
        };
        crate::blocking::block_client(self.srv, self.c, st);
    }
    /// Blocks the client until `num` replicas acknowledged replication offset `off` (WAIT);
    /// at the deadline it gets the number that did.
    pub fn block_for_acks(&mut self, off: u64, num: i64, deadline_ms: i64) {
        let st = crate::blocking::BlockState {
            keys: Vec::new(),
            wants: vireo_keyspace::Kind::String,
            deadline_ms,
            on_timeout: |_| {},
            rerun_argv: None,
            stream_group: None,
            wait_repl: Some((off, num)),
        };
        crate::blocking::block_client(self.srv, self.c, st);
    }
    /// Marks a key as written for clients blocked on it (when the key specs can't tell, e.g.
    /// XADD to an existing stream, or a key moved to another database).
    pub fn signal_key_ready(&mut self, db: usize, key: &[u8]) {
        self.srv.blocking.signal(db, key);
    }
    /// Hide argument `i` from the slowlog and MONITOR (passwords).
    pub fn redact(&mut self, i: usize) {
        self.srv.call_state.redacted.push(i);
    }
    /// Reply with the wrong-arity error of this command.
    pub fn wrong_arity(&mut self) {
        let name = self.srv.registry.get(self.id).full_name.clone();
        self.error(&errors::wrong_arity(&name));
    }
    /// Parses argument `i` as an i64, replying the standard error on failure.
    pub fn int_arg(&mut self, i: usize) -> Option<i64> {
        match vireo_resp::num::parse_i64(&self.argv[i]) {
            Some(n) => Some(n),
            None => {
                self.error(errors::NOT_INTEGER);
                None
            }
        }
    }
}

/// Per-call propagation state (reset for each call).
#[derive(Debug, Default)]
pub struct CallState {
    pub rewritten: Option<Vec<Bytes>>,
    pub prevent: bool,
    /// Argument positions shown as "(redacted)" in the slowlog and MONITOR.
    pub redacted: Vec<usize>,
}

/// Outcome of the gate for one command.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    /// Ran (or was rejected with an error reply): go on with the next command.
    Done,
    /// The client must not run more commands now (paused, blocked, closing).
    Stop,
}

/// Runs the command in `c.argv` through the gate and, if allowed, `call()`.
/// The checks, in order (as Redis 7.0's processCommand):
///  1. cross-protocol attack probes ("host:", "post") close the connection;
///  2. the command must exist (unknown command / unknown subcommand);
///  3. arity;
///  4. protected commands (DEBUG) need enable-debug-command;
///  5. authentication (NOAUTH) unless the command is no-auth;
///  6. commands forbidden inside MULTI;
///  7. (ACL, cluster redirection: later issues)
///  8. maxmemory: evict keys by the policy when over the limit, then refuse denyoom commands
///     (and anything but EXEC/DISCARD/QUIT/RESET inside MULTI; EXEC when it queued a denyoom
///     command) with OOM when memory is still over it;
///  9. MISCONF for writes (and PING) after a failed background save;
/// 10. NOREPLICAS (with WAIT, later), READONLY on a read-only replica;
/// 11. RESP2 pub/sub context (data-types issue);
/// 12. MASTERDOWN on a replica whose link is down (replica-serve-stale-data no), LOADING
///     while the dataset loads (EXEC too when it queued a command not flagged loading);
/// 13. a replica connection may not touch the keyspace;
/// 14. CLIENT PAUSE postpones the client;
/// 15. MULTI queues (data-types issue); otherwise `call()`.
pub fn process_command(srv: &mut Server, c: &mut Client) -> Gate {
    let argv = std::mem::take(&mut c.argv);
    let r = gate_and_call(srv, c, &argv);
    c.argv = argv;
    r
}

fn gate_and_call(srv: &mut Server, c: &mut Client, argv: &[Bytes]) -> Gate {
    // 1. cross-protocol scripting: HTTP requests sent to us
    let name = &argv[0][..];
    if name.eq_ignore_ascii_case(b"host:") || name.eq_ignore_ascii_case(b"post") {
        crate::log_warning!(
            "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection from {} aborted.",
            c.addr
        );
        c.flags |= cflags::CLOSE_ASAP;
        return Gate::Stop;
    }
    // 2. existence
    let id = match srv.registry.lookup(argv) {
        Lookup::Found(id) => id,
        Lookup::Unknown => {
            reject(srv, c, None, &errors::unknown_command(argv));
            return Gate::Done;
        }
        Lookup::UnknownSub => {
            let cmd = String::from_utf8_lossy(errors::cstr(&argv[0])).to_string();
            reject(srv, c, None, &errors::unknown_subcommand(&cmd, &argv[1]));
            return Gate::Done;
        }
    };
    let spec = srv.registry.spec(id);
    c.last_cmd.clone_from(&srv.registry.get(id).full_name);
    // 3. arity
    if !spec.arity_ok(argv.len()) {
        let e = errors::wrong_arity(&srv.registry.get(id).full_name);
        reject(srv, c, Some(id), &e);
        return Gate::Done;
    }
    // 4. protected commands
    if spec.has(flags::PROTECTED) && !srv.protected_action_allowed(c) {
        let e = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";
        reject(srv, c, Some(id), e);
        return Gate::Done;
    }
    // 5. authentication
    if !c.authenticated && srv.auth_required() && !spec.has(flags::NO_AUTH) {
        reject(srv, c, Some(id), errors::NOAUTH);
        return Gate::Done;
    }
    // 6. commands that can't run in a transaction
    if c.has(cflags::MULTI) && spec.has(flags::NO_MULTI) {
        reject(srv, c, Some(id), errors::NO_MULTI);
        return Gate::Done;
    }
    // 7. (ACL, cluster redirection, client eviction: not yet)
    // 8. maxmemory
    if srv.config.maxmemory != 0 {
        let out_of_memory = crate::evict::perform_evictions(srv, Some(&mut *c)) == crate::evict::Evict::Fail;
        if out_of_memory && oom_rejects(srv, c, spec) {
            reject(srv, c, Some(id), errors::OOM);
            return Gate::Done;
        }
    }
    // 9. a failed background save stops writes (and PING) when stop-writes-on-bgsave-error
    // is set and save points exist; the master link is never refused
    if srv.config.stop_writes_on_bgsave_error
        && !srv.config.save.is_empty()
        && !srv.rdb.last_bgsave_ok
        && !c.has(cflags::MASTER)
        && (spec.has(flags::WRITE) || spec.name == "ping")
    {
        reject(srv, c, Some(id), errors::MISCONF_RDB);
        return Gate::Done;
    }
    if srv.aof.on && !srv.aof.last_write_ok && !c.has(cflags::MASTER) && (spec.has(flags::WRITE) || spec.name == "ping")
    {
        let e = format!("MISCONF Errors writing to the AOF file: {}", srv.aof.last_write_error);
        reject(srv, c, Some(id), &e);
        return Gate::Done;
    }
    // 10. min-replicas-to-write: a master without enough recently acknowledging replicas
    // refuses writes
    let writes = is_write_command(srv, c, spec);
    if writes && !crate::repl::master::enough_good_replicas(srv) {
        reject(srv, c, Some(id), errors::NOREPLICAS);
        return Gate::Done;
    }
    // ... and a read-only replica refuses writes from anyone but its master (and the AOF
    // loader)
    if writes && srv.masterhost.is_some() && srv.config.replica_read_only && !c.has(cflags::MASTER) && !c.is_fake() {
        reject(srv, c, Some(id), errors::READONLY);
        return Gate::Done;
    }
    // 11. a RESP2 client with subscriptions may only (un)subscribe, PING, QUIT and RESET
    if c.has(cflags::PUBSUB) && !c.resp3() && !PUBSUB_CONTEXT_COMMANDS.contains(&spec.name) {
        let e = format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            srv.registry.get(id).full_name
        );
        reject(srv, c, Some(id), &e);
        return Gate::Done;
    }
    // 12. with the link to the master down and replica-serve-stale-data off, only commands
    // flagged stale run (EXEC only when all it queued are)
    if srv.masterhost.is_some()
        && !crate::repl::replica::link_up(srv)
        && !srv.config.replica_serve_stale_data
        && denies_stale(srv, c, spec)
    {
        reject(srv, c, Some(id), errors::MASTERDOWN);
        return Gate::Done;
    }
    // ... LOADING while the dataset loads (EXEC when it queued a command that may not run
    // then); the AOF loader's own client is the one doing the loading
    if srv.loading && denies_loading(srv, c, spec) && !c.has(cflags::FAKE) {
        reject(srv, c, Some(id), errors::LOADING);
        return Gate::Done;
    }
    // ... and while a replica loads a snapshot of the history it follows into separate
    // databases (serving the old ones), the commands flagged no-async-loading
    if crate::repl::replica::async_loading(srv) && spec.has(flags::NO_ASYNC_LOADING) && !c.has(cflags::FAKE) {
        reject(srv, c, Some(id), errors::LOADING);
        return Gate::Done;
    }
    let is_write = spec.has(flags::WRITE);
    let may_replicate = is_write || spec.has(flags::MAY_REPLICATE);
    // 13. a replica connection may not touch the keyspace
    if c.has(cflags::SLAVE) && (may_replicate || spec.has(flags::READONLY)) {
        reject(srv, c, Some(id), "ERR Replica can't interact with the keyspace");
        return Gate::Done;
    }
    // 14. CLIENT PAUSE
    if !c.has(cflags::SLAVE) && srv.pause.blocks(may_replicate, srv.mstime()) {
        c.flags |= cflags::PAUSED | cflags::PENDING_COMMAND;
        srv.paused_clients.push(c.token);
        return Gate::Stop;
    }
    // 15. inside MULTI everything but the transaction commands is queued
    if c.has(cflags::MULTI) && !TRANSACTION_COMMANDS.contains(&spec.name) {
        crate::cmd::multi::queue(c, id, argv);
        c.reply.simple("QUEUED");
        return Gate::Done;
    }
    call(srv, c, id, argv);
    // (not while a load runs: the keys it writes are served once it is complete)
    if srv.nesting == 0 && !srv.loading && srv.blocking.has_ready() {
        crate::blocking::serve_ready_keys(srv);
    }
    if c.has(cflags::CLOSE_ASAP | cflags::BLOCKED | cflags::LOOP_JOB) {
        return Gate::Stop;
    }
    Gate::Done
}

/// Whether the OOM condition refuses this command: denyoom commands (EXEC when one of its
/// queued commands is), and, inside MULTI, every command that would be queued, since queueing
/// takes memory too.
fn oom_rejects(srv: &Server, c: &Client, spec: &CommandSpec) -> bool {
    if spec.has(flags::DENYOOM) {
        return true;
    }
    if spec.name == "exec" {
        return c.mstate.commands.iter().any(|(id, _)| srv.registry.spec(*id).has(flags::DENYOOM));
    }
    c.has(cflags::MULTI) && !matches!(spec.name, "discard" | "quit" | "reset")
}

/// A write command, or an EXEC whose transaction holds one.
fn is_write_command(srv: &Server, c: &Client, spec: &CommandSpec) -> bool {
    if spec.has(flags::WRITE) {
        return true;
    }
    spec.name == "exec" && c.mstate.commands.iter().any(|(id, _)| srv.registry.spec(*id).has(flags::WRITE))
}

/// A command that may not run on a replica serving no stale data: one not flagged stale, or an
/// EXEC holding one.
fn denies_stale(srv: &Server, c: &Client, spec: &CommandSpec) -> bool {
    if !spec.has(flags::STALE) {
        return true;
    }
    spec.name == "exec" && c.mstate.commands.iter().any(|(id, _)| !srv.registry.spec(*id).has(flags::STALE))
}

/// A command that may not run while the dataset loads: one not flagged loading, or an EXEC
/// holding one.
fn denies_loading(srv: &Server, c: &Client, spec: &CommandSpec) -> bool {
    if !spec.has(flags::LOADING) {
        return true;
    }
    spec.name == "exec" && c.mstate.commands.iter().any(|(id, _)| !srv.registry.spec(*id).has(flags::LOADING))
}

/// Commands a RESP2 client in subscriber mode may still send.
const PUBSUB_CONTEXT_COMMANDS: &[&str] =
    &["ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset"];

/// Commands that run immediately inside MULTI instead of being queued.
const TRANSACTION_COMMANDS: &[&str] = &["exec", "discard", "multi", "watch", "quit", "reset"];

/// Replies with a rejection error and counts it (rejected_calls when the command is known).
pub fn reject(srv: &mut Server, c: &mut Client, id: Option<CmdId>, err: &str) {
    if let Some(id) = id {
        srv.cmd_stats[id].rejected_calls += 1;
    }
    if c.has(cflags::MULTI) {
        c.flags |= cflags::DIRTY_EXEC;
    }
    // a refused EXEC (in MULTI or not) ends any transaction, saying why
    if id.is_some_and(|id| srv.registry.spec(id).name == "exec") {
        crate::cmd::multi::discard_transaction(srv, c);
        let why = err.strip_prefix("ERR ").unwrap_or(err);
        c.reply.error(&format!("EXECABORT Transaction discarded because of: {}", why));
        srv.count_errors(c);
        return;
    }
    c.reply.error(err);
    srv.count_errors(c);
}

/// Executes a command: the one place where handlers run and effects are propagated.
pub fn call(srv: &mut Server, c: &mut Client, id: CmdId, argv: &[Bytes]) {
    let spec = srv.registry.spec(id);
    let Some(handler) = spec.handler else {
        // a container named alone: its arity forbids it, so this is only a guard
        c.reply.error(&errors::wrong_arity(&srv.registry.get(id).full_name));
        return;
    };
    srv.nesting += 1;
    if srv.nesting == 1 {
        srv.update_command_clock(c);
    }
    let outer_state = std::mem::take(&mut srv.call_state);
    let ops_start = srv.prop.pending.len();
    // databases record key creations only while "new" events are asked for
    let want_new = srv.config.notify_keyspace_events & notify::NEW != 0;
    if srv.ks.dbs.first().is_some_and(|d| d.record_new != want_new) {
        for d in srv.ks.dbs.iter_mut() {
            d.record_new = want_new;
        }
    }
    let dirty_before = srv.dirty;
    let errors_before = c.reply.errors.len();
    let reply_start = c.reply.len();
    // an online replica's connection carries the replication stream only: what its own
    // commands (REPLCONF ACK, a stray PING) would answer is dropped, as Redis does
    let streaming_replica =
        c.has(cflags::SLAVE) && c.repl.as_ref().is_some_and(|l| l.state == crate::repl::master::SyncState::Online);
    let start = Instant::now();

    handler(&mut Ctx { srv, c, argv, cmd: spec, id });

    let elapsed = start.elapsed();
    // SAVE and FLUSHALL reset the counter: a negative change counts as none
    let dirty = srv.dirty.saturating_sub(dirty_before);
    // lazy-expiry deletions happened inside the command, before its own effect
    srv.drain_db_events_at(ops_start, Some(&mut *c));
    let state = std::mem::replace(&mut srv.call_state, outer_state);
    if dirty > 0 && !state.prevent {
        let db = c.db;
        match state.rewritten {
            Some(v) => srv.prop.pending.push(PropOp { db, argv: v }),
            None => srv.prop.pending.push(PropOp { db, argv: argv.to_vec() }),
        }
    }

    // keys this command wrote: their watchers' transactions fail, and clients waiting on them
    // may now be served
    if srv.write_tracking {
        for i in 0..srv.ks.dbs.len() {
            if srv.ks.dbs[i].written.is_empty() {
                continue;
            }
            let written = std::mem::take(&mut srv.ks.dbs[i].written);
            if dirty == 0 {
                continue;
            }
            for k in written {
                crate::cmd::multi::touch_watched_key(srv, Some(&mut *c), i, &k);
                srv.blocking.signal(i, &k);
            }
        }
    }
    // a command that blocked is counted when it is served, not now
    if c.block.is_some() {
        srv.nesting -= 1;
        if srv.nesting == 0 {
            flush_propagation(srv, !spec.has(flags::TOUCHES_ARBITRARY_KEYS));
        }
        return;
    }

    // statistics
    let usec = elapsed.as_micros() as u64;
    let failed = c.reply.errors.len() > errors_before;
    {
        let st = &mut srv.cmd_stats[id];
        st.calls += 1;
        st.nsec += elapsed.as_nanos() as u64;
        if failed {
            st.failed_calls += 1;
        }
        if srv.config.latency_tracking {
            st.latency.get_or_insert_with(Default::default).record(elapsed.as_nanos() as u64);
        }
    }
    srv.stats.numcommands += 1;
    srv.count_errors(c);
    let shown: std::borrow::Cow<[Bytes]> = if state.redacted.is_empty() {
        std::borrow::Cow::Borrowed(argv)
    } else {
        let mut v = argv.to_vec();
        for &i in &state.redacted {
            if i < v.len() {
                v[i] = Bytes::from_static(b"(redacted)");
            }
        }
        std::borrow::Cow::Owned(v)
    };
    if !spec.has(flags::SKIP_SLOWLOG) {
        srv.slowlog_push(c, &shown, usec);
    }
    srv.latency_sample(if spec.has(flags::FAST) { "fast-command" } else { "command" }, usec / 1000);
    if !srv.monitors.is_empty() && !spec.has(flags::SKIP_MONITOR) && !spec.has(flags::ADMIN) {
        srv.feed_monitors(c, &shown);
    }
    // replies of the master link, the AOF loader and CLIENT REPLY OFF/SKIP are dropped
    if c.has(cflags::MASTER) || streaming_replica {
        if failed && c.has(cflags::MASTER) && c.reply.rb.buf.get(reply_start) == Some(&b'-') {
            let reply = c.reply.rb.buf[reply_start..].to_vec();
            let name = srv.registry.get(id).full_name.clone();
            crate::repl::replica::log_error_to_master(srv, &reply, &name);
        }
        c.reply.rb.buf.truncate(reply_start);
    } else if c.reply_mode != ReplyMode::On {
        drop_reply_keeping_pushes(c, reply_start);
    }
    if srv.nesting == 1 {
        c.kept_pushes.clear();
    }
    match c.reply_mode {
        ReplyMode::Skip => c.reply_mode = ReplyMode::On,
        ReplyMode::SkipNext => c.reply_mode = ReplyMode::Skip,
        _ => {}
    }
    srv.nesting -= 1;
    if srv.nesting == 0 {
        let wrap = !spec.has(flags::TOUCHES_ARBITRARY_KEYS);
        let before = srv.prop.repl_offset;
        flush_propagation(srv, wrap);
        // WAIT waits for the offset right after this client's last propagated write
        if srv.prop.repl_offset != before {
            c.woff = srv.prop.repl_offset;
        }
    }
}

/// Hands the effects of the outermost command to the sinks, except while the dataset loads:
/// what a load replays (an AOF) is already recorded, and nothing else may write then.
fn flush_propagation(srv: &mut Server, wrap: bool) {
    if srv.loading {
        srv.prop.pending.clear();
    } else {
        srv.prop.flush(wrap);
    }
}

/// Drops what a command wrote to a client whose replies are off or skipped, except the pub/sub
/// pushes, which are moved to the front of the dropped part (they stay recorded, so that an
/// enclosing EXEC keeps them too).
fn drop_reply_keeping_pushes(c: &mut Client, reply_start: usize) {
    let buf = &mut c.reply.rb.buf;
    let mut kept = Vec::new();
    let mut ranges = Vec::new();
    for r in c.kept_pushes.drain(..) {
        if r.start >= reply_start && r.end <= buf.len() {
            let at = reply_start + kept.len();
            kept.extend_from_slice(&buf[r.clone()]);
            ranges.push(at..reply_start + kept.len());
        } else if r.end <= reply_start {
            ranges.push(r);
        }
    }
    buf.truncate(reply_start);
    buf.extend_from_slice(&kept);
    c.kept_pushes = ranges;
}

/// Keyspace-event classes (notify-keyspace-events flags), as bits.
pub use vireo_config::notify;

/// Converts database events into propagation and notifications.
pub(crate) fn db_event_ops(ev: DbEvent, db: usize, lazy_expire_unlink: bool) -> Option<PropOp> {
    match ev {
        DbEvent::Expired(k) => {
            let verb: &'static [u8] = if lazy_expire_unlink { b"UNLINK" } else { b"DEL" };
            Some(PropOp { db, argv: vec![Bytes::from_static(verb), Bytes::copy_from_slice(&k)] })
        }
        DbEvent::Miss(_) | DbEvent::New(_) => None,
    }
}
