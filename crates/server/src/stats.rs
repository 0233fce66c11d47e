//! Counters for INFO: server-wide stats, per-command stats (calls, time, rejected and failed
//! calls, latency histograms), error stats by prefix, and the instantaneous metrics sampled by
//! the cron. Plain data; it never formats INFO itself.

use std::collections::BTreeMap;

/// Per-command statistics (INFO commandstats / latencystats).
#[derive(Debug, Default, Clone)]
pub struct CmdStats {
    pub calls: u64,
    /// Total time in nanoseconds (INFO reports microseconds; summing nanoseconds keeps
    /// sub-microsecond commands from all rounding to 0).
    pub nsec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    pub latency: Option<Box<Histogram>>,
}

/// A log-linear latency histogram over nanoseconds: 64 sub-buckets per power of two (about 1.5%
/// precision), from 1 ns to about 1 s like Redis's latency tracking.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;
const MAX_NS: u64 = 1_000_000_000;

impl CmdStats {
    /// Total time in microseconds.
    pub fn usec(&self) -> u64 {
        self.nsec / 1000
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: vec![0; 64 * SUB], total: 0 }
    }
}

impl Histogram {
    fn index(v: u64) -> usize {
        let v = v.clamp(1, MAX_NS);
        let e = 63 - v.leading_zeros();
        if e < SUB_BITS {
            v as usize
        } else {
            let shift = e - SUB_BITS;
            let sub = ((v >> shift) as usize) & (SUB - 1);
            ((e - SUB_BITS + 1) as usize) * SUB + sub
        }
    }
    /// The highest value that falls into bucket `i`.
    fn upper(i: usize) -> u64 {
        let block = i / SUB;
        let sub = (i % SUB) as u64;
        if block == 0 {
            sub
        } else {
            let shift = block as u32 - 1;
            (((SUB as u64) | sub) << shift) + ((1u64 << shift) - 1)
        }
    }
    pub fn record(&mut self, ns: u64) {
        let i = Self::index(ns);
        self.counts[i] += 1;
        self.total += 1;
    }
    pub fn total(&self) -> u64 {
        self.total
    }
    /// The value at percentile `p` (0..=100), in nanoseconds.
    pub fn percentile(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let want = ((p / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                return Self::upper(i);
            }
        }
        MAX_NS
    }
}

/// Server-wide counters (INFO stats and friends).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub numconnections: u64,
    pub numcommands: u64,
    pub rejected_conn: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub net_repl_input_bytes: u64,
    pub net_repl_output_bytes: u64,
    pub evictedkeys: u64,
    pub evictedclients: u64,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub dump_payload_sanitizations: u64,
    pub total_reads_processed: u64,
    pub total_writes_processed: u64,
    pub reply_buffer_shrinks: u64,
    pub reply_buffer_expands: u64,
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    pub total_forks: u64,
    pub latest_fork_usec: u64,
    /// Errors by prefix ("ERR", "WRONGTYPE"...), sorted as INFO prints them.
    pub errors: BTreeMap<String, u64>,
    /// Set once 128 distinct prefixes were seen (Redis stops adding new ones).
    pub errors_overflow: bool,
    /// Largest input/output buffers seen among clients in the last few seconds.
    pub client_max_input_buffer: usize,
    pub client_max_output_buffer: usize,
}

/// Instantaneous metrics: 16 samples per metric taken every 100 ms by the cron.
#[derive(Debug, Clone, Default)]
pub struct InstMetric {
    samples: [u64; 16],
    idx: usize,
    last_time_ms: i64,
    last_value: u64,
}

impl InstMetric {
    /// Records a sample of a monotonically growing counter; stores the per-second rate.
    pub fn track(&mut self, now_ms: i64, value: u64) {
        let dt = now_ms - self.last_time_ms;
        if self.last_time_ms != 0 && dt > 0 {
            let delta = value.saturating_sub(self.last_value);
            self.samples[self.idx] = delta * 1000 / dt as u64;
            self.idx = (self.idx + 1) % self.samples.len();
        }
        self.last_time_ms = now_ms;
        self.last_value = value;
    }
    pub fn value(&self) -> u64 {
        self.samples.iter().sum::<u64>() / self.samples.len() as u64
    }
}

#[derive(Debug, Default, Clone)]
pub struct Instantaneous {
    pub ops: InstMetric,
    pub net_input: InstMetric,
    pub net_output: InstMetric,
    pub net_repl_input: InstMetric,
    pub net_repl_output: InstMetric,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_percentiles_are_close() {
        let mut h = Histogram::default();
        for v in 1..=1000u64 {
            h.record(v * 1000);
        }
        let p50 = h.percentile(50.0) as f64;
        assert!((p50 - 500_000.0).abs() / 500_000.0 < 0.02, "{p50}");
        let p99 = h.percentile(99.0) as f64;
        assert!((p99 - 990_000.0).abs() / 990_000.0 < 0.02, "{p99}");
        assert_eq!(h.total(), 1000);
    }

    #[test]
    fn histogram_bucket_bounds_are_monotonic() {
        let mut prev = 0;
        for i in 1..64 * SUB {
            let u = Histogram::upper(i);
            if u > MAX_NS {
                break;
            }
            assert!(u >= prev, "bucket {i}");
            assert_eq!(Histogram::index(u.max(1)), i.max(1), "bucket {i} upper {u}");
            prev = u;
        }
    }
}
