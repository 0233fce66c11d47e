//! The active expiry cycle: Redis's adaptive sampling of keys with a TTL. Each call walks a few
//! buckets of each database's expires table from a saved cursor, deletes what has expired (the
//! deletions are recorded as `DbEvent::Expired` for the server to propagate), keeps going in a
//! database while more than the acceptable share of sampled keys were stale, and stops at its
//! time budget. A "fast" cycle runs before the event loop sleeps, a "slow" one from the cron.

use crate::db::{Db, ExpireMode};
use crate::sbytes::SBytes;

const KEYS_PER_LOOP: u64 = 20;
const FAST_DURATION_US: u64 = 1000;
const SLOW_TIME_PERC: u64 = 25;
const ACCEPTABLE_STALE: u64 = 10;
const DBS_PER_CALL: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleKind {
    Fast,
    Slow,
}

/// State kept between cycles plus the statistics INFO reports.
#[derive(Debug, Default, Clone)]
pub struct ExpireCycle {
    current_db: usize,
    timelimit_exit: bool,
    last_fast_cycle_us: u64,
    /// Running estimate of the share of stale keys among sampled ones (expired_stale_perc).
    pub stale_perc: f64,
    /// How many cycles stopped at their time limit (expired_time_cap_reached_count).
    pub time_cap_reached: u64,
    /// Microseconds spent in cycles (expire_cycle_cpu_milliseconds is this / 1000).
    pub time_used_us: u64,
}

impl ExpireCycle {
    /// Runs one cycle over `dbs`. `effort` is active-expire-effort (1..=10), `hz` the cron
    /// frequency, `now_us` a monotonic microsecond clock, `now_ms` the wall clock for TTLs.
    /// Returns the number of keys expired.
    pub fn run(
        &mut self,
        dbs: &mut [Db],
        kind: CycleKind,
        effort: u32,
        hz: u32,
        now_us: &dyn Fn() -> u64,
        now_ms: &dyn Fn() -> i64,
    ) -> u64 {
        if dbs.is_empty() {
            return 0;
        }
        let effort = effort.clamp(1, 10) as u64 - 1;
        let keys_per_loop = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort;
        let fast_duration = FAST_DURATION_US + FAST_DURATION_US / 4 * effort;
        let slow_perc = SLOW_TIME_PERC + 2 * effort;
        let acceptable_stale = ACCEPTABLE_STALE - effort;

        let start = now_us();
        if kind == CycleKind::Fast {
            if !self.timelimit_exit && self.stale_perc < acceptable_stale as f64 {
                return 0;
            }
            if start < self.last_fast_cycle_us + fast_duration * 2 {
                return 0;
            }
            self.last_fast_cycle_us = start;
        }
        let mut dbs_per_call = DBS_PER_CALL;
        if dbs_per_call > dbs.len() || self.timelimit_exit {
            dbs_per_call = dbs.len();
        }
        let mut timelimit = slow_perc * 1_000_000 / hz.max(1) as u64 / 100;
        if timelimit == 0 {
            timelimit = 1;
        }
        if kind == CycleKind::Fast {
            timelimit = fast_duration;
        }
        self.timelimit_exit = false;

        let mut total_sampled = 0u64;
        let mut total_expired = 0u64;
        let mut iteration = 0u64;
        let mut to_delete: Vec<SBytes> = Vec::new();

        let mut j = 0;
        while j < dbs_per_call && !self.timelimit_exit {
            let n = dbs.len();
            let db = &mut dbs[self.current_db % n];
            self.current_db = self.current_db.wrapping_add(1);
            j += 1;
            if db.clock.mode != ExpireMode::Master {
                continue;
            }
            loop {
                iteration += 1;
                let num = db.expires.len() as u64;
                if num == 0 {
                    db.avg_ttl = 0;
                    break;
                }
                let slots = db.expires.buckets() as u64;
                let now = now_ms();
                if slots > 4 && num * 100 / slots < 1 {
                    break;
                }
                let num = num.min(keys_per_loop);
                let max_buckets = num * 20;
                let mut checked = 0u64;
                let mut sampled = 0u64;
                let mut expired = 0u64;
                let mut ttl_sum = 0i64;
                let mut ttl_samples = 0i64;
                to_delete.clear();
                while sampled < num && checked < max_buckets {
                    let cursor = db.expires_cursor;
                    let next = db.expires.scan(cursor, |k, &when| {
                        // Redis's sum wraps for TTLs near i64::MAX; so does ours
                        let ttl = when.wrapping_sub(now);
                        if when < now {
                            to_delete.push(k.clone());
                        } else if ttl > 0 {
                            ttl_sum = ttl_sum.wrapping_add(ttl);
                            ttl_samples += 1;
                        }
                        sampled += 1;
                    });
                    checked += 1;
                    db.expires_cursor = next;
                }
                for k in to_delete.drain(..) {
                    db.clock.now_ms = now;
                    if db.key_is_expired(&k) {
                        db.delete_expired(&k);
                        expired += 1;
                    }
                }
                total_expired += expired;
                total_sampled += sampled;
                if ttl_samples > 0 {
                    let avg = ttl_sum / ttl_samples;
                    if db.avg_ttl == 0 {
                        db.avg_ttl = avg;
                    }
                    db.avg_ttl = (db.avg_ttl / 50) * 49 + avg / 50;
                }
                if iteration & 0xf == 0 && now_us().saturating_sub(start) > timelimit {
                    self.timelimit_exit = true;
                    self.time_cap_reached += 1;
                    break;
                }
                if !(sampled == 0 || expired * 100 / sampled > acceptable_stale) {
                    break;
                }
            }
        }
        self.time_used_us += now_us().saturating_sub(start);
        let current = if total_sampled > 0 { total_expired as f64 / total_sampled as f64 } else { 0.0 };
        self.stale_perc = current * 0.05 + self.stale_perc * 0.95;
        total_expired
    }
}
