//! The replica side of replication: REPLICAOF/SLAVEOF and the `replicaof` directive, the link
//! to our master (connect, handshake, PSYNC, the RDB transfer and its loading), the master
//! client whose commands run through the gate with replies suppressed, REPLCONF ACK to the
//! master, and the cached master that lets a broken link continue with a partial resync.
//! It never feeds the replication stream itself except through `Propagator::feed_raw` with the
//! exact bytes it applied.
//!
//! The connect, the handshake and the download of the snapshot run on a helper thread
//! (`link`), with blocking sockets and timeouts, so the event loop keeps serving clients while
//! the master is slow or away. The thread never touches the keyspace: it hands the socket, and
//! the downloaded file or buffer, back to the event-loop thread over a channel and wakes the
//! loop; loading the snapshot and everything after it happens here, on the loop thread.

use crate::client::{cflags, Client, Conn};
use crate::exec::Ctx;
use crate::server::Server;
use crate::{log_notice, log_warning};
use std::io::BufReader;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use vireo_config::ReplDisklessLoad;

mod link;

/// The token the event loop's waker uses (the helper thread wakes the loop with it).
pub const WAKER_TOKEN: usize = usize::MAX / 2 - 1;

/// Where the link to our master is (Redis's repl_state, as ROLE names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkPhase {
    /// We are a master.
    #[default]
    None,
    /// We must connect (the cron starts the attempt).
    Connect,
    /// A helper thread is connecting, handshaking or downloading (see `Progress`).
    Attempt,
    /// The master client is up.
    Connected,
}

/// What the helper thread reports of its progress (read by INFO and ROLE).
#[derive(Debug, Default)]
pub struct Progress {
    /// 1 connecting, 2 handshake, 3 transfer.
    pub phase: AtomicU8,
    /// master_sync_total_bytes (-1 before the size is known, 0 for an EOF-marked transfer).
    pub size: AtomicI64,
    /// master_sync_read_bytes.
    pub read: AtomicU64,
    /// Unix time (s) of the last byte received from the master.
    pub lastio: AtomicI64,
}

pub(crate) const PHASE_CONNECTING: u8 = 1;
pub(crate) const PHASE_HANDSHAKE: u8 = 2;
pub(crate) const PHASE_TRANSFER: u8 = 3;

/// A running link attempt.
#[derive(Debug)]
struct Attempt {
    gen: u64,
    cancel: Arc<AtomicBool>,
    progress: Arc<Progress>,
}

/// The master we were connected to, kept after the link broke so that the next connection
/// can ask for the stream from where we stopped (Redis's cached master).
#[derive(Debug, Clone)]
pub struct CachedMaster {
    pub replid: String,
    pub reploff: i64,
    pub read_reploff: i64,
    pub db: i64,
}

/// State of our link to a master (Redis's repl_state and what goes with it).
#[derive(Debug, Default)]
pub struct LinkState {
    pub phase: LinkPhase,
    attempt: Option<Attempt>,
    /// Generation of link attempts; messages from an older attempt are ignored.
    gen: u64,
    /// Slab token of the master client while the link is up.
    pub master_token: Option<usize>,
    pub cached: Option<CachedMaster>,
    /// Unix time (s) the link went down (0: never up since we became a replica).
    pub down_since: i64,
    /// REPLCONF GETACK was received: answer after the command.
    ack_pending: bool,
    /// A received snapshot is being loaded (clients are served from inside the load).
    pub loading: bool,
    /// ... into separate databases while clients keep reading the old ones (swapdb loading
    /// of the same history: Redis's async loading).
    pub async_loading: bool,
    chan: Option<(Sender<link::LinkMsg>, Receiver<link::LinkMsg>)>,
    waker: Option<Arc<mio::Waker>>,
}

/// Per-client state of the client that is our master.
#[derive(Debug, Default)]
pub struct MasterClient {
    /// The master's replication id.
    pub replid: String,
    /// Offset of the last byte applied (commands executed; a MULTI counts at its EXEC).
    pub reploff: i64,
    /// Offset of the last byte read from the socket.
    pub read_reploff: i64,
    /// Bytes read but not yet applied (forwarded to our own stream once applied), from
    /// `unapplied_at` on (the applied prefix is dropped at the next read, not per command).
    pub unapplied: Vec<u8>,
    pub unapplied_at: usize,
    /// Attached with SYNC: no offsets, no ACKs.
    pub pre_psync: bool,
}

fn now_s() -> i64 {
    crate::server::now_ms() / 1000
}

/// The database our master's stream last selected, for the repl-stream-db AUX field (None
/// when there is neither a master client nor a cached one).
pub fn stream_db(srv: &Server) -> Option<i64> {
    if let Some(c) = master_client(srv) {
        return Some(c.db as i64);
    }
    srv.repl.link.cached.as_ref().map(|c| c.db.max(0))
}

fn master_client(srv: &Server) -> Option<&Client> {
    let t = srv.repl.link.master_token?;
    srv.clients.get(t)?.as_deref().filter(|c| c.has(cflags::MASTER))
}

