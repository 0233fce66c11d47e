//! maxmemory: measuring memory against the limit and evicting keys by the maxmemory-policy
//! until the dataset fits (Redis's performEvictions). The gate runs [`perform_evictions`] before
//! every command while a limit is set, and rejects denyoom commands when it fails; CONFIG SET
//! maxmemory starts the eviction "time proc" that the event loop keeps running until memory
//! fits or nothing is left to evict. Each evicted key is deleted (on the lazy-free thread under
//! lazyfree-lazy-eviction), reported to WATCHers and as an "evicted" keyspace event, and
//! propagated as DEL (UNLINK when lazy), each on its own, through the propagation point. Which
//! keys to evict is decided by `vireo_keyspace::evict`; this module knows no command.

use crate::client::Client;
use crate::server::Server;
use bytes::Bytes;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use vireo_config::MaxmemoryPolicy;
use vireo_keyspace::evict::{candidates_in, random_candidate, EvictionPool, Rank};

/// Eviction state kept between rounds.
#[derive(Debug, Default)]
pub struct EvictState {
    /// The best candidates of earlier samples (ranking policies).
    pub pool: EvictionPool,
    /// Where the random policies look next.
    pub next_db: usize,
    /// The event loop keeps evicting between commands (memory was over the limit when a
    /// round ran out of time, or maxmemory was just lowered).
    pub proc_running: bool,
    /// Since when memory has been over the limit without eviction catching up.
    pub exceeded_since: Option<Instant>,
    /// Time spent over the limit in earlier episodes, in microseconds.
    pub total_exceeded_us: u64,
}

impl EvictState {
    /// INFO stats current_eviction_exceeded_time (µs).
    pub fn current_exceeded_us(&self) -> u64 {
        self.exceeded_since.map(|t| t.elapsed().as_micros() as u64).unwrap_or(0)
    }
}

/// Outcome of an eviction round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evict {
    /// Memory is within the limit (or eviction is not to be attempted now).
    Ok,
    /// Eviction made progress but ran out of time; the event loop goes on with it.
    Running,
    /// Over the limit and nothing (more) can be evicted.
    Fail,
}

/// Memory that does not count against maxmemory: the replication buffer beyond the backlog
/// size (what lagging replicas hold) and the AOF buffer, which must not make us evict keys to
/// make room for the propagation of the evictions themselves.
pub fn not_counted_memory(srv: &Server) -> usize {
    let mut n = srv.prop.aof_buf.capacity();
    if let Some(b) = &srv.prop.backlog {
        // as Redis: everything beyond repl-backlog-size (not block-rounded, so that a growing
        // stream moves the counted part by nothing)
        n += b.mem().saturating_sub(b.size() as usize);
    }
    n
}

/// maxmemory as seen by the keyspace's tables, which cannot reach the server: they ask
/// [`dict_expand_allowed`] before growing. The server keeps it equal to its configuration.
static LIMIT: AtomicU64 = AtomicU64::new(0);

/// Publishes the configured maxmemory to [`dict_expand_allowed`].
pub fn publish_limit(maxmemory: u64) {
    LIMIT.store(maxmemory, Ordering::Relaxed);
}

/// The keyspace tables' grow check (Redis's dictExpandAllowed): a table that is not yet
/// overloaded (at most 1.618 elements per bucket) does not grow when its new bucket array
/// would take memory past maxmemory — a big allocation that would only force evictions.
/// Memory not counted for eviction is not known here (none exists yet, see
/// [`not_counted_memory`]).
pub fn dict_expand_allowed(more: usize, load: f64) -> bool {
    if load > 1.618 {
        return true;
    }
    let max = LIMIT.load(Ordering::Relaxed);
    max == 0 || (crate::alloc::used_memory() as u64).saturating_add(more as u64) <= max
}

/// The memory state against maxmemory: `None` when within the limit (or no limit), otherwise
/// the number of bytes to free.
pub fn over_limit(srv: &Server) -> Option<usize> {
    let max = srv.config.maxmemory;
    if max == 0 {
        return None;
    }
    let reported = crate::alloc::used_memory();
    if reported as u64 <= max {
        return None;
    }
    let used = reported.saturating_sub(not_counted_memory(srv));
    if used as u64 <= max {
        return None;
    }
    Some(used - max as usize)
}

