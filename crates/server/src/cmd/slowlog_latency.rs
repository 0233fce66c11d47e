//! SLOWLOG and LATENCY: the read side of the slow log and of the latency monitor. The data is
//! collected by `call()` (and the other places that time themselves) into `Server::slowlog`,
//! `Server::latency_events` and the per-command latency histograms; this file only reports and
//! resets it, in Redis 7.0's reply shapes. LATENCY DOCTOR and GRAPH use vireo's own wording and
//! drawing. Nothing here measures anything or knows about sockets.

use crate::command::*;
use crate::exec::Ctx;
use crate::server::LatencySeries;
use crate::stats::Histogram;

const S_SLOWLOG: &str = "Inspects or clears the log of commands that ran longer than a threshold.";
const S_SLOWLOG_GET: &str = "Returns the newest entries of the slow log.";
const S_SLOWLOG_HELP: &str = "Describes the SLOWLOG subcommands.";
const S_SLOWLOG_LEN: &str = "Returns the number of entries in the slow log.";
const S_SLOWLOG_RESET: &str = "Empties the slow log.";
const S_LATENCY: &str = "Reports on the latency spikes and command latency distributions the server recorded.";
const S_LATENCY_DOCTOR: &str = "Returns a readable analysis of the recorded latency spikes, with suggestions.";
const S_LATENCY_GRAPH: &str = "Draws the recorded latency spikes of an event as ASCII art.";
const S_LATENCY_HELP: &str = "Describes the LATENCY subcommands.";
const S_LATENCY_HISTOGRAM: &str = "Returns the cumulative latency distribution of commands.";
const S_LATENCY_HISTORY: &str = "Returns the recorded (time, latency) samples of an event.";
const S_LATENCY_LATEST: &str = "Returns the newest sample and the worst latency of every event.";
const S_LATENCY_RESET: &str = "Discards the recorded samples of some or all events.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "slowlog",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_SLOWLOG,
            since: "2.2.12",
            group: Group::Server,
            complexity: Some("Depends on subcommand."),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: None,
        subcommands: &[
            CommandSpec {
                name: "get",
                arity: -2,
                flags: flags::ADMIN | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["request_policy:all_nodes", "nondeterministic_output"],
                key_specs: &[],
                doc: Doc {
                    summary: S_SLOWLOG_GET,
                    since: "2.2.12",
                    group: Group::Server,
                    complexity: Some("O(N) where N is the number of entries returned"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: argflags::OPTIONAL,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    }],
                },
                handler: Some(slowlog_get),
                subcommands: &[],
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc {
                    summary: S_SLOWLOG_HELP,
                    since: "6.2.0",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(slowlog_help),
                subcommands: &[],
            },
            CommandSpec {
                name: "len",
                arity: 2,
                flags: flags::ADMIN | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
                key_specs: &[],
                doc: Doc {
                    summary: S_SLOWLOG_LEN,
                    since: "2.2.12",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(slowlog_len),
                subcommands: &[],
            },
            CommandSpec {
                name: "reset",
                arity: 2,
                flags: flags::ADMIN | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
                key_specs: &[],
                doc: Doc {
                    summary: S_SLOWLOG_RESET,
                    since: "2.2.12",
                    group: Group::Server,
                    complexity: Some("O(N) where N is the number of entries in the slowlog"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(slowlog_reset),
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "latency",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_LATENCY,
            since: "2.8.13",
            group: Group::Server,
            complexity: Some("Depends on subcommand."),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: None,
        subcommands: &[
            CommandSpec {
                name: "doctor",
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_LATENCY_DOCTOR,
                    since: "2.8.13",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(latency_doctor),
                subcommands: &[],
            },
            CommandSpec {
                name: "graph",
                arity: 3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_LATENCY_GRAPH,
                    since: "2.8.13",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[Arg {
                        name: "event",
                        typ: ArgType::String,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: 0,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    }],
                },
                handler: Some(latency_graph),
                subcommands: &[],
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc {
                    summary: S_LATENCY_HELP,
                    since: "2.8.13",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(latency_help),
                subcommands: &[],
            },
            CommandSpec {
                name: "histogram",
                arity: -2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_LATENCY_HISTOGRAM,
                    since: "7.0.0",
                    group: Group::Server,
                    complexity: Some(
                        "O(N) where N is the number of commands with latency information being retrieved.",
                    ),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[Arg {
                        name: "command",
                        typ: ArgType::String,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    }],
                },
                handler: Some(latency_histogram),
                subcommands: &[],
            },
            CommandSpec {
                name: "history",
                arity: 3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_LATENCY_HISTORY,
                    since: "2.8.13",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[Arg {
                        name: "event",
                        typ: ArgType::String,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: 0,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    }],
                },
                handler: Some(latency_history),
                subcommands: &[],
            },
            CommandSpec {
                name: "latest",
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_LATENCY_LATEST,
                    since: "2.8.13",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(latency_latest),
                subcommands: &[],
            },
            CommandSpec {
                name: "reset",
                arity: -2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
                tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
                key_specs: &[],
                doc: Doc {
                    summary: S_LATENCY_RESET,
                    since: "2.8.13",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[Arg {
                        name: "event",
                        typ: ArgType::String,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    }],
                },
                handler: Some(latency_reset),
                subcommands: &[],
            },
        ],
    },
];

// ---------------------------------------------------------------------------------------------
// SLOWLOG

const SLOWLOG_HELP: &[&str] = &[
    "GET [<count>]",
    "    Return the <count> newest entries (10 by default, -1 for all). Each entry is:",
    "    id, unix time, duration in microseconds, arguments, client address, client name.",
    "LEN",
    "    Return the number of entries.",
    "RESET",
    "    Remove every entry.",
];

fn slowlog_help(ctx: &mut Ctx) {
    crate::cmd::reply_help(ctx, "SLOWLOG", SLOWLOG_HELP);
}

fn slowlog_get(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        crate::cmd::debug::subcommand_syntax_error(ctx);
        return;
    }
    let mut count = 10usize;
    if ctx.argc() == 3 {
        match vireo_resp::num::parse_i64(&ctx.argv[2]) {
            Some(-1) => count = ctx.srv.slowlog.len(),
            Some(n) if n >= 0 => count = usize::try_from(n).unwrap_or(usize::MAX),
            _ => {
                ctx.error("ERR count should be greater than or equal to -1");
                return;
            }
        }
    }
    let n = count.min(ctx.srv.slowlog.len());
    let out = &mut ctx.c.reply;
    out.array(n);
    for e in ctx.srv.slowlog.iter().take(n) {
        out.array(6);
        out.int(e.id as i64);
        out.int(e.time);
        out.int(e.usec as i64);
        out.array(e.argv.len());
        for a in &e.argv {
            out.bulk(a);
        }
        out.bulk(e.peer.as_bytes());
        out.bulk(&e.name);
    }
}

