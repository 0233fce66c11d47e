//! The server's state, owned by the event-loop thread: configuration, the keyspace, clients,
//! the command registry and its statistics, the propagation point's state, pause state, the
//! slowlog and latency monitor, and the clocks. It offers the operations that cross clients
//! (closing, MONITOR feeds, pause) and the lazy-expiry/notification plumbing between the
//! keyspace and `call()`. Socket handling lives in `net`, command execution in `exec`.

use crate::client::{cflags, Client};
use crate::exec::CallState;
use crate::propagate::{PropOp, Propagator};
use crate::registry::Registry;
use crate::stats::{CmdStats, Instantaneous, Stats};
use bytes::Bytes;
use slab::Slab;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;
use vireo_config::Config;
use vireo_keyspace::db::{lru_clock, Db, ExpireMode, Keyspace};
use vireo_keyspace::expire::ExpireCycle;
use vireo_keyspace::Rng;

/// CLIENT PAUSE state.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pause {
    pub kind: PauseKind,
    /// When the pause ends (ms since the epoch).
    pub end_ms: i64,
    /// FAILOVER holds writes until it ends, independently of CLIENT PAUSE.
    pub failover: bool,
    /// A shutdown waiting for replicas to catch up holds writes too.
    pub shutdown: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum PauseKind {
    #[default]
    Off,
    Write,
    All,
}

impl Pause {
    /// Whether writes are held now (by CLIENT PAUSE or FAILOVER): the server then makes no
    /// writes of its own either (active expiry, eviction).
    pub fn writes_paused(&self, now_ms: i64) -> bool {
        self.failover || self.shutdown || (self.kind != PauseKind::Off && now_ms < self.end_ms)
    }

    /// Whether a command (that may replicate or not) must wait.
    pub fn blocks(&self, may_replicate: bool, now_ms: i64) -> bool {
        if (self.failover || self.shutdown) && may_replicate {
            return true;
        }
        match self.kind {
            PauseKind::Off => false,
            _ if now_ms >= self.end_ms => false,
            PauseKind::All => true,
            PauseKind::Write => may_replicate,
        }
    }
}

/// One slowlog entry.
#[derive(Debug, Clone)]
pub struct SlowEntry {
    pub id: u64,
    pub time: i64,
    pub usec: u64,
    pub argv: Vec<Bytes>,
    pub peer: String,
    pub name: Bytes,
}

/// One latency-monitor event series.
#[derive(Debug, Clone, Default)]
pub struct LatencySeries {
    /// (unix time seconds, latency ms), at most 160 samples.
    pub samples: VecDeque<(i64, u64)>,
    pub max: u64,
}

