//! Replication: the state both roles share (replication ids, the secondary id, the replica
//! links list), the master side (`master`: SYNC/PSYNC, full syncs by fork to disk or socket,
//! streaming the replication buffer to replicas, REPLCONF ACK, WAIT, the replication cron) and
//! the replica side (`replica`: REPLICAOF, the link to our master, the transfer and the applied
//! stream). The stream bytes themselves live in `backlog::ReplBuffer`, owned by the propagation
//! point (`propagate::Propagator`); nothing here executes commands except through the gate.

pub mod backlog;
pub mod master;
pub mod replica;

use crate::server::Server;
use crate::{log_notice, log_warning};

/// Replication state of the server (both roles).
#[derive(Debug)]
pub struct ReplState {
    /// master_replid: the history our stream belongs to.
    pub replid: String,
    /// master_replid2: the history we continued from (after a promotion or a master change).
    pub replid2: String,
    /// second_repl_offset: the first offset that is no longer valid for `replid2` (-1: none).
    pub second_replid_offset: i64,
    /// Tokens of the clients that are our replicas, in the order they attached.
    pub replicas: Vec<usize>,
    /// Unix time (s) since when no replica is attached (repl-backlog-ttl).
    pub no_replicas_since: i64,
    /// Send REPLCONF GETACK * to the replicas before the loop sleeps (WAIT asked for ACKs).
    pub getack_pending: bool,
    /// Seconds-resolution counter of replication cron runs.
    pub cron_loops: u64,
    /// Unix time (ms) the replication cron last ran.
    pub last_cron_ms: i64,
    /// The running fork made for replicas (target and snapshot offset).
    pub sync_child: Option<master::SyncChild>,
    /// (time ms, master_repl_offset) samples taken by the cron whenever the offset moved: how
    /// old a given offset is (replica lag in time, the backlog's coverage in seconds).
    pub offset_history: std::collections::VecDeque<(i64, u64)>,
    /// The RDB file was written to feed replicas (rdb-del-sync-files may remove it).
    pub rdb_for_replicas: bool,
    /// A coordinated FAILOVER in progress.
    pub failover: master::Failover,
    /// A replica acknowledged while its diskless transfer seemed to run: look for the end of
    /// the fork child before sleeping.
    pub reap_child_asap: bool,
    /// The replica's last quick ACK: (offset, ms).
    pub quick_ack: (i64, i64),
    /// Ids of the clients blocked in WAIT.
    pub waiting: Vec<u64>,
    /// An ACK arrived since WAIT clients were last looked at.
    pub acks_changed: bool,
    /// A replica waits for a full sync that can start right away (done before the loop sleeps).
    pub start_sync_asap: bool,
    /// The replica side: our master link (None while we are a master).
    pub link: replica::LinkState,
}

impl ReplState {
    pub fn new(rng: &mut vireo_keyspace::rng::Rng, now_s: i64) -> ReplState {
        ReplState {
            replid: rng.hex(40),
            replid2: NULL_REPLID.to_string(),
            second_replid_offset: -1,
            replicas: Vec::new(),
            no_replicas_since: now_s,
            getack_pending: false,
            cron_loops: 0,
            last_cron_ms: 0,
            sync_child: None,
            start_sync_asap: false,
            offset_history: Default::default(),
            rdb_for_replicas: false,
            failover: Default::default(),
            reap_child_asap: false,
            quick_ack: (0, 0),
            waiting: Vec::new(),
            acks_changed: false,
            link: Default::default(),
        }
    }
}

/// The replid shown when there is none.
pub const NULL_REPLID: &str = "0000000000000000000000000000000000000000";

/// A fresh replication history (changeReplicationId).
pub fn change_replid(srv: &mut Server) {
    srv.repl.replid = srv.rng.hex(40);
}

/// Forgets the secondary history (clearReplicationId2).
pub fn clear_replid2(srv: &mut Server) {
    srv.repl.replid2 = NULL_REPLID.to_string();
    srv.repl.second_replid_offset = -1;
}

/// Keeps the current history as the secondary one, valid up to our offset, and starts a new
/// one: what a promoted replica does so that its former siblings can continue from it.
pub fn shift_replid(srv: &mut Server) {
    srv.repl.replid2 = srv.repl.replid.clone();
    srv.repl.second_replid_offset = srv.prop.repl_offset as i64 + 1;
    change_replid(srv);
    log_warning!(
        "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
        srv.repl.replid2,
        srv.repl.second_replid_offset,
        srv.repl.replid
    );
}

/// Creates the replication buffer, continuing from the current offset.
pub fn create_backlog(srv: &mut Server) {
    let size = srv.config.repl_backlog_size.max(1) as u64;
    srv.prop.backlog = Some(backlog::ReplBuffer::new(srv.prop.repl_offset, size));
    // the first command after a new backlog (or full sync) must say its database
    srv.prop.repl_seldb = -1;
}