fn slowlog_len(ctx: &mut Ctx) {
    let n = ctx.srv.slowlog.len() as i64;
    ctx.int(n);
}

fn slowlog_reset(ctx: &mut Ctx) {
    ctx.srv.slowlog.clear();
    ctx.ok();
}

// ---------------------------------------------------------------------------------------------
// LATENCY

const LATENCY_HELP: &[&str] = &[
    "DOCTOR",
    "    Return an analysis of the recorded latency spikes, with suggestions.",
    "GRAPH <event>",
    "    Return an ASCII drawing of the samples of <event>.",
    "HISTORY <event>",
    "    Return the (unix time, milliseconds) samples of <event>.",
    "LATEST",
    "    Return the newest sample and the all-time worst latency of every event.",
    "RESET [<event> ...]",
    "    Discard the samples of the given events (of every event when none is given).",
    "HISTOGRAM [<command> ...]",
    "    Return the cumulative latency distribution of the given commands (of every",
    "    command that ran when none is given).",
];

fn latency_help(ctx: &mut Ctx) {
    crate::cmd::reply_help(ctx, "LATENCY", LATENCY_HELP);
}

/// The series of an event, by its exact (case-sensitive) name.
fn series<'a>(srv: &'a crate::server::Server, name: &[u8]) -> Option<(&'static str, &'a LatencySeries)> {
    let name = std::str::from_utf8(name).ok()?;
    srv.latency_events.get_key_value(name).map(|(k, v)| (*k, v))
}