pub struct Server {
    pub config: Config,
    /// Absolute path of the config file, if any (INFO config_file, CONFIG REWRITE).
    pub config_file: Option<std::path::PathBuf>,
    pub executable: String,
    pub ks: Keyspace,
    pub registry: Registry,
    pub cmd_stats: Vec<CmdStats>,
    pub clients: Slab<Option<Box<Client>>>,
    /// Client ids in creation order -> slab token.
    pub client_order: BTreeMap<u64, usize>,
    pub next_client_id: u64,
    pub stats: Stats,
    pub inst: Instantaneous,
    /// Changes since the last save.
    pub dirty: u64,
    pub rng: Rng,
    pub run_id: String,
    pub start_ms: i64,
    pub start: Instant,
    /// Cached wall clock (ms), refreshed by the loop and by each top-level command.
    pub cached_ms: i64,
    pub lru: u32,
    /// Expiry behaviour and access-time updates for the running command.
    pub command_mode: ExpireMode,
    pub command_touch: bool,
    /// Depth of nested `call()`s (EXEC, scripts).
    pub nesting: u32,
    pub call_state: CallState,
    pub prop: Propagator,
    /// Clients in MONITOR mode (tokens).
    pub monitors: Vec<usize>,
    /// Clients with output to write before the loop sleeps (tokens).
    pub pending_writes: Vec<usize>,
    /// Clients to free before the loop sleeps (tokens).
    pub to_close: Vec<usize>,
    pub pause: Pause,
    /// Clients blocked on keys.
    pub blocking: crate::blocking::Blocking,
    /// Pub/Sub channels and patterns.
    pub pubsub: crate::cmd::pubsub::PubSub,
    /// Keys watched by clients (WATCH).
    pub watch: crate::cmd::multi::WatchTable,
    /// The keyspace records written keys (someone watches keys or waits on them).
    pub write_tracking: bool,
    pub paused_clients: Vec<usize>,
    pub shutdown_asap: Arc<AtomicBool>,
    pub slowlog: VecDeque<SlowEntry>,
    pub slowlog_next_id: u64,
    pub latency_events: BTreeMap<&'static str, LatencySeries>,
    pub expire_cycle: ExpireCycle,
    pub active_expire_enabled: bool,
    /// Unix time of the last successful save.
    pub lastsave: i64,
    /// RDB snapshot state (background child, statistics).
    pub rdb: crate::persist::RdbState,
    /// The append-only file.
    pub aof: crate::aof::AofState,
    pub cron_loops: u64,
    /// Effective hz (dynamic-hz may raise it with many clients).
    pub hz: u32,
    pub loading: bool,
    /// Jobs handed to the event loop by commands, run after the current round (`loop_job`).
    pub loop_jobs: std::collections::VecDeque<crate::loop_job::LoopJob>,
    /// Replica of some master; affects expiry and the gate.
    pub masterhost: Option<(String, u16)>,
    /// Replication state (both roles).
    pub repl: crate::repl::ReplState,
    pub peak_memory: usize,
    pub lazyfree_pending: Arc<std::sync::atomic::AtomicU64>,
    pub lazyfreed_objects: Arc<std::sync::atomic::AtomicU64>,
    /// maxmemory eviction: candidate pool, background eviction, time over the limit.
    pub evict: crate::evict::EvictState,
    /// Events of the event loop for other modules (listener rebinds etc.).
    pub net_changes: Vec<NetChange>,
    /// The poller's registry, to (de)register sockets.
    pub poll_registry: Option<mio::Registry>,
    /// Listening sockets (TCP and unix); their index is their token offset.
    pub listeners: Vec<Option<crate::net::Listener>>,
    /// SHUTDOWN was requested (by command or signal) with these options.
    pub shutdown_requested: Option<ShutdownFlags>,
    /// A shutdown waiting (up to shutdown-timeout) for the replicas to acknowledge everything.
    pub shutdown_wait: Option<ShutdownWait>,
    /// Set by the SIGTERM / SIGINT handlers.
    pub signal_term: Arc<AtomicBool>,
    pub signal_int: Arc<AtomicBool>,
}

/// A shutdown that waits for replicas: its options, its deadline (ms) and the SHUTDOWN callers
/// blocked until it ends (client ids).
#[derive(Debug, Clone)]
pub struct ShutdownWait {
    pub flags: ShutdownFlags,
    pub deadline_ms: i64,
    pub blocked: Vec<u64>,
}

/// Options of a requested shutdown.
#[derive(Debug, Default, Clone, Copy)]
pub struct ShutdownFlags {
    pub save: bool,
    pub nosave: bool,
    pub now: bool,
    pub force: bool,
    /// From a signal (SIGTERM/SIGINT) rather than the SHUTDOWN command.
    pub signal: bool,
}

/// Requests from command handlers to the event loop.
#[derive(Debug, Clone)]
pub enum NetChange {
    /// Re-bind the TCP listeners (port or bind changed).
    Rebind,
    /// Re-create the unix socket listener.
    RebindUnix,
}

impl Server {
    pub fn new(config: Config, registry: Registry) -> Server {
        let mut rng = Rng::from_os();
        let run_id = rng.hex(40);
        let repl = crate::repl::ReplState::new(&mut rng, now_ms() / 1000);
        let now = now_ms();
        let dbs = (config.databases as usize).max(1);
        let nstats = registry.len();
        let hz = config.hz as u32;
        let mut ks = Keyspace::new(dbs);
        for db in ks.dbs.iter_mut() {
            db.set_expand_guard(Some(crate::evict::dict_expand_allowed));
        }
        crate::evict::publish_limit(config.maxmemory);
        Server {
            ks,
            cmd_stats: vec![CmdStats::default(); nstats],
            registry,
            clients: Slab::new(),
            client_order: BTreeMap::new(),
            // ids 1 and 2 belong to Redis's internal clients (Lua, functions): the first
            // connection gets 3, as in Redis
            next_client_id: 3,
            stats: Stats::default(),
            inst: Instantaneous::default(),
            dirty: 0,
            rng,
            run_id,
            start_ms: now,
            start: Instant::now(),
            cached_ms: now,
            lru: lru_clock(now),
            command_mode: ExpireMode::Master,
            command_touch: true,
            nesting: 0,
            call_state: CallState::default(),
            prop: Propagator::new(),
            monitors: Vec::new(),
            pending_writes: Vec::new(),
            to_close: Vec::new(),
            pause: Pause::default(),
            blocking: Default::default(),
            watch: Default::default(),
            pubsub: Default::default(),
            write_tracking: false,
            paused_clients: Vec::new(),
            shutdown_asap: Arc::new(AtomicBool::new(false)),
            slowlog: VecDeque::new(),
            slowlog_next_id: 0,
            latency_events: BTreeMap::new(),
            expire_cycle: ExpireCycle::default(),
            active_expire_enabled: true,
            lastsave: now / 1000,
            rdb: Default::default(),
            aof: Default::default(),
            cron_loops: 0,
            hz,
            loading: false,
            loop_jobs: Default::default(),
            masterhost: None,
            repl,
            peak_memory: 0,
            lazyfree_pending: Default::default(),
            lazyfreed_objects: Default::default(),
            evict: Default::default(),
            net_changes: Vec::new(),
            poll_registry: None,
            listeners: Vec::new(),
            shutdown_requested: None,
            shutdown_wait: None,
            signal_term: Arc::new(AtomicBool::new(false)),
            signal_int: Arc::new(AtomicBool::new(false)),
            config_file: None,
            executable: String::new(),
            config,
        }
    }