/// Drops the replication buffer (no replica for repl-backlog-ttl, or a new master's history).
pub fn free_backlog(srv: &mut Server) {
    srv.prop.backlog = None;
}

/// Samples kept in `offset_history` (at hz 10, over an hour of steady writes).
const OFFSET_HISTORY_MAX: usize = 40_000;

/// Called at `hz`; samples the offset, and runs the replication cron once a second.
pub fn cron(srv: &mut Server) {
    let now = srv.mstime();
    let off = srv.prop.repl_offset;
    let h = &mut srv.repl.offset_history;
    if srv.prop.backlog.is_none() {
        h.clear();
    } else if h.back().is_none_or(|&(_, o)| o < off) {
        h.push_back((now, off));
        if h.len() > OFFSET_HISTORY_MAX {
            h.pop_front();
        }
    }
    if srv.masterhost.is_some() {
        replica::ack_if_moved(srv);
    }
    if now - srv.repl.last_cron_ms < 1000 {
        return;
    }
    srv.repl.last_cron_ms = now;
    srv.repl.cron_loops += 1;
    replica::cron(srv);
    master::cron(srv);
}

/// Logs the creation of the backlog the way Redis does.
pub(crate) fn log_backlog_created(srv: &Server) {
    log_notice!(
        "Replication backlog created, my new replication IDs are '{}' and '{}'",
        srv.repl.replid,
        srv.repl.replid2
    );
}

/// The replication AUX fields of a snapshot (rdbPopulateSaveInfo): a master with a backlog, or a
/// replica with a master (or cached master), records its history and offset so that a restart
/// can continue with a partial resync.
pub fn save_info(srv: &Server) -> Option<vireo_rdb::file::ReplAux> {
    let stream_db = if srv.masterhost.is_none() {
        srv.prop.backlog.as_ref()?;
        srv.prop.repl_seldb.max(0)
    } else {
        replica::stream_db(srv)?
    };
    Some(vireo_rdb::file::ReplAux { stream_db, id: srv.repl.replid.clone(), offset: srv.prop.repl_offset as i64 })
}

/// Milliseconds since the stream passed offset `off`: 0 when `off` is current, else the age of
/// the oldest sample beyond it (the cron period is the resolution).
pub fn age_of_offset(srv: &Server, off: u64) -> i64 {
    if off >= srv.prop.repl_offset {
        return 0;
    }
    let h = &srv.repl.offset_history;
    let i = h.partition_point(|&(_, o)| o <= off);
    match h.get(i) {
        Some(&(t, _)) => (srv.mstime() - t).max(0),
        None => 0,
    }
}

/// How many seconds of the most recent writes the backlog holds (what a partial resync can
/// still cover), from the offset samples.
pub fn backlog_covered_ms(srv: &Server) -> i64 {
    let Some(b) = &srv.prop.backlog else { return 0 };
    let h = &srv.repl.offset_history;
    if b.histlen() == 0 {
        return 0;
    }
    // the first sample at or past the backlog's first byte was taken after that byte was written
    let i = h.partition_point(|&(_, o)| o < b.first_byte());
    let since = match (i.checked_sub(1).and_then(|j| h.get(j)), h.get(i)) {
        (Some(&(t, _)), _) => t,
        (None, Some(&(t, _))) => t,
        (None, None) => srv.mstime(),
    };
    (srv.mstime() - since).max(0)
}

/// After a master loaded its own snapshot at startup: the history the file recorded becomes
/// our secondary id (valid up to its offset), and our offset continues from it, so replicas
/// that were in sync with us before the restart continue with a partial resync. The bytes fed
/// during the load (DELs of keys found expired) move to follow the recorded offset. Without
/// that record the backlog made for the load is dropped.
pub fn restore_master_from_rdb(srv: &mut Server, repl: &Option<(String, i64, i64)>) {
    if srv.masterhost.is_some() {
        return;
    }
    let Some((id, off, _db)) = repl.clone().filter(|(id, off, db)| id.len() == 40 && *off >= 0 && *db >= 0) else {
        free_backlog(srv);
        return;
    };
    let fed = srv.prop.backlog.as_ref().and_then(|b| b.copy_from(b.first_byte())).unwrap_or_default();
    srv.repl.replid2 = id;
    srv.repl.second_replid_offset = off + 1;
    let size = srv.config.repl_backlog_size.max(1) as u64;
    let mut b = backlog::ReplBuffer::new(off as u64, size);
    b.append(&fed);
    srv.prop.repl_offset = b.end();
    srv.prop.backlog = Some(b);
    srv.repl.no_replicas_since = srv.mstime() / 1000;
}