fn latency_history(ctx: &mut Ctx) {
    let samples: Vec<(i64, u64)> = match series(ctx.srv, &ctx.argv[2]) {
        Some((_, s)) => s.samples.iter().copied().collect(),
        None => Vec::new(),
    };
    let out = ctx.out();
    out.array(samples.len());
    for (t, ms) in samples {
        out.array(2);
        out.int(t);
        out.int(ms as i64);
    }
}

fn latency_latest(ctx: &mut Ctx) {
    let out = &mut ctx.c.reply;
    out.array(ctx.srv.latency_events.len());
    for (name, s) in &ctx.srv.latency_events {
        let (t, ms) = s.samples.back().copied().unwrap_or((0, 0));
        out.array(4);
        out.bulk(name.as_bytes());
        out.int(t);
        out.int(ms as i64);
        out.int(s.max as i64);
    }
}

fn latency_reset(ctx: &mut Ctx) {
    let events = &mut ctx.srv.latency_events;
    let removed = if ctx.argv.len() == 2 {
        let n = events.len();
        events.clear();
        n
    } else {
        let mut n = 0;
        for name in &ctx.argv[2..] {
            let before = events.len();
            events.retain(|k, _| !k.as_bytes().eq_ignore_ascii_case(name));
            n += before - events.len();
        }
        n
    };
    ctx.int(removed as i64);
}

fn latency_graph(ctx: &mut Ctx) {
    let now = crate::server::now_ms() / 1000;
    let graph = match series(ctx.srv, &ctx.argv[2]) {
        Some((name, s)) => draw_graph(name, s, now),
        None => {
            let e =
                format!("ERR No samples available for event '{}'", crate::errors::sanitize(&ctx.argv[2], usize::MAX));
            ctx.error(&e);
            return;
        }
    };
    ctx.out().verbatim("txt", graph.as_bytes());
}