    /// Milliseconds since the epoch, cached for the current command.
    #[inline]
    pub fn mstime(&self) -> i64 {
        self.cached_ms
    }

    /// Refreshes the cached clock (before each event-loop iteration and top-level command).
    pub fn update_cached_time(&mut self) {
        self.cached_ms = now_ms();
        self.lru = lru_clock(self.cached_ms);
    }

    /// One clock per command: captured before a top-level command runs, shared by the
    /// commands nested in it (EXEC).
    pub fn update_command_clock(&mut self, c: &Client) {
        self.update_cached_time();
        let mode = if self.loading || c.has(cflags::MASTER) {
            ExpireMode::Never
        } else if self.masterhost.is_some() {
            if self.config.replica_read_only {
                ExpireMode::Replica
            } else {
                ExpireMode::WritableReplica
            }
        } else {
            ExpireMode::Master
        };
        self.command_mode = mode;
        self.command_touch = !c.has(cflags::NO_TOUCH);
    }

    /// Database `i` with the current command's clock applied.
    #[inline]
    pub fn db(&mut self, i: usize) -> &mut Db {
        let clock = self.keyspace_clock();
        let db = &mut self.ks.dbs[i];
        db.clock = clock;
        db
    }

    pub fn keyspace_clock(&self) -> vireo_keyspace::db::Clock {
        vireo_keyspace::db::Clock {
            now_ms: self.cached_ms,
            lru: self.lru,
            mode: self.command_mode,
            touch: self.command_touch,
            lfu: self.config.maxmemory_policy.is_lfu(),
            lfu_log_factor: self.config.lfu_log_factor as u32,
            lfu_decay_time: self.config.lfu_decay_time as u32,
        }
    }

    /// Adds an operation to propagate, after turning pending lazy-expiry deletions into DELs so
    /// that the order of effects is kept.
    pub fn also_propagate(&mut self, cur: Option<&mut Client>, db: usize, argv: Vec<Bytes>) {
        let at = self.prop.pending.len();
        self.drain_db_events_at(at, cur);
        self.prop.pending.push(PropOp { db, argv });
    }

    /// Turns database events (lazy expiry deletions, misses) into propagation operations inserted
    /// at `at` in the pending list, and into keyspace notifications.
    pub fn drain_db_events_at(&mut self, at: usize, mut cur: Option<&mut Client>) {
        let unlink = self.config.lazyfree_lazy_expire;
        let mut insert = Vec::new();
        for i in 0..self.ks.dbs.len() {
            if self.ks.dbs[i].events.is_empty() {
                continue;
            }
            let events = self.ks.dbs[i].take_events();
            for ev in events {
                match &ev {
                    vireo_keyspace::DbEvent::Expired(k) => {
                        let k = k.clone();
                        // an expired key changed: WATCHers see it
                        crate::cmd::multi::touch_watched_key(self, cur.as_deref_mut(), i, &k);
                        self.notify_keyspace_event(cur.as_deref_mut(), crate::exec::notify::EXPIRED, "expired", &k, i);
                    }
                    vireo_keyspace::DbEvent::New(k) => {
                        let k = k.clone();
                        self.notify_keyspace_event(cur.as_deref_mut(), crate::exec::notify::NEW, "new", &k, i);
                    }
                    vireo_keyspace::DbEvent::Miss(k) => {
                        let k = k.clone();
                        self.notify_keyspace_event(cur.as_deref_mut(), crate::exec::notify::KEY_MISS, "keymiss", &k, i);
                    }
                }
                if let Some(op) = crate::exec::db_event_ops(ev, i, unlink) {
                    insert.push(op);
                }
            }
        }
        if !insert.is_empty() {
            let tail = self.prop.pending.split_off(at.min(self.prop.pending.len()));
            self.prop.pending.extend(insert);
            self.prop.pending.extend(tail);
        }
    }

