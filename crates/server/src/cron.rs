//! serverCron: the periodic work run `hz` times per second — client timeouts and buffer
//! bookkeeping, the slow active-expiry cycle, incremental rehashing and shrinking of the
//! databases' tables, the instantaneous metrics, memory peak, and the end of a CLIENT PAUSE.
//! Signals only set a flag; the loop acts on it after the cron.

use crate::client::cflags;
use crate::log_verbose;
use crate::server::{now_us, PauseKind, Server};
use vireo_keyspace::expire::CycleKind;

/// Clients handled by the cron per call are spread so that each is seen about once a second.
const CLIENTS_CRON_MIN_ITERATIONS: usize = 5;

pub fn server_cron(srv: &mut Server) {
    srv.update_cached_time();
    let now = srv.mstime();
    srv.cron_loops += 1;

    // dynamic hz: more clients, more frequent cron (Redis's MAX_CLIENTS_PER_CLOCK_TICK = 200)
    let configured = (srv.config.hz as u32).clamp(1, 500);
    srv.hz = configured;
    if srv.config.dynamic_hz {
        while srv.connected_clients() / srv.hz as usize > 200 && srv.hz < 500 {
            srv.hz *= 2;
        }
        srv.hz = srv.hz.min(500);
    }

    // instantaneous metrics every 100 ms
    if run_with_period(srv, 100) {
        let (ops, inb, outb) = (srv.stats.numcommands, srv.stats.net_input_bytes, srv.stats.net_output_bytes);
        let (rin, rout) = (srv.stats.net_repl_input_bytes, srv.stats.net_repl_output_bytes);
        srv.inst.ops.track(now, ops);
        srv.inst.net_input.track(now, inb);
        srv.inst.net_output.track(now, outb);
        srv.inst.net_repl_input.track(now, rin);
        srv.inst.net_repl_output.track(now, rout);
    }

    let used = crate::alloc::used_memory();
    if used > srv.peak_memory {
        srv.peak_memory = used;
    }

    clients_cron(srv);
    databases_cron(srv);

    // background save: reap or sample the child; save points
    crate::persist::cron(srv);
    crate::aof::cron(srv);
    crate::repl::cron(srv);
    crate::cmd::server_admin::shutdown_cron(srv);

    // a CLIENT PAUSE that ran out
    if srv.pause.kind != PauseKind::Off && now >= srv.pause.end_ms {
        crate::cmd::client::unpause(srv);
    }
}

/// True once every `ms` milliseconds of cron time (Redis's run_with_period).
fn run_with_period(srv: &Server, ms: u64) -> bool {
    let period = 1000 / srv.hz.max(1) as u64;
    ms <= period || srv.cron_loops.is_multiple_of((ms / period).max(1))
}

fn clients_cron(srv: &mut Server) {
    let n = srv.client_order.len();
    if n == 0 {
        srv.stats.client_max_input_buffer = 0;
        srv.stats.client_max_output_buffer = 0;
        return;
    }
    let per_call = (n / srv.hz.max(1) as usize).max(CLIENTS_CRON_MIN_ITERATIONS).min(n);
    let timeout_s = srv.config.timeout as i64;
    let now = srv.mstime();
    let tokens: Vec<usize> = srv.client_order.values().copied().collect();
    // rotate through the clients across calls
    let start = (srv.cron_loops as usize * per_call) % n;
    let mut max_in = 0usize;
    let mut max_out = 0usize;
    for i in 0..per_call {
        let t = tokens[(start + i) % n];
        let Some(Some(c)) = srv.clients.get_mut(t) else {
            continue;
        };
        // Redis keeps the last interaction in whole seconds: a client is idle for `timeout`
        // once the seconds counter moved more than `timeout` past it
        if timeout_s > 0
            && !c.has(cflags::SLAVE | cflags::MASTER | cflags::BLOCKED | cflags::PUBSUB | cflags::CLOSE_ASAP)
            && now / 1000 - c.last_interaction_ms / 1000 > timeout_s
        {
            log_verbose!("Closing idle client");
            srv.close_client_async(t);
            continue;
        }
        max_in = max_in.max(c.qbuf_peak);
        max_out = max_out.max(c.reply.rb.buf.capacity());
        // reset the peak so that it reflects recent use, and give back idle query buffer space
        c.qbuf_peak = c.qbuf.len();
        if c.qbuf.is_empty() && c.qbuf.capacity() > 32 * 1024 && now - c.last_interaction_ms > 2000 {
            c.qbuf = bytes::BytesMut::new();
        }
    }
    srv.stats.client_max_input_buffer = max_in;
    srv.stats.client_max_output_buffer = max_out;
}

fn databases_cron(srv: &mut Server) {
    if srv.active_expire_enabled && srv.masterhost.is_none() && !srv.loading {
        active_expire(srv, CycleKind::Slow);
    } else if srv.active_expire_enabled && srv.masterhost.is_some() && !srv.loading {
        expire_replica_local_keys(srv);
    }
    // no resizing or rehashing while a forked child shares our pages (copy-on-write)
    crate::persist::update_resize_policy(srv);
    if crate::persist::has_active_child(srv) {
        return;
    }
    // resize and rehash, a few databases per call like Redis (CRON_DBS_PER_CALL = 16)
    for db in srv.ks.dbs.iter_mut() {
        db.shrink_if_sparse();
    }
    if srv.config.activerehashing {
        for db in srv.ks.dbs.iter_mut() {
            if db.rehash_for(1000) {
                break;
            }
        }
    }
}

/// A writable replica expires the keys its own clients gave a TTL (Redis's expireSlaveKeys);
/// the deletions go to the AOF like any expiry.
fn expire_replica_local_keys(srv: &mut Server) {
    let clock = srv.keyspace_clock();
    let mut any = false;
    for db in srv.ks.dbs.iter_mut() {
        if db.replica_local_expires.is_empty() {
            continue;
        }
        db.clock = clock;
        any |= db.expire_replica_local_keys() > 0;
    }
    if any {
        let at = srv.prop.pending.len();
        srv.drain_db_events_at(at, None);
        srv.prop.no_multi = true;
        srv.prop.flush(false);
        srv.prop.no_multi = false;
    }
}

/// Runs an active expiry cycle and propagates the deletions it made, each on its own.
pub fn active_expire(srv: &mut Server, kind: CycleKind) {
    if srv.pause.writes_paused(srv.mstime()) {
        return;
    }
    let clock = srv.keyspace_clock();
    for db in srv.ks.dbs.iter_mut() {
        db.clock = clock;
        db.clock.mode = vireo_keyspace::db::ExpireMode::Master;
    }
    let effort = srv.config.active_expire_effort as u32;
    let hz = srv.hz;
    let expired = srv.expire_cycle.run(&mut srv.ks.dbs, kind, effort, hz, &|| now_us() as u64, &crate::server::now_ms);
    if expired > 0 || srv.ks.dbs.iter().any(|d| !d.events.is_empty()) {
        let at = srv.prop.pending.len();
        srv.drain_db_events_at(at, None);
        srv.prop.no_multi = true;
        srv.prop.flush(false);
        srv.prop.no_multi = false;
    }
}