/// REPLICAOF host port | NO ONE (and SLAVEOF).
pub fn replicaof_command(ctx: &mut Ctx) {
    if ctx.srv.config.cluster_enabled {
        ctx.error("ERR REPLICAOF not allowed in cluster mode.");
        return;
    }
    if ctx.srv.repl.failover.state != crate::repl::master::FailoverState::None {
        ctx.error("ERR REPLICAOF not allowed while failing over.");
        return;
    }
    if ctx.arg(1).eq_ignore_ascii_case(b"no") && ctx.arg(2).eq_ignore_ascii_case(b"one") {
        if ctx.srv.masterhost.is_some() {
            unset_master(ctx.srv);
            let who = crate::net::client_info_line(ctx.srv, ctx.c);
            log_notice!("MASTER MODE enabled (user request from '{}')", who);
        }
        ctx.ok();
        return;
    }
    if ctx.c.has(cflags::SLAVE) {
        ctx.error("ERR Command is not valid when client is a replica.");
        return;
    }
    let port = match vireo_resp::num::parse_i64(ctx.arg(2)) {
        Some(p) if (0..=65535).contains(&p) => p as u16,
        _ => {
            ctx.error("ERR Invalid master port");
            return;
        }
    };
    let host = String::from_utf8_lossy(ctx.arg(1)).to_string();
    if let Some((h, p)) = &ctx.srv.masterhost {
        if h.eq_ignore_ascii_case(&host) && *p == port {
            log_notice!(
                "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed."
            );
            ctx.out().simple("OK Already connected to specified master");
            return;
        }
    }
    set_master(ctx.srv, &host, port);
    let who = crate::net::client_info_line(ctx.srv, ctx.c);
    log_notice!("REPLICAOF {}:{} enabled (user request from '{}')", host, port, who);
    ctx.ok();
}

/// At startup: the `replicaof` directive makes us a replica before the dataset is loaded (so
/// that loading keeps expired keys); the cron connects.
pub fn init_from_config(srv: &mut Server) {
    if let Some(r) = srv.config.replicaof.clone() {
        srv.masterhost = Some((r.host, r.port));
        srv.repl.link.phase = LinkPhase::Connect;
        srv.prop.repl_from_master = true;
        crate::log::set_role(b'S');
    }
}

/// After loading the dataset at startup: a replica whose snapshot recorded its master's history
/// and offset continues from there (a cached master made of our own parameters).
pub fn restore_from_rdb(srv: &mut Server, repl: &Option<(String, i64, i64)>) {
    let Some((id, offset, db)) = repl.clone() else { return };
    if srv.masterhost.is_none() || id.len() != 40 || offset < 0 || db < 0 {
        return;
    }
    srv.repl.replid = id;
    srv.prop.repl_offset = offset as u64;
    cache_master_using_myself(srv);
    if let Some(c) = &mut srv.repl.link.cached {
        c.db = db;
    }
}

/// Makes us a replica of host:port (replicationSetMaster).
pub fn set_master(srv: &mut Server, host: &str, port: u16) {
    let was_master = srv.masterhost.is_none();
    srv.masterhost = None;
    if let Some(t) = srv.repl.link.master_token {
        if let Some(c) = crate::net::take_client(srv, t) {
            crate::net::free_client(srv, c);
        }
    }
    // clients blocked on keys were waiting for writes that will now come from the master
    disconnect_blocked_clients(srv);
    srv.masterhost = Some((host.to_string(), port));
    srv.config.replicaof = Some(vireo_config::ReplicaOf { host: host.to_string(), port });
    srv.prop.repl_from_master = true;
    crate::log::set_role(b'S');
    cancel_attempt(srv);
    if was_master {
        discard_cached_master(srv);
        cache_master_using_myself(srv);
    }
    srv.repl.link.phase = LinkPhase::Connect;
    log_notice!("Connecting to MASTER {}:{}", host, port);
    connect(srv);
}

/// Turns a replica back into a master (replicationUnsetMaster).
pub fn unset_master(srv: &mut Server) {
    if srv.masterhost.is_none() {
        return;
    }
    srv.masterhost = None;
    srv.config.replicaof = None;
    if let Some(t) = srv.repl.link.master_token {
        if let Some(c) = crate::net::take_client(srv, t) {
            crate::net::free_client(srv, c);
        }
    }
    discard_cached_master(srv);
    cancel_attempt(srv);
    // our history continues under a new id; the old one stays valid up to here, so former
    // siblings can continue from us
    crate::repl::shift_replid(srv);
    crate::repl::master::disconnect_replicas(srv);
    srv.repl.link.phase = LinkPhase::None;
    srv.prop.repl_from_master = false;
    srv.prop.repl_seldb = -1;
    srv.repl.no_replicas_since = now_s();
    srv.repl.link.down_since = 0;
    crate::log::set_role(b'M');
    if srv.config.appendonly && !srv.aof.on {
        restart_aof(srv);
    }
}

/// Fails every client blocked on keys (the instance changed role).
fn disconnect_blocked_clients(srv: &mut Server) {
    let tokens: Vec<usize> =
        srv.clients.iter().filter_map(|(t, c)| c.as_ref().filter(|c| c.has(cflags::BLOCKED)).map(|_| t)).collect();
    for t in tokens {
        if let Some(mut c) = crate::net::take_client(srv, t) {
            if c.block.is_some() {
                crate::blocking::error_client(
                    srv,
                    &mut c,
                    "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
                );
            }
            crate::net::put_client(srv, c);
        }
    }
}