    /// Keyspace notifications over pub/sub. `cur` is the client running the command (not in
    /// the client table at that moment), so that it receives its own notifications.
    pub fn notify_keyspace_event(&mut self, cur: Option<&mut Client>, class: u32, event: &str, key: &[u8], db: usize) {
        if self.config.notify_keyspace_events & class == 0 {
            return;
        }
        crate::cmd::pubsub::notify_keyspace_event(self, cur, class, event, key, db);
    }

    /// Turns the keyspace's recording of written keys on while anyone watches keys or waits on
    /// them, and off otherwise (it costs a key copy per write).
    pub fn update_write_tracking(&mut self) {
        let on = self.blocking.any() || !self.watch.is_empty();
        if on != self.write_tracking {
            self.write_tracking = on;
            for db in self.ks.dbs.iter_mut() {
                db.track_writes = on;
                db.written.clear();
            }
        }
    }

    /// The encoding thresholds of the aggregate types, from the config.
    pub fn type_limits(&self) -> vireo_keyspace::types::Limits {
        let c = &self.config;
        vireo_keyspace::types::Limits {
            list_max_listpack_size: c.list_max_listpack_size as i64,
            list_compress_depth: c.list_compress_depth as i64,
            hash_max_listpack_entries: c.hash_max_listpack_entries,
            hash_max_listpack_value: c.hash_max_listpack_value,
            set_max_intset_entries: c.set_max_intset_entries,
            zset_max_listpack_entries: c.zset_max_listpack_entries,
            zset_max_listpack_value: c.zset_max_listpack_value,
            stream_node_max_bytes: c.stream_node_max_bytes,
            stream_node_max_entries: c.stream_node_max_entries.max(0) as usize,
        }
    }

    /// Whether clients must authenticate (requirepass set).
    pub fn auth_required(&self) -> bool {
        !self.config.requirepass.is_empty()
    }

    /// enable-debug-command: no / yes / local.
    pub fn protected_action_allowed(&self, c: &Client) -> bool {
        match self.config.enable_debug_command.as_str() {
            "yes" => true,
            "local" => {
                c.has(cflags::UNIX_SOCKET)
                    || c.addr.starts_with("127.0.0.1:")
                    || c.addr.starts_with("[::1]:")
                    || c.is_fake()
            }
            _ => false,
        }
    }

    /// Moves the errors a client's reply accumulated into the error statistics.
    pub fn count_errors(&mut self, c: &mut Client) {
        if c.reply.errors.is_empty() {
            return;
        }
        for e in c.reply.errors.drain(..) {
            self.stats.total_error_replies += 1;
            let p = crate::errors::prefix(&e).to_string();
            if let Some(n) = self.stats.errors.get_mut(&p) {
                *n += 1;
            } else if self.stats.errors.len() < 128 {
                self.stats.errors.insert(p, 1);
            } else if !self.stats.errors_overflow {
                self.stats.errors_overflow = true;
                crate::log_warning!("Errorstats stopped adding new errors because the number of different errors reached 128; New errors will not be tracked. Use CONFIG RESETSTAT to reset the errors.");
            }
        }
    }

    /// Adds a slowlog entry when the command took at least slowlog-log-slower-than µs.
    pub fn slowlog_push(&mut self, c: &Client, argv: &[Bytes], usec: u64) {
        let threshold = self.config.slowlog_log_slower_than;
        if threshold < 0 {
            return;
        }
        // like Redis, the length limit applies at every call while the slowlog is enabled
        let max = self.config.slowlog_max_len as usize;
        while self.slowlog.len() > max {
            self.slowlog.pop_back();
        }
        if (usec as i64) < threshold {
            return;
        }
        let max_args = 32;
        let mut args: Vec<Bytes> = Vec::new();
        for (i, a) in argv.iter().enumerate() {
            if i == max_args - 1 && argv.len() > max_args {
                args.push(Bytes::from(format!("... ({} more arguments)", argv.len() - max_args + 1)));
                break;
            }
            if a.len() > 128 {
                let mut v = a[..128].to_vec();
                v.extend_from_slice(format!("... ({} more bytes)", a.len() - 128).as_bytes());
                args.push(Bytes::from(v));
            } else {
                args.push(a.clone());
            }
        }
        let entry = SlowEntry {
            id: self.slowlog_next_id,
            // stamped when added, after the command ran
            time: now_ms() / 1000,
            usec,
            argv: args,
            peer: c.addr.clone(),
            name: c.name.clone().unwrap_or_default(),
        };
        self.slowlog_next_id += 1;
        self.slowlog.push_front(entry);
        let max = self.config.slowlog_max_len as usize;
        while self.slowlog.len() > max {
            self.slowlog.pop_back();
        }
    }