/// How long ago a sample was taken, in the largest unit that keeps it above zero.
fn age_label(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s < 60 => format!("{}s", s),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// LATENCY GRAPH: a header with the range of the samples, then blocks of up to 80 columns (one
/// per sample, oldest first), each a bar of 1 to 4 '#' scaled between the lowest and the
/// highest sample, with the sample's age written downwards below it.
pub fn draw_graph(event: &str, s: &LatencySeries, now: i64) -> String {
    const COLS: usize = 80;
    const ROWS: u64 = 4;
    let lo = s.samples.iter().map(|x| x.1).min().unwrap_or(0);
    let hi = s.samples.iter().map(|x| x.1).max().unwrap_or(0);
    let mut g = format!("{} - high {} ms, low {} ms (all time high {} ms)\n", event, hi, lo, s.max);
    g.push_str(&"-".repeat(COLS));
    g.push('\n');
    let samples: Vec<(i64, u64)> = s.samples.iter().copied().collect();
    for (block, chunk) in samples.chunks(COLS).enumerate() {
        if block > 0 {
            g.push('\n');
        }
        let heights: Vec<u64> =
            chunk.iter().map(|&(_, ms)| if hi == lo { ROWS } else { 1 + (ms - lo) * (ROWS - 1) / (hi - lo) }).collect();
        for level in (1..=ROWS).rev() {
            let line: String = heights.iter().map(|&h| if h >= level { '#' } else { ' ' }).collect();
            g.push_str(line.trim_end());
            g.push('\n');
        }
        let labels: Vec<Vec<char>> = chunk.iter().map(|&(t, _)| age_label(now - t).chars().collect()).collect();
        let depth = labels.iter().map(|l| l.len()).max().unwrap_or(0);
        for row in 0..depth {
            let line: String = labels.iter().map(|l| l.get(row).copied().unwrap_or(' ')).collect();
            g.push_str(line.trim_end());
            g.push('\n');
        }
    }
    g
}

/// Summary of one event's samples for LATENCY DOCTOR.
#[derive(Debug, Default, PartialEq)]
pub struct EventSummary {
    pub samples: usize,
    pub avg: u64,
    /// Mean absolute deviation from the average.
    pub mad: u64,
    /// Seconds between the oldest sample and now (at least 1).
    pub period: i64,
    pub all_time_max: u64,
}

pub fn summarize(s: &LatencySeries, now: i64) -> EventSummary {
    let n = s.samples.len();
    if n == 0 {
        return EventSummary { all_time_max: s.max, ..Default::default() };
    }
    let sum: u64 = s.samples.iter().map(|x| x.1).sum();
    let avg = sum / n as u64;
    let mad = s.samples.iter().map(|x| x.1.abs_diff(avg)).sum::<u64>() / n as u64;
    let oldest = s.samples.iter().map(|x| x.0).min().unwrap_or(now);
    EventSummary { samples: n, avg, mad, period: (now - oldest).max(1), all_time_max: s.max }
}

fn latency_doctor(ctx: &mut Ctx) {
    let now = crate::server::now_ms() / 1000;
    let report = doctor_report(ctx.srv, now);
    ctx.out().verbatim("txt", report.as_bytes());
}

/// LATENCY DOCTOR's text: a line per event with its statistics, then suggestions chosen by
/// the kinds of events seen.
pub fn doctor_report(srv: &crate::server::Server, now: i64) -> String {
    use std::fmt::Write;
    let threshold = srv.config.latency_monitor_threshold;
    if srv.latency_events.is_empty() {
        if threshold == 0 {
            return "Latency monitoring is off in this server, so there is nothing to analyse. Turn it on with 'CONFIG SET latency-monitor-threshold <milliseconds>' and ask again later.\n".to_string();
        }
        return "No latency spike was recorded since the server started (or since the last LATENCY RESET). All quiet.\n".to_string();
    }
    let mut r = String::from("Latency spikes were recorded for these events:\n\n");
    let mut advice: Vec<String> = Vec::new();
    let mut add = |a: String| {
        if !advice.contains(&a) {
            advice.push(a);
        }
    };
    for (i, (name, s)) in srv.latency_events.iter().enumerate() {
        let st = summarize(s, now);
        let _ = writeln!(
            r,
            "{}. {}: {} spikes, average {} ms, mean deviation {} ms, one every {:.2} sec on average; worst ever {} ms.",
            i + 1,
            name,
            st.samples,
            st.avg,
            st.mad,
            st.period as f64 / st.samples.max(1) as f64,
            st.all_time_max
        );
        match *name {
            "command" => {
                let slower = srv.config.slowlog_log_slower_than;
                if slower < 0 {
                    add(format!("- Slow commands caused spikes, and the slow log is off: 'CONFIG SET slowlog-log-slower-than {}' records them.", threshold * 1000));
                } else if slower / 1000 > threshold {
                    add(format!("- The slow log only records commands slower than the latency threshold; 'CONFIG SET slowlog-log-slower-than {}' aligns them.", threshold * 1000));
                }
                add("- Look at SLOWLOG GET to find which commands are slow; commands over big values (and deleting big keys) take time proportional to their size.".to_string());
            }
            "fast-command" => add("- Even O(1) commands were slow: the machine may be starving the server of CPU (load, noisy neighbours, swapping). 'redis-cli --intrinsic-latency 100' measures what the system itself adds.".to_string()),
            "expire-cycle" => add("- Expiring keys in the background took long: big keys expire as slowly as they are deleted; a higher 'hz' spreads the work more finely.".to_string()),
            "eviction-del" | "eviction-cycle" => add("- Evicting keys took long: avoid sudden drops of 'maxmemory' and very large keys.".to_string()),
            "fork" => add("- fork() was slow: this depends on the memory size and on the (virtual) machine; some hypervisors fork much faster than others.".to_string()),
            e if e.starts_with("aof") || e.starts_with("rdb") => add("- Disk writes were slow: prefer local disks (SSDs when possible) and keep other disk-heavy work off this machine.".to_string()),
            _ => {}
        }
    }
    if advice.is_empty() {
        r.push_str("\nNo specific suggestion for these events.\n");
    } else {
        r.push_str("\nSuggestions:\n\n");
        for a in advice {
            r.push_str(&a);
            r.push('\n');
        }
    }
    r
}

/// A command's full name, its number of calls and its cumulative distribution.
type CommandCdf = (String, u64, Vec<(u64, u64)>);

fn latency_histogram(ctx: &mut Ctx) {
    let reg = &ctx.srv.registry;
    let mut ids = Vec::new();
    if ctx.argv.len() == 2 {
        ids.extend(0..reg.len());
    } else {
        for name in &ctx.argv[2..] {
            let Some(id) = reg.by_full_name(name) else { continue };
            ids.push(id);
            let mut subs: Vec<usize> = reg.get(id).subs.values().copied().collect();
            subs.sort_unstable();
            ids.extend(subs);
        }
    }
    let with_data: Vec<CommandCdf> = ids
        .into_iter()
        .filter_map(|id| {
            let h = ctx.srv.cmd_stats.get(id)?.latency.as_deref()?;
            Some((reg.get(id).full_name.clone(), h.total(), cumulative_usec(h)))
        })
        .collect();
    let out = &mut ctx.c.reply;
    out.map(with_data.len());
    for (name, calls, cdf) in with_data {
        out.bulk(name.as_bytes());
        out.map(2);
        out.bulk(b"calls");
        out.int(calls as i64);
        out.bulk(b"histogram_usec");
        out.map(cdf.len());
        for (us, n) in cdf {
            out.int(us as i64);
            out.int(n as i64);
        }
    }
}

/// The cumulative distribution Redis reports for a command: at power-of-two steps from 1024 ns
/// (each step's bound widened as Redis's 2-significant-digit histogram widens it), the number
/// of calls at or below the bound, labelled with the bound in whole microseconds; steps that
/// add no call are left out. Our histogram's buckets do not line up with Redis's exactly, so a
/// call within about 1.5% of a bound may be counted one step later than Redis would count it.
pub fn cumulative_usec(h: &Histogram) -> Vec<(u64, u64)> {
    let total = h.total();
    let mut out = Vec::new();
    if total == 0 {
        return out;
    }
    // ns value of the n-th fastest call (1-based), as the upper bound of its bucket
    let nth = |n: u64| h.percentile((n as f64 - 0.5) * 100.0 / total as f64);
    let mut below = 0u64;
    for k in 0..40u32 {
        let bound = (1024u64 << k) + (1u64 << (3 + k)) - 1;
        // the largest n in [below, total] whose call is within the bound
        let (mut lo, mut hi) = (below, total);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if nth(mid) <= bound {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo > below {
            out.push((bound / 1000, lo));
            below = lo;
        }
        if below == total {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::debug::tests::{parse, server, R};

    fn series_of(samples: &[(i64, u64)]) -> LatencySeries {
        LatencySeries {
            samples: samples.iter().copied().collect(),
            max: samples.iter().map(|x| x.1).max().unwrap_or(0),
        }
    }

    #[test]
    fn cdf_steps_match_redis_labels() {
        let mut h = Histogram::default();
        for _ in 0..9 {
            h.record(3_000);
        }
        for _ in 0..41 {
            h.record(6_000);
        }
        h.record(200_000);
        assert_eq!(cumulative_usec(&h), vec![(4, 9), (8, 50), (264, 51)]);
        assert_eq!(cumulative_usec(&Histogram::default()), vec![]);
        let mut one = Histogram::default();
        one.record(10);
        assert_eq!(cumulative_usec(&one), vec![(1, 1)]);
        let mut slow = Histogram::default();
        slow.record(5_000_000_000);
        assert_eq!(cumulative_usec(&slow).last().map(|x| x.1), Some(1));
    }

    #[test]
    fn summary_and_graph() {
        let s = series_of(&[(100, 300), (102, 400), (104, 500)]);
        let st = summarize(&s, 110);
        assert_eq!(st, EventSummary { samples: 3, avg: 400, mad: 66, period: 10, all_time_max: 500 });
        let g = draw_graph("command", &s, 110);
        let lines: Vec<&str> = g.lines().collect();
        assert_eq!(lines[0], "command - high 500 ms, low 300 ms (all time high 500 ms)");
        assert_eq!(lines[1].len(), 80);
        assert_eq!(&lines[2..6], &["  #", "  #", " ##", "###"]);
        assert_eq!(&lines[6..8], &["186", "0ss"]);
        assert_eq!(age_label(7200), "2h");
        assert_eq!(age_label(200_000), "2d");
    }

    fn entries(ts: &mut crate::testing::TestServer, args: &[&str]) -> Vec<R> {
        parse(&ts.cmd(args)).arr().to_vec()
    }

    #[test]
    fn slowlog_records_newest_first_with_entry_fields() {
        let mut ts = server();
        ts.srv.config.slowlog_log_slower_than = 0;
        ts.cmd(&["SLOWLOG", "RESET"]);
        ts.cmd(&["SET", "a", "b"]);
        ts.cmd(&["CLIENT", "SETNAME", "tester"]);
        ts.cmd(&["GET", "a"]);
        let all = entries(&mut ts, &["SLOWLOG", "GET"]);
        // RESET itself is logged, like any command
        assert_eq!(all.len(), 4);
        let newest = all[0].arr();
        assert_eq!(newest.len(), 6);
        assert_eq!(newest[3], R::Arr(vec![R::Bulk(b"GET".to_vec()), R::Bulk(b"a".to_vec())]));
        assert_eq!(newest[4].text(), "127.0.0.1:1");
        assert_eq!(newest[5].text(), "tester");
        assert!(newest[1].int() > 1_600_000_000);
        assert!(newest[2].int() >= 0);
        let ids: Vec<i64> = all.iter().map(|e| e.arr()[0].int()).collect();
        assert!(ids.windows(2).all(|w| w[0] == w[1] + 1), "{ids:?}");
        assert_eq!(all[3].arr()[3], R::Arr(vec![R::Bulk(b"SLOWLOG".to_vec()), R::Bulk(b"RESET".to_vec())]));
        assert_eq!(all[3].arr()[5].text(), "");
        assert_eq!(entries(&mut ts, &["SLOWLOG", "GET", "0"]).len(), 0);
        assert_eq!(entries(&mut ts, &["SLOWLOG", "GET", "2"]).len(), 2);
        // LEN counts the entries before its own is added
        let n = parse(&ts.cmd(&["SLOWLOG", "LEN"])).int() as usize;
        assert_eq!(entries(&mut ts, &["SLOWLOG", "GET", "-1"]).len(), n + 1);
        assert_eq!(
            parse(&ts.cmd(&["SLOWLOG", "GET", "-2"])),
            R::Err("ERR count should be greater than or equal to -1".into())
        );
        ts.srv.config.slowlog_log_slower_than = -1;
        assert_eq!(ts.cmd(&["SLOWLOG", "RESET"]), b"+OK\r\n");
        ts.cmd(&["GET", "a"]);
        assert_eq!(ts.cmd(&["SLOWLOG", "LEN"]), b":0\r\n");
    }

    #[test]
    fn slowlog_trims_long_commands_and_keeps_max_len() {
        let mut ts = server();
        ts.srv.config.slowlog_log_slower_than = 0;
        let long = "A".repeat(129);
        ts.cmd(&["ECHO", &long]);
        let e = entries(&mut ts, &["SLOWLOG", "GET", "1"]);
        let argv = e[0].arr()[3].arr().to_vec();
        assert_eq!(argv[1].text(), format!("{}... (1 more bytes)", "A".repeat(128)));
        let many: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let mut cmd = vec!["PING"];
        cmd.extend(many.iter().map(|s| s.as_str()));
        ts.cmd(&cmd);
        let e = entries(&mut ts, &["SLOWLOG", "GET", "1"]);
        let argv = e[0].arr()[3].arr().to_vec();
        assert_eq!(argv.len(), 32);
        assert_eq!(argv[30].text(), "29");
        assert_eq!(argv[31].text(), "... (10 more arguments)");
        ts.srv.config.slowlog_max_len = 3;
        for _ in 0..10 {
            ts.cmd(&["PING"]);
        }
        assert_eq!(ts.cmd(&["SLOWLOG", "LEN"]), b":3\r\n");
    }

    #[test]
    fn latency_events_report_and_reset() {
        let mut ts = server();
        assert_eq!(ts.cmd(&["LATENCY", "LATEST"]), b"*0\r\n");
        let doc = parse(&ts.cmd(&["LATENCY", "DOCTOR"])).text();
        assert!(doc.contains("latency-monitor-threshold"), "{doc}");
        ts.srv.config.latency_monitor_threshold = 1;
        ts.cmd(&["DEBUG", "SLEEP", "0.01"]);
        // no more samples from here on, whatever the machine's speed
        ts.srv.config.latency_monitor_threshold = 0;
        let latest = entries(&mut ts, &["LATENCY", "LATEST"]);
        assert_eq!(latest.len(), 1);
        let ev = latest[0].arr();
        assert_eq!(ev[0].text(), "command");
        assert!(ev[2].int() >= 10 && ev[3].int() >= ev[2].int());
        let hist = entries(&mut ts, &["LATENCY", "HISTORY", "command"]);
        assert_eq!(hist.len(), 1);
        assert_eq!(hist[0].arr()[0], ev[1]);
        assert_eq!(entries(&mut ts, &["LATENCY", "HISTORY", "COMMAND"]).len(), 0);
        let graph = parse(&ts.cmd(&["LATENCY", "GRAPH", "command"])).text();
        assert!(graph.starts_with("command - high "), "{graph}");
        let doc = parse(&ts.cmd(&["LATENCY", "DOCTOR"])).text();
        assert!(doc.contains("1. command: 1 spikes"), "{doc}");
        assert_eq!(ts.cmd(&["LATENCY", "RESET", "nosuch"]), b":0\r\n");
        assert_eq!(ts.cmd(&["LATENCY", "RESET", "COMMAND"]), b":1\r\n");
        assert_eq!(ts.cmd(&["LATENCY", "LATEST"]), b"*0\r\n");
        assert_eq!(
            parse(&ts.cmd(&["LATENCY", "GRAPH", "command"])),
            R::Err("ERR No samples available for event 'command'".into())
        );
    }

    #[test]
    fn latency_histogram_shapes() {
        let mut ts = server();
        ts.cmd(&["SET", "a", "b"]);
        ts.cmd(&["SET", "c", "d"]);
        ts.cmd(&["CLIENT", "ID"]);
        let h = parse(&ts.cmd(&["LATENCY", "HISTOGRAM", "set", "nosuch", "client"]));
        let pairs = h.arr().to_vec();
        assert_eq!(pairs.len(), 4, "{h:?}");
        assert_eq!(pairs[0].text(), "set");
        let body = pairs[1].arr();
        assert_eq!(body[0].text(), "calls");
        assert_eq!(body[1].int(), 2);
        assert_eq!(body[2].text(), "histogram_usec");
        let cdf = body[3].arr();
        assert!(!cdf.is_empty() && cdf.len().is_multiple_of(2));
        assert_eq!(cdf[cdf.len() - 1].int(), 2);
        assert_eq!(pairs[2].text(), "client|id");
        assert_eq!(parse(&ts.cmd(&["LATENCY", "HISTOGRAM", "client|id"])).arr().len(), 2);
        // all commands: every one that ran, including this very LATENCY subcommand's siblings
        let all = parse(&ts.cmd(&["LATENCY", "HISTOGRAM"]));
        let names: Vec<String> = all.arr().iter().step_by(2).map(|r| r.text()).collect();
        assert!(names.contains(&"set".to_string()) && names.contains(&"latency|histogram".to_string()), "{names:?}");
    }
}