/// Eviction is skipped while loading, on a replica that ignores maxmemory, and while clients
/// are paused (the dataset must then stay still).
fn safe_to_evict(srv: &Server) -> bool {
    if srv.loading {
        return false;
    }
    if srv.masterhost.is_some() && srv.config.replica_ignore_maxmemory {
        return false;
    }
    !srv.pause.writes_paused(srv.mstime())
}

/// How long one round may evict, from maxmemory-eviction-tenacity: linear up to 500 µs at 10,
/// then growing by 15% a step (about two minutes at 99), unlimited at 100.
fn time_limit_us(tenacity: i32) -> u64 {
    let t = tenacity.clamp(0, 100);
    if t <= 10 {
        50 * t as u64
    } else if t < 100 {
        (500.0 * 1.15f64.powi(t - 10)) as u64
    } else {
        u64::MAX
    }
}

/// One eviction round: evicts keys until memory fits, the round's time is up or nothing is
/// left to evict. Evictions are propagated before it returns. `cur` is the client about to run
/// a command (out of the client table meanwhile), so that its WATCHes and subscriptions see
/// the evictions too.
pub fn perform_evictions(srv: &mut Server, cur: Option<&mut Client>) -> Evict {
    if !safe_to_evict(srv) {
        return Evict::Ok;
    }
    let result = evict_round(srv, cur);
    match result {
        Evict::Running | Evict::Fail => {
            if srv.evict.exceeded_since.is_none() {
                srv.evict.exceeded_since = Some(Instant::now());
            }
        }
        Evict::Ok => {
            if let Some(t) = srv.evict.exceeded_since.take() {
                srv.evict.total_exceeded_us += t.elapsed().as_micros() as u64;
            }
        }
    }
    result
}

fn evict_round(srv: &mut Server, mut cur: Option<&mut Client>) -> Evict {
    let Some(to_free) = over_limit(srv) else {
        return Evict::Ok;
    };
    let policy = srv.config.maxmemory_policy;
    if policy == MaxmemoryPolicy::Noeviction {
        return Evict::Fail;
    }
    let limit_us = time_limit_us(srv.config.maxmemory_eviction_tenacity);
    let started = Instant::now();
    let lazy = srv.config.lazyfree_lazy_eviction;
    let allkeys = !policy.is_volatile();
    let rank = if policy.is_lru() {
        Some(Rank::Idle)
    } else if policy.is_lfu() {
        Some(Rank::Rarity)
    } else if policy == MaxmemoryPolicy::VolatileTtl {
        Some(Rank::Ttl)
    } else {
        None
    };
    // the access data of sampled keys is read at the current clock
    let clock = srv.keyspace_clock();
    for db in srv.ks.dbs.iter_mut() {
        db.clock = clock;
    }
    let samples = srv.config.maxmemory_samples.max(1) as usize;
    let mut freed: i64 = 0;
    let mut keys_freed = 0u64;
    let mut result = Evict::Fail;
    let mut ran_out = false;
    while freed < to_free as i64 {
        let victim = match rank {
            Some(rank) => pick_ranked(srv, allkeys, rank, samples),
            None => pick_random(srv, allkeys),
        };
        let Some((dbid, key)) = victim else {
            ran_out = true;
            break;
        };
        freed += evict_key(srv, cur.as_deref_mut(), dbid, &key, lazy);
        keys_freed += 1;
        if keys_freed.is_multiple_of(16) {
            // the lazy-free thread releases memory on its own time: look at the real figure
            if lazy && over_limit(srv).is_none() {
                break;
            }
            if started.elapsed().as_micros() as u64 > limit_us {
                srv.evict.proc_running = true;
                break;
            }
        }
    }
    if !ran_out {
        result = if srv.evict.proc_running { Evict::Running } else { Evict::Ok };
    }
    if result == Evict::Fail {
        // nothing left to evict: values still being freed by the lazy-free thread may be
        // enough, so wait for them a little (within the round's time)
        let waited = Instant::now();
        while srv.lazyfree_pending.load(std::sync::atomic::Ordering::Relaxed) > 0
            && (started.elapsed().as_micros() as u64) < limit_us
        {
            if over_limit(srv).is_none() {
                result = Evict::Ok;
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(limit_us.clamp(1, 1000)));
        }
        srv.latency_sample("eviction-lazyfree", waited.elapsed().as_millis() as u64);
    }
    // every DEL on its own, never wrapped in MULTI/EXEC with a command
    flush_propagation(srv);
    srv.latency_sample("eviction-cycle", started.elapsed().as_millis() as u64);
    result
}