    /// Books a fork that just succeeded: INFO's latest_fork_usec and total_forks, and the
    /// latency monitor's "fork" event. `started` was taken right before the fork call.
    pub fn forked(&mut self, started: std::time::Instant) {
        let usec = started.elapsed().as_micros() as u64;
        self.stats.latest_fork_usec = usec;
        self.stats.total_forks += 1;
        self.latency_sample("fork", usec / 1000);
    }

    /// Records a latency-monitor sample when it passes latency-monitor-threshold.
    pub fn latency_sample(&mut self, event: &'static str, ms: u64) {
        let threshold = self.config.latency_monitor_threshold;
        if threshold <= 0 || (ms as i64) < threshold {
            return;
        }
        let now = self.cached_ms / 1000;
        let s = self.latency_events.entry(event).or_default();
        if let Some(last) = s.samples.back_mut() {
            if last.0 == now {
                last.1 = last.1.max(ms);
                s.max = s.max.max(ms);
                return;
            }
        }
        s.samples.push_back((now, ms));
        if s.samples.len() > 160 {
            s.samples.pop_front();
        }
        s.max = s.max.max(ms);
    }

    /// Sends a command to every MONITOR client in Redis's format, the calling client included
    /// when it is a monitor itself (`c` is out of the client table while its command runs).
    /// Clients that are closing or have replies switched off get nothing, as in Redis.
    pub fn feed_monitors(&mut self, c: &mut Client, argv: &[Bytes]) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let who = if c.has(cflags::UNIX_SOCKET) {
            format!("unix:{}", self.config.unixsocket)
        } else if c.is_fake() && !c.has(cflags::MASTER) {
            "lua".to_string()
        } else {
            c.addr.clone()
        };
        let mut line = format!("{}.{:06} [{} {}]", now.as_secs(), now.subsec_micros(), c.db, who).into_bytes();
        for a in argv {
            line.push(b' ');
            crate::util::repr_into(&mut line, a);
        }
        // repr output is ASCII
        let line = String::from_utf8_lossy(&line).into_owned();
        let deaf = |m: &Client| {
            m.has(cflags::CLOSE_AFTER_REPLY | cflags::CLOSE_ASAP) || m.reply_mode == crate::client::ReplyMode::Off
        };
        let monitors = self.monitors.clone();
        for t in monitors {
            if t == c.token {
                if c.has(cflags::MONITOR) && !deaf(c) {
                    c.reply.simple(&line);
                    self.schedule_write(c);
                }
                continue;
            }
            if let Some(Some(m)) = self.clients.get_mut(t) {
                if deaf(m) {
                    continue;
                }
                m.reply.simple(&line);
                if !m.pending_write {
                    m.pending_write = true;
                    self.pending_writes.push(t);
                }
            }
        }
    }

    /// Marks a client for closing before the loop sleeps (works for the running client too).
    pub fn close_client_async(&mut self, token: usize) {
        if let Some(Some(c)) = self.clients.get_mut(token) {
            if !c.has(cflags::CLOSE_ASAP) {
                c.flags |= cflags::CLOSE_ASAP;
                self.to_close.push(token);
            }
        } else {
            self.to_close.push(token);
        }
    }

    /// Queues a client's output for writing before the loop sleeps.
    pub fn schedule_write(&mut self, c: &mut Client) {
        if !c.pending_write && !c.is_fake() {
            c.pending_write = true;
            self.pending_writes.push(c.token);
        }
    }

    /// Number of connected (non-fake) clients.
    pub fn connected_clients(&self) -> usize {
        self.client_order.len()
    }

    /// The uptime in seconds.
    pub fn uptime(&self) -> u64 {
        self.start.elapsed().as_secs()
    }
}

/// Wall clock in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Wall clock in microseconds since the epoch.
pub fn now_us() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}