/// Before becoming a replica, a master keeps its own history as a cached master: if the new
/// master was one of our replicas, it may let us continue with a partial resync.
fn cache_master_using_myself(srv: &mut Server) {
    log_notice!("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
    let off = srv.prop.repl_offset as i64;
    srv.repl.link.cached =
        Some(CachedMaster { replid: srv.repl.replid.clone(), reploff: off, read_reploff: off, db: -1 });
}

fn discard_cached_master(srv: &mut Server) {
    if srv.repl.link.cached.take().is_some() {
        log_notice!("Discarding previously cached master state.");
    }
}

/// Stops a running link attempt (its thread notices and drops what it has).
fn cancel_attempt(srv: &mut Server) {
    if let Some(a) = srv.repl.link.attempt.take() {
        a.cancel.store(true, Ordering::SeqCst);
    }
    srv.repl.link.gen += 1;
}

/// Starts a link attempt on a helper thread (connectWithMaster).
fn connect(srv: &mut Server) {
    let Some((host, port)) = srv.masterhost.clone() else { return };
    cancel_attempt(srv);
    if srv.repl.link.chan.is_none() {
        srv.repl.link.chan = Some(channel());
    }
    if srv.repl.link.waker.is_none() {
        if let Some(reg) = &srv.poll_registry {
            srv.repl.link.waker = mio::Waker::new(reg, mio::Token(WAKER_TOKEN)).ok().map(Arc::new);
        }
    }
    let gen = srv.repl.link.gen;
    let cancel = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(Progress::default());
    progress.phase.store(PHASE_CONNECTING, Ordering::Relaxed);
    progress.size.store(-1, Ordering::Relaxed);
    progress.lastio.store(now_s(), Ordering::Relaxed);
    let cfg = &srv.config;
    let diskless_load = match cfg.repl_diskless_load {
        ReplDisklessLoad::Swapdb => true,
        ReplDisklessLoad::OnEmptyDb => srv.ks.dbs.iter().all(|d| d.is_empty()),
        _ => false,
    };
    let params = link::LinkParams {
        gen,
        host: host.clone(),
        port,
        masterauth: cfg.masterauth.clone(),
        masteruser: cfg.masteruser.clone(),
        listening_port: if cfg.replica_announce_port != 0 { cfg.replica_announce_port } else { cfg.port },
        announce_ip: cfg.replica_announce_ip.clone(),
        timeout_s: cfg.repl_timeout.max(1) as i64,
        psync: srv.repl.link.cached.as_ref().map(|c| (c.replid.clone(), c.reploff)),
        diskless_load,
        failover: srv.repl.failover.state == crate::repl::master::FailoverState::InProgress,
        cancel: cancel.clone(),
        progress: progress.clone(),
        tx: srv.repl.link.chan.as_ref().expect("channel").0.clone(),
        waker: srv.repl.link.waker.clone(),
    };
    log_notice!("MASTER <-> REPLICA sync started");
    let spawned = std::thread::Builder::new().name("repl-link".into()).spawn(move || link::run(params));
    if let Err(e) = spawned {
        log_warning!("Unable to connect to MASTER: {}", e);
        srv.repl.link.phase = LinkPhase::Connect;
        return;
    }
    srv.repl.link.attempt = Some(Attempt { gen, cancel, progress });
    srv.repl.link.phase = LinkPhase::Attempt;
}

/// The event loop was woken: handle what the helper thread sent.
pub fn on_wake(srv: &mut Server, events: crate::persist::Events<'_>) {
    // while a snapshot loads, clients are served from inside the load: not again from there
    if srv.repl.link.loading {
        return;
    }
    loop {
        let msg = match &srv.repl.link.chan {
            Some((_, rx)) => match rx.try_recv() {
                Ok(m) => m,
                Err(_) => return,
            },
            None => return,
        };
        let current = srv.repl.link.attempt.as_ref().map(|a| a.gen);
        if current != Some(msg.gen()) || srv.masterhost.is_none() {
            // an attempt that was cancelled: drop its socket and files
            msg.discard();
            continue;
        }
        srv.update_cached_time();
        if !matches!(msg, link::LinkMsg::Full { .. }) {
            srv.repl.link.attempt = None;
        }
        // a FAILOVER hand-over ends with the target's answer to our PSYNC
        if srv.repl.failover.state == crate::repl::master::FailoverState::InProgress {
            match &msg {
                link::LinkMsg::Failed { .. } => {
                    crate::repl::master::abort_failover(srv, "Failover target rejected psync request");
                    return;
                }
                _ => crate::repl::master::clear_failover(srv),
            }
        }
        match msg {
            link::LinkMsg::Failed { reconnect_now, .. } => {
                srv.repl.link.phase = LinkPhase::Connect;
                if reconnect_now {
                    if let Some((h, p)) = srv.masterhost.clone() {
                        log_notice!("Reconnecting to MASTER {}:{} after failure", h, p);
                    }
                    connect(srv);
                }
            }
            link::LinkMsg::Continue { stream, new_id, .. } => continue_with(srv, stream, new_id),
            link::LinkMsg::Full { stream, replid, offset, payload, eof, .. } => {
                // the snapshot's bytes count as replication input (total_net_repl_input_bytes)
                if let Some(a) = &srv.repl.link.attempt {
                    srv.stats.net_repl_input_bytes += a.progress.read.load(Ordering::Relaxed);
                }
                let gen = srv.repl.link.gen;
                srv.repl.link.loading = true;
                full_sync_done(srv, stream, replid, offset, payload, eof, events);
                srv.repl.link.loading = false;
                srv.repl.link.async_loading = false;
                // done with this attempt (unless a failed load started another)
                if srv.repl.link.attempt.as_ref().is_some_and(|a| a.gen == gen) {
                    srv.repl.link.attempt = None;
                }
            }
        }
    }
}

/// +CONTINUE: the cached master comes back to life on the new socket.
fn continue_with(srv: &mut Server, stream: std::net::TcpStream, new_id: Option<String>) {
    let Some(mut cached) = srv.repl.link.cached.take() else {
        // nothing to continue from (cannot happen: PSYNC asked with a cached master)
        srv.repl.link.phase = LinkPhase::Connect;
        return;
    };
    if let Some(id) = new_id {
        if id != cached.replid {
            log_warning!("Master replication ID changed to {}", id);
            srv.repl.replid2 = cached.replid.clone();
            srv.repl.second_replid_offset = srv.prop.repl_offset as i64 + 1;
            srv.repl.replid = id.clone();
            cached.replid = id;
            // our sub-replicas must learn of the new id
            crate::repl::master::disconnect_replicas(srv);
        }
    }
    let mc = MasterClient {
        replid: cached.replid.clone(),
        reploff: cached.reploff,
        read_reploff: cached.reploff,
        unapplied: Vec::new(),
        unapplied_at: 0,
        pre_psync: false,
    };
    if !create_master_client(srv, stream, mc, cached.db) {
        srv.repl.link.cached = Some(cached);
        return;
    }
    if srv.prop.backlog.is_none() {
        crate::repl::create_backlog(srv);
    }
    log_notice!("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
}

/// Turns the socket into the master client (replicationCreateMasterClient).
fn create_master_client(srv: &mut Server, stream: std::net::TcpStream, mc: MasterClient, db: i64) -> bool {
    if stream.set_nonblocking(true).is_err() {
        srv.repl.link.phase = LinkPhase::Connect;
        return false;
    }
    let _ = stream.set_read_timeout(None);
    let _ = stream.set_write_timeout(None);
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().map(|a| crate::net::format_addr(&a)).unwrap_or_default();
    let local = stream.local_addr().map(|a| crate::net::format_addr(&a)).unwrap_or_default();
    let mut s = mio::net::TcpStream::from_std(stream);
    let token = srv.clients.vacant_key();
    let registered = match &srv.poll_registry {
        Some(reg) => reg.register(&mut s, mio::Token(token), mio::Interest::READABLE | mio::Interest::WRITABLE).is_ok(),
        None => false,
    };
    if !registered {
        log_warning!("Error creating the master client: can't register its socket");
        srv.repl.link.phase = LinkPhase::Connect;
        return false;
    }
    let id = srv.next_client_id;
    srv.next_client_id += 1;
    let mut c = Client::new(id, token, Conn::Tcp(s), peer, local, srv.mstime());
    c.flags |= cflags::MASTER;
    c.authenticated = true;
    c.registered = true;
    if db >= 0 && (db as usize) < srv.ks.dbs.len() {
        c.db = db as usize;
    }
    c.master = Some(Box::new(mc));
    let at = srv.clients.insert(Some(Box::new(c)));
    debug_assert_eq!(at, token);
    srv.client_order.insert(id, token);
    srv.repl.link.master_token = Some(token);
    srv.repl.link.phase = LinkPhase::Connected;
    srv.repl.link.down_since = 0;
    true
}

/// The snapshot was received: load it and start applying the stream (readSyncBulkPayload's
/// second half). Clients are served between chunks of the load (`events`): with -LOADING, or,
/// for a swapdb load of the history we already follow, from the old data.
fn full_sync_done(
    srv: &mut Server,
    stream: std::net::TcpStream,
    replid: String,
    offset: i64,
    payload: link::Payload,
    eof: bool,
    events: crate::persist::Events<'_>,
) {
    // a snapshot child would save data that is about to be replaced
    if srv.rdb.child.is_some() {
        if let link::Payload::File(_) = payload {
            if let Some(ch) = &srv.rdb.child {
                log_notice!("Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process {} and removing its temp file to avoid any race", ch.pid);
            }
        }
        crate::persist::kill_child(srv);
    }
    if srv.aof.on {
        crate::aof::stop(srv);
    }
    let limits = srv.type_limits();
    let now = srv.mstime();
    let result = match payload {
        link::Payload::File(tmp) => {
            attach_to_new_master(srv);
            log_notice!("MASTER <-> REPLICA sync: Flushing old data");
            empty_data(srv);
            log_notice!("MASTER <-> REPLICA sync: Loading DB in memory");
            let target = srv.config.dbfilename.clone();
            if let Err(e) = std::fs::rename(&tmp, &target) {
                log_warning!(
                    "Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {}",
                    target,
                    crate::util::os_error_text(&e)
                );
                let _ = std::fs::remove_file(&tmp);
                sync_failed(srv);
                return;
            }
            let res = match std::fs::File::open(&target) {
                Ok(f) => {
                    let size = f.metadata().map_or(0, |m| m.len());
                    load_in_place(srv, BufReader::with_capacity(1 << 16, f), size, limits, now, events)
                }
                Err(e) => Err(crate::util::os_error_text(&e)),
            };
            let del = srv.config.rdb_del_sync_files && srv.config.save.is_empty() && !srv.config.appendonly;
            if let Err(e) = &res {
                log_warning!("Failed trying to load the MASTER synchronization DB from disk: {}", e.trim_end());
            }
            if del {
                log_notice!("Removing the RDB file obtained from the master. This replica has persistence disabled");
                let _ = std::fs::remove_file(&target);
            }
            res
        }
        link::Payload::Memory(buf) => {
            if srv.config.repl_diskless_load == ReplDisklessLoad::Swapdb {
                load_swapdb(srv, &buf, &replid, limits, now, events)
            } else {
                attach_to_new_master(srv);
                log_notice!("MASTER <-> REPLICA sync: Flushing old data");
                empty_data(srv);
                log_notice!("MASTER <-> REPLICA sync: Loading DB in memory");
                let size = buf.len() as u64;
                match load_in_place(srv, &buf[..], size, limits, now, events) {
                    Ok(st) => {
                        srv.dirty += 1;
                        Ok(st)
                    }
                    Err(e) => {
                        log_warning!(
                            "Failed trying to load the MASTER synchronization DB from socket: {}",
                            e.trim_end()
                        );
                        empty_data(srv);
                        Err(e)
                    }
                }
            }
        }
    };
    let st = match result {
        Ok(st) => st,
        Err(_) => {
            sync_failed(srv);
            return;
        }
    };
    if srv.masterhost.is_none() {
        return;
    }
    crate::persist::log_loaded(&st, now);
    srv.rdb.last_load_keys_loaded = st.loaded;
    srv.rdb.last_load_keys_expired = st.expired;
    let db = st.repl.as_ref().map_or(-1, |r| r.2);
    let mc = MasterClient {
        replid: replid.clone(),
        reploff: offset,
        read_reploff: offset,
        unapplied: Vec::new(),
        unapplied_at: 0,
        pre_psync: offset == -1,
    };
    if !create_master_client(srv, stream, mc, db) {
        return;
    }
    // our history is now the master's
    srv.repl.replid = replid;
    srv.prop.repl_offset = offset.max(0) as u64;
    crate::repl::clear_replid2(srv);
    if srv.prop.backlog.is_none() {
        crate::repl::create_backlog(srv);
    }
    log_notice!("MASTER <-> REPLICA sync: Finished with success");
    if eof {
        // a diskless master starts streaming once it has our first ACK
        send_ack_now(srv);
    }
    if srv.config.appendonly {
        restart_aof(srv);
    }
}

/// Loads into the emptied databases, in the loading state (clients get -LOADING meanwhile).
fn load_in_place<R: std::io::Read>(
    srv: &mut Server,
    r: R,
    size: u64,
    limits: vireo_keyspace::types::Limits,
    now: i64,
    events: crate::persist::Events<'_>,
) -> Result<crate::persist::LoadStats, String> {
    crate::persist::start_loading(srv, size);
    let res = {
        let mut host = crate::persist::StartupLoad::new(srv, events, 0);
        crate::persist::load_with(&mut host, r, limits, now, false, false)
    };
    crate::persist::stop_loading(srv);
    res
}

/// The host of a swapdb load: keys go into fresh databases; clients are served meanwhile.
struct SwapLoad<'a, 'e> {
    fresh: Vec<vireo_keyspace::db::Db>,
    inner: crate::persist::StartupLoad<'a, 'e>,
}

impl crate::persist::LoadHost for SwapLoad<'_, '_> {
    fn dbs(&mut self) -> &mut [vireo_keyspace::db::Db] {
        &mut self.fresh
    }
    fn progress(&mut self, offset: u64, _so_far: &crate::persist::LoadStats) {
        self.inner.at(offset);
    }
}

/// repl-diskless-load swapdb: the snapshot is loaded into separate databases that replace the
/// current ones only once complete; a failed load leaves the old data in place. When the
/// snapshot continues the history we already follow, clients keep reading the old data while
/// it loads (async loading); otherwise they get -LOADING.
fn load_swapdb(
    srv: &mut Server,
    buf: &[u8],
    replid: &str,
    limits: vireo_keyspace::types::Limits,
    now: i64,
    events: crate::persist::Events<'_>,
) -> Result<crate::persist::LoadStats, String> {
    let async_load = srv.repl.replid == replid;
    if async_load {
        srv.repl.link.async_loading = true;
    } else {
        crate::persist::start_loading(srv, buf.len() as u64);
    }
    log_notice!("MASTER <-> REPLICA sync: Loading DB in memory");
    let n = srv.ks.dbs.len();
    let res = {
        let mut host = SwapLoad {
            fresh: (0..n).map(vireo_keyspace::db::Db::new).collect(),
            inner: crate::persist::StartupLoad::new(srv, events, 0),
        };
        crate::persist::load_with(&mut host, buf, limits, now, false, false).map(|st| (st, host.fresh))
    };
    srv.repl.link.async_loading = false;
    if !async_load {
        crate::persist::stop_loading(srv);
    }
    match res {
        Ok((st, fresh)) => {
            attach_to_new_master(srv);
            log_notice!("MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
            swap_in(srv, fresh);
            log_notice!("MASTER <-> REPLICA sync: Discarding old DB in background");
            srv.dirty += 1;
            Ok(st)
        }
        Err(e) => {
            log_warning!("Failed trying to load the MASTER synchronization DB from socket: {}", e.trim_end());
            log_notice!("MASTER <-> REPLICA sync: Discarding temporary DB in background");
            Err(e)
        }
    }
}

/// Whether a swapdb load of the same history is running (INFO async_loading; the gate refuses
/// commands flagged no-async-loading).
pub fn async_loading(srv: &Server) -> bool {
    srv.repl.link.async_loading
}

/// Loading failed: drop the link and try again at once (cancelReplicationHandshake(1)).
fn sync_failed(srv: &mut Server) {
    srv.repl.link.phase = LinkPhase::Connect;
    if let Some((h, p)) = srv.masterhost.clone() {
        log_notice!("Reconnecting to MASTER {}:{} after failure", h, p);
    }
    connect(srv);
}

fn restart_aof(srv: &mut Server) {
    if crate::aof::start(srv).is_err() {
        log_warning!("Failed enabling the AOF after successful master synchronization! Trying it again in one second.");
    }
}

/// A different dataset arrives: nothing we had can be continued from (replicationAttachToNewMaster).
fn attach_to_new_master(srv: &mut Server) {
    discard_cached_master(srv);
    crate::repl::master::disconnect_replicas(srv);
    crate::repl::free_backlog(srv);
}

/// Empties every database (emptyData), releasing WATCHers and stream waiters.
fn empty_data(srv: &mut Server) {
    // clients blocked on keys look again at what the master's data holds
    for i in 0..srv.ks.dbs.len() {
        crate::blocking::signal_all_waited(srv, i);
    }
    let lazy = srv.config.replica_lazy_flush;
    crate::persist::empty_data(srv, lazy);
}

/// Puts the freshly loaded databases in place of the current ones (swapdb loading).
fn swap_in(srv: &mut Server, fresh: Vec<vireo_keyspace::db::Db>) {
    for (i, mut db) in fresh.into_iter().enumerate() {
        crate::cmd::multi::touch_all_watched_in_db(srv, None, i, None);
        crate::blocking::signal_all_waited(srv, i);
        let old = &mut srv.ks.dbs[i];
        db.id = old.id;
        db.clock = old.clock;
        db.stats = old.stats;
        db.record_misses = old.record_misses;
        db.record_new = old.record_new;
        db.track_writes = old.track_writes;
        db.set_expand_guard(Some(crate::evict::dict_expand_allowed));
        let mut previous = std::mem::replace(old, db);
        // the old data is freed in the background, as Redis discards it
        let flushed = vireo_keyspace::ops::keys::flush(&mut previous);
        let how = crate::cmd::keys::Free::from_flag(true);
        crate::cmd::keys::release_flushed(srv, flushed, how);
    }
}

/// Whether our link to the master is up (a replica whose link is down refuses SYNC).
pub fn link_up(srv: &Server) -> bool {
    srv.repl.link.phase == LinkPhase::Connected
}

/// Answers REPLCONF GETACK from our master with REPLCONF ACK <offset> (written once the
/// command is over, since the master client's replies are dropped while it runs).
pub fn send_ack(srv: &mut Server) {
    srv.repl.link.ack_pending = true;
}

fn ack_bytes(off: i64) -> Vec<u8> {
    let mut out = Vec::new();
    crate::propagate::encode_command(&mut out, &[b"REPLCONF".as_slice(), b"ACK", off.to_string().as_bytes()]);
    out
}

/// REPLCONF ACK to the master client now (cron, end of an EOF-marked transfer).
fn send_ack_now(srv: &mut Server) {
    let Some(t) = srv.repl.link.master_token else { return };
    let Some(mut c) = crate::net::take_client(srv, t) else { return };
    if let Some(m) = c.master.as_ref().filter(|m| !m.pre_psync) {
        let b = ack_bytes(m.reploff);
        c.reply.rb.buf.extend_from_slice(&b);
        srv.schedule_write(&mut c);
    }
    crate::net::put_client(srv, c);
}

/// Bytes read from the master's socket (before they are parsed).
pub fn master_bytes_read(c: &mut Client, bytes_from: usize) {
    let Some(m) = c.master.as_mut() else { return };
    let fresh = &c.qbuf[bytes_from.min(c.qbuf.len())..];
    m.read_reploff += fresh.len() as i64;
    if m.unapplied_at > 0 {
        m.unapplied.drain(..m.unapplied_at);
        m.unapplied_at = 0;
    }
    m.unapplied.extend_from_slice(fresh);
}

/// After each command of the master client: drop whatever reply it produced (the master
/// gets none), answer a GETACK, and count the applied bytes — unless inside a MULTI whose
/// EXEC has not arrived — forwarding exactly those bytes to our own stream.
pub fn master_command_done(srv: &mut Server, c: &mut Client, reply_at: usize) {
    if c.reply.rb.buf.len() > reply_at {
        // a command the gate refused (call() already handled those of the handlers)
        if c.reply.rb.buf[reply_at] == b'-' {
            let cmd = match srv.registry.lookup(&c.argv) {
                crate::registry::Lookup::Found(id) => srv.registry.get(id).full_name.clone(),
                _ => "<unknown>".to_string(),
            };
            let reply = c.reply.rb.buf[reply_at..].to_vec();
            log_error_to_master(srv, &reply, &cmd);
        }
        c.reply.rb.buf.truncate(reply_at);
    }
    let Some(reploff) = c.master.as_ref().map(|m| m.reploff) else { return };
    if std::mem::take(&mut srv.repl.link.ack_pending) {
        let b = ack_bytes(reploff);
        c.reply.rb.buf.extend_from_slice(&b);
        srv.schedule_write(c);
    }
    if c.flags & (cflags::MULTI | cflags::PENDING_COMMAND) != 0 {
        return;
    }
    let qlen = c.qbuf.len() as i64;
    let Some(m) = c.master.as_mut() else { return };
    let applied_to = m.read_reploff - qlen;
    let left = m.unapplied.len() - m.unapplied_at;
    let n = (applied_to - m.reploff).clamp(0, left as i64) as usize;
    if n > 0 {
        srv.prop.feed_raw(&m.unapplied[m.unapplied_at..m.unapplied_at + n]);
        m.unapplied_at += n;
    }
    m.reploff = applied_to;
}

/// A command of our master failed here: the error is never sent, but it means the stream did
/// not apply cleanly, so it is logged (with the latest bytes of the stream) and counted, as
/// Redis does. `reply` starts with the error line.
pub fn log_error_to_master(srv: &mut Server, reply: &[u8], cmd: &str) {
    let end = reply.iter().position(|&b| b == b'\r').unwrap_or(reply.len());
    let text = String::from_utf8_lossy(&reply[1.min(end)..end.min(1 + 4096)]).to_string();
    // Redis logs the error as its code built it: a generic error without its "ERR ", one with
    // its own code with the dash
    let err = match text.strip_prefix("ERR ") {
        Some(rest) => rest.to_string(),
        None => format!("-{text}"),
    };
    log_warning!(
        "== CRITICAL == This replica is sending an error to its master: '{}' after processing the command '{}'",
        err,
        cmd
    );
    if let Some(b) = srv.prop.backlog.as_ref().filter(|b| b.histlen() > 0) {
        let from = (b.end() + 1).saturating_sub(b.histlen().min(256));
        let tail = b.copy_from(from).unwrap_or_default();
        log_warning!("Latest backlog is: '{}'", crate::util::repr(&tail));
    }
    srv.stats.unexpected_error_replies += 1;
}

/// Once a second: connects, times out the link, sends ACKs.
pub fn cron(srv: &mut Server) {
    if srv.masterhost.is_none() {
        return;
    }
    // in case a wake-up was consumed while the loop could not act on it
    on_wake(srv, &mut |_| {});
    let now = now_s();
    let timeout = srv.config.repl_timeout.max(1) as i64;
    if let Some(a) = &srv.repl.link.attempt {
        // the helper thread enforces the timeouts of its own reads; this catches a thread
        // stuck elsewhere (e.g. a connect that never completes)
        let idle = now - a.progress.lastio.load(Ordering::Relaxed);
        if idle > timeout + 1 {
            let phase = a.progress.phase.load(Ordering::Relaxed);
            if phase == PHASE_TRANSFER {
                log_warning!("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
            } else {
                log_warning!("Timeout connecting to the MASTER...");
            }
            cancel_attempt(srv);
            if let Some((h, p)) = srv.masterhost.clone() {
                log_notice!("Reconnecting to MASTER {}:{} after failure", h, p);
            }
            connect(srv);
        }
    }
    if srv.repl.link.phase == LinkPhase::Connected {
        if let Some(t) = srv.repl.link.master_token {
            let last = srv.clients.get(t).and_then(|c| c.as_ref()).map(|c| c.last_interaction_ms / 1000);
            if let Some(last) = last {
                if now - last > timeout {
                    log_warning!("MASTER timeout: no data nor PING received...");
                    if let Some(c) = crate::net::take_client(srv, t) {
                        crate::net::free_client(srv, c);
                    }
                }
            }
        }
    }
    if srv.repl.link.phase == LinkPhase::Connect {
        if let Some((h, p)) = srv.masterhost.clone() {
            log_notice!("Connecting to MASTER {}:{}", h, p);
        }
        connect(srv);
    }
    if srv.repl.link.phase == LinkPhase::Connected {
        send_ack_now(srv);
    }
}

/// A client goes away: if it was our master, the link is down and the master state is cached
/// for a partial resync (a MULTI it had not finished is dropped with it).
pub fn client_freed(srv: &mut Server, c: &mut Client) {
    if !c.has(cflags::MASTER) || srv.repl.link.master_token != Some(c.token) {
        return;
    }
    srv.repl.link.master_token = None;
    log_warning!("Connection with master lost.");
    if let Some(m) = c.master.take() {
        log_notice!("Caching the disconnected master state.");
        srv.repl.link.cached = Some(CachedMaster {
            replid: m.replid.clone(),
            reploff: m.reploff,
            read_reploff: m.reploff,
            db: c.db as i64,
        });
        if m.pre_psync {
            srv.repl.link.cached = None;
        }
    }
    srv.repl.link.ack_pending = false;
    srv.repl.link.phase = LinkPhase::Connect;
    srv.repl.link.down_since = now_s();
    if let Some((h, p)) = srv.masterhost.clone() {
        log_notice!("Reconnecting to MASTER {}:{}", h, p);
        connect(srv);
    }
}

/// The ROLE name of the link state.
fn state_name(srv: &Server) -> &'static str {
    match srv.repl.link.phase {
        LinkPhase::None => "none",
        LinkPhase::Connect => "connect",
        LinkPhase::Connected => "connected",
        LinkPhase::Attempt if srv.repl.link.loading => "sync",
        LinkPhase::Attempt => match srv.repl.link.attempt.as_ref().map(|a| a.progress.phase.load(Ordering::Relaxed)) {
            Some(PHASE_HANDSHAKE) => "handshake",
            Some(PHASE_TRANSFER) => "sync",
            _ => "connecting",
        },
    }
}

/// ROLE on a replica: "slave", master host, port, link state, applied offset.
pub fn role_reply(ctx: &mut Ctx) {
    let (host, port) = ctx.srv.masterhost.clone().unwrap_or_default();
    let state = state_name(ctx.srv);
    let off = master_client(ctx.srv).and_then(|c| c.master.as_ref()).map_or(-1, |m| m.reploff);
    let out = ctx.out();
    out.array(5);
    out.bulk(b"slave");
    out.bulk(host.as_bytes());
    out.int(port as i64);
    out.bulk(state.as_bytes());
    out.int(off);
}

/// The replica-only fields of INFO replication, after master_port, in Redis's order.
pub fn info_fields(srv: &Server) -> Vec<(&'static str, String)> {
    let now = now_s();
    let link = &srv.repl.link;
    let mc = master_client(srv);
    let (read_off, off) = match (mc.and_then(|c| c.master.as_ref()), &link.cached) {
        (Some(m), _) => (m.read_reploff, m.reploff),
        (None, Some(c)) => (c.read_reploff, c.reploff),
        (None, None) => (1, 1),
    };
    let mut v = vec![
        ("master_link_status", if link.phase == LinkPhase::Connected { "up" } else { "down" }.to_string()),
        ("master_last_io_seconds_ago", mc.map_or(-1, |c| now - c.last_interaction_ms / 1000).to_string()),
    ];
    let transfer = link.attempt.as_ref().filter(|a| a.progress.phase.load(Ordering::Relaxed) == PHASE_TRANSFER);
    v.push(("master_sync_in_progress", (transfer.is_some() as u8).to_string()));
    v.push(("slave_read_repl_offset", read_off.to_string()));
    v.push(("slave_repl_offset", off.to_string()));
    if let Some(a) = transfer {
        let size = a.progress.size.load(Ordering::Relaxed);
        let read = a.progress.read.load(Ordering::Relaxed) as i64;
        let perc = if size != 0 { read as f64 / size as f64 * 100.0 } else { 0.0 };
        v.push(("master_sync_total_bytes", size.to_string()));
        v.push(("master_sync_read_bytes", read.to_string()));
        v.push(("master_sync_left_bytes", (size - read).to_string()));
        v.push(("master_sync_perc", format!("{perc:.2}")));
        v.push(("master_sync_last_io_seconds_ago", (now - a.progress.lastio.load(Ordering::Relaxed)).to_string()));
    }
    if link.phase != LinkPhase::Connected {
        let down = if link.down_since != 0 { now - link.down_since } else { -1 };
        v.push(("master_link_down_since_seconds", down.to_string()));
    }
    v
}

/// vireo's addition to the once-a-second ACK: at most every 100 ms, when the applied offset
/// moved, the master hears about it, so the lag it reports (slaveN lag_ms, WAIT) is fresh.
pub fn ack_if_moved(srv: &mut Server) {
    let Some(t) = srv.repl.link.master_token else { return };
    let now = srv.mstime();
    let (last_off, last_ms) = srv.repl.quick_ack;
    if now - last_ms < 100 {
        return;
    }
    let Some(Some(c)) = srv.clients.get(t) else { return };
    let Some(off) = c.master.as_ref().filter(|m| !m.pre_psync).map(|m| m.reploff) else { return };
    if off != last_off {
        srv.repl.quick_ack = (off, now);
        send_ack_now(srv);
    }
}