/// The best candidate across databases, refilling the pool from every database as long as
/// it yields only keys that no longer exist.
fn pick_ranked(srv: &mut Server, allkeys: bool, rank: Rank, samples: usize) -> Option<(usize, vireo_keyspace::SBytes)> {
    loop {
        let mut total = 0usize;
        for i in 0..srv.ks.dbs.len() {
            let n = candidates_in(&srv.ks.dbs[i], allkeys);
            if n > 0 {
                srv.evict.pool.populate(&srv.ks.dbs[i], allkeys, rank, samples, &mut srv.rng);
                total += n;
            }
        }
        if total == 0 {
            return None;
        }
        if let Some(best) = srv.evict.pool.pop_best(&srv.ks.dbs, allkeys) {
            return Some(best);
        }
    }
}

/// A random key from the next database that has candidates.
fn pick_random(srv: &mut Server, allkeys: bool) -> Option<(usize, vireo_keyspace::SBytes)> {
    let n = srv.ks.dbs.len();
    for _ in 0..n {
        srv.evict.next_db = srv.evict.next_db.wrapping_add(1);
        let j = srv.evict.next_db % n;
        if let Some(k) = random_candidate(&srv.ks.dbs[j], allkeys, &mut srv.rng) {
            return Some((j, k));
        }
    }
    None
}

/// Deletes one key and reports it; returns the bytes its deletion released on this thread.
fn evict_key(srv: &mut Server, mut cur: Option<&mut Client>, dbid: usize, key: &[u8], lazy: bool) -> i64 {
    let before = crate::alloc::used_memory() as i64;
    let t = Instant::now();
    let db = &mut srv.ks.dbs[dbid];
    // the removal is not a command's write: keep it out of the written-keys list, and tell
    // WATCHers below instead
    let written = std::mem::take(&mut db.written);
    let removed = db.take(key);
    db.written = written;
    if let Some((entry, _)) = removed {
        crate::cmd::keys::free_entry(srv, entry, lazy);
    }
    srv.latency_sample("eviction-del", t.elapsed().as_millis() as u64);
    let released = before - crate::alloc::used_memory() as i64;
    srv.stats.evictedkeys += 1;
    crate::cmd::multi::touch_watched_key(srv, cur.as_deref_mut(), dbid, key);
    srv.notify_keyspace_event(cur, crate::exec::notify::EVICTED, "evicted", key, dbid);
    let verb: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
    srv.prop
        .pending
        .push(crate::propagate::PropOp { db: dbid, argv: vec![Bytes::from_static(verb), Bytes::copy_from_slice(key)] });
    released
}

/// Emits the DELs of a round, each as its own command.
fn flush_propagation(srv: &mut Server) {
    if srv.prop.pending.is_empty() {
        return;
    }
    let no_multi = srv.prop.no_multi;
    srv.prop.no_multi = true;
    srv.prop.flush(false);
    srv.prop.no_multi = no_multi;
}

/// The event loop's eviction job: runs a round while the previous one ran out of time.
pub fn time_proc(srv: &mut Server) {
    if !srv.evict.proc_running {
        return;
    }
    srv.update_cached_time();
    // a round that runs out of time sets the flag again
    srv.evict.proc_running = false;
    if perform_evictions(srv, None) == Evict::Running {
        srv.evict.proc_running = true;
    }
}

/// CONFIG SET maxmemory: warns when the new limit is below current use and lets the event loop
/// start evicting.
pub fn maxmemory_changed(srv: &mut Server) {
    let max = srv.config.maxmemory;
    publish_limit(max);
    if max == 0 {
        return;
    }
    let used = crate::alloc::used_memory().saturating_sub(not_counted_memory(srv));
    if max < used as u64 {
        crate::log_warning!(
            "WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current memory usage ({}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.",
            max,
            used
        );
    }
    srv.evict.proc_running = true;
}
