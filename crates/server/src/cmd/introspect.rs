//! Introspection commands: INFO and MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP).
//! They parse their arguments and shape replies; the INFO text and the memory accounting come
//! from `crate::info`, allocator access from `crate::alloc`. Nothing here changes the dataset.

use crate::command::*;
use crate::errors;
use crate::exec::Ctx;
use crate::info::{self, MemOverhead};
use crate::util::eq_ic;
use vireo_keyspace::{Dict, Entry, Value};

const S_INFO: &str = "Reports server state and statistics, by section.";
const S_MEMORY: &str = "Memory introspection commands.";
const S_MEMORY_DOCTOR: &str = "Describes memory problems found in the server, if any.";
const S_MEMORY_HELP: &str = "Lists the MEMORY subcommands.";
const S_MEMORY_MALLOC_STATS: &str = "Returns the allocator's own statistics report.";
const S_MEMORY_PURGE: &str = "Asks the allocator to give unused memory back to the operating system.";
const S_MEMORY_STATS: &str = "Breaks down the server's memory use.";
const S_MEMORY_USAGE: &str = "Estimates the bytes a key and its value occupy in memory.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "info",
        arity: -1,
        flags: flags::LOADING | flags::STALE,
        acl: acl::SLOW | acl::DANGEROUS,
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
        doc: Doc {
            summary: S_INFO,
            since: "1.0.0",
            group: Group::Server,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[Arg {
                name: "section",
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
        handler: Some(info_cmd),
        subcommands: &[],
    },
    CommandSpec {
        name: "memory",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_MEMORY,
            since: "4.0.0",
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
                flags: 0,
                acl: acl::SLOW,
                tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_MEMORY_DOCTOR,
                    since: "4.0.0",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(memory_doctor),
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
                    summary: S_MEMORY_HELP,
                    since: "4.0.0",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(memory_help),
                subcommands: &[],
            },
            CommandSpec {
                name: "malloc-stats",
                arity: 2,
                flags: 0,
                acl: acl::SLOW,
                tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_MEMORY_MALLOC_STATS,
                    since: "4.0.0",
                    group: Group::Server,
                    complexity: Some("Depends on how much memory is allocated, could be slow"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(memory_malloc_stats),
                subcommands: &[],
            },
            CommandSpec {
                name: "purge",
                arity: 2,
                flags: 0,
                acl: acl::SLOW,
                tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
                key_specs: &[],
                doc: Doc {
                    summary: S_MEMORY_PURGE,
                    since: "4.0.0",
                    group: Group::Server,
                    complexity: Some("Depends on how much memory is allocated, could be slow"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(memory_purge),
                subcommands: &[],
            },
            CommandSpec {
                name: "stats",
                arity: 2,
                flags: 0,
                acl: acl::SLOW,
                tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
                key_specs: &[],
                doc: Doc {
                    summary: S_MEMORY_STATS,
                    since: "4.0.0",
                    group: Group::Server,
                    complexity: Some("O(1)"),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[],
                },
                handler: Some(memory_stats),
                subcommands: &[],
            },
            CommandSpec {
                name: "usage",
                arity: -3,
                flags: flags::READONLY,
                acl: acl::READ | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec {
                    notes: "",
                    flags: kflags::RO,
                    begin: BeginSearch::Index(2),
                    find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
                }],
                doc: Doc {
                    summary: S_MEMORY_USAGE,
                    since: "4.0.0",
                    group: Group::Server,
                    complexity: Some("O(N) where N is the number of samples."),
                    deprecated_since: None,
                    replaced_by: None,
                    history: &[],
                    doc_flags: &[],
                    args: &[
                        Arg {
                            name: "key",
                            typ: ArgType::Key,
                            key_spec_index: 0,
                            token: None,
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                        Arg {
                            name: "count",
                            typ: ArgType::Integer,
                            key_spec_index: -1,
                            token: Some("SAMPLES"),
                            summary: None,
                            since: None,
                            flags: argflags::OPTIONAL,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                    ],
                },
                handler: Some(memory_usage),
                subcommands: &[],
            },
        ],
    },
];

/// INFO [section ...]: a verbatim string in RESP3, a bulk string in RESP2.
fn info_cmd(ctx: &mut Ctx) {
    let sel = info::Selection::parse(&ctx.argv[1..]);
    let text = info::gen_info(ctx.srv, Some(&*ctx.c), &sel);
    ctx.out().verbatim("txt", text.as_bytes());
}

fn memory_help(ctx: &mut Ctx) {
    super::reply_help(
        ctx,
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
}

/// Elements sampled in aggregate values when SAMPLES is not given.
const DEFAULT_SAMPLES: usize = 5;

/// MEMORY USAGE key [SAMPLES count]. Looks the key up without expiring it or counting a hit,
/// so a logically expired key that is still stored is measured too.
fn memory_usage(ctx: &mut Ctx) {
    let mut samples = DEFAULT_SAMPLES;
    let mut j = 3;
    while j < ctx.argc() {
        if eq_ic(&ctx.argv[j], "samples") && j + 1 < ctx.argc() {
            let Some(n) = ctx.int_arg(j + 1) else {
                return;
            };
            if n < 0 {
                ctx.error(errors::SYNTAX);
                return;
            }
            samples = if n == 0 { usize::MAX } else { usize::try_from(n).unwrap_or(usize::MAX) };
            j += 2;
        } else {
            ctx.error(errors::SYNTAX);
            return;
        }
    }
    let dict = ctx.srv.ks.dbs[ctx.c.db].main_dict();
    let usage = dict.get_key_value(&ctx.argv[2]).map(|(key, entry)| key_usage(dict, key.heap_size(), entry, samples));
    match usage {
        Some(n) => ctx.int(n as i64),
        None => ctx.null(),
    }
}

/// Bytes one key costs: its node in the main dict (which holds the key and value slots and the
/// per-key metadata), the key's and value's heap memory, and its share of the bucket array.
pub fn key_usage(dict: &Dict<Entry>, key_heap: usize, entry: &Entry, samples: usize) -> usize {
    let buckets = dict.buckets() * std::mem::size_of::<usize>();
    let share = buckets.div_ceil(dict.len().max(1));
    Dict::<Entry>::node_size() + key_heap + value_heap(&entry.val, samples) + share
}

/// Heap memory owned by a value. Aggregate types estimate it from `samples` elements (all of
/// them when `samples` is `usize::MAX`); every type must have an arm here.
pub fn value_heap(v: &Value, samples: usize) -> usize {
    let _ = samples;
    match v {
        Value::Str(s) => s.heap_size(),
        Value::Int(_) => 0,
        _ => v.heap_size(),
    }
}

/// MEMORY STATS: the memory breakdown as a map (a flat array in RESP2).
fn memory_stats(ctx: &mut Ctx) {
    let mh = info::memory_overhead(ctx.srv, Some(&*ctx.c), info::MallocStats::now());
    reply_memory_stats(ctx, &mh);
}

fn reply_memory_stats(ctx: &mut Ctx, mh: &MemOverhead) {
    let ms = mh.malloc;
    let out = ctx.out();
    out.map(27 + mh.dbs.len());
    let int = |out: &mut crate::client::Reply, k: &str, v: i64| {
        out.bulk(k.as_bytes());
        out.int(v);
    };
    let dbl = |out: &mut crate::client::Reply, k: &str, v: f32| {
        out.bulk(k.as_bytes());
        out.double(v as f64);
    };
    int(out, "peak.allocated", mh.peak_allocated as i64);
    int(out, "total.allocated", mh.total_allocated as i64);
    int(out, "startup.allocated", mh.startup_allocated as i64);
    int(out, "replication.backlog", mh.repl_backlog as i64);
    int(out, "clients.slaves", mh.clients_slaves as i64);
    int(out, "clients.normal", mh.clients_normal as i64);
    int(out, "cluster.links", mh.cluster_links as i64);
    int(out, "aof.buffer", mh.aof_buffer as i64);
    int(out, "lua.caches", mh.lua_caches as i64);
    int(out, "functions.caches", mh.functions_caches as i64);
    for d in &mh.dbs {
        out.bulk(format!("db.{}", d.id).as_bytes());
        out.map(3);
        int(out, "overhead.hashtable.main", d.main as i64);
        int(out, "overhead.hashtable.expires", d.expires as i64);
        int(out, "overhead.hashtable.slot-to-keys", d.slot_to_keys as i64);
    }
    int(out, "overhead.total", mh.overhead_total as i64);
    int(out, "keys.count", mh.total_keys as i64);
    int(out, "keys.bytes-per-key", mh.bytes_per_key as i64);
    int(out, "dataset.bytes", mh.dataset as i64);
    dbl(out, "dataset.percentage", mh.dataset_perc);
    dbl(out, "peak.percentage", mh.peak_perc);
    int(out, "allocator.allocated", ms.allocated as i64);
    int(out, "allocator.active", ms.active as i64);
    int(out, "allocator.resident", ms.resident as i64);
    dbl(out, "allocator-fragmentation.ratio", mh.allocator_frag);
    int(out, "allocator-fragmentation.bytes", mh.allocator_frag_bytes);
    dbl(out, "allocator-rss.ratio", mh.allocator_rss);
    int(out, "allocator-rss.bytes", mh.allocator_rss_bytes);
    dbl(out, "rss-overhead.ratio", mh.rss_extra);
    int(out, "rss-overhead.bytes", mh.rss_extra_bytes);
    dbl(out, "fragmentation", mh.total_frag);
    int(out, "fragmentation.bytes", mh.total_frag_bytes);
}

/// MEMORY DOCTOR: the same checks Redis makes (thresholds included), reported in our words.
fn memory_doctor(ctx: &mut Ctx) {
    let mh = info::memory_overhead(ctx.srv, Some(&*ctx.c), info::MallocStats::now());
    let mut clients = 0usize;
    let mut replicas = 0usize;
    info::for_each_client(ctx.srv, Some(&*ctx.c), |c| {
        if c.has(crate::client::cflags::SLAVE) && !c.has(crate::client::cflags::MONITOR) {
            replicas += 1;
        } else {
            clients += 1;
        }
    });
    let report = doctor_report(&mh, clients, replicas, 0);
    ctx.out().verbatim("txt", report.as_bytes());
}

/// The MEMORY DOCTOR text for a memory breakdown, `clients` normal clients, `replicas` replica
/// links and `cached_scripts` cached Lua scripts.
pub fn doctor_report(mh: &MemOverhead, clients: usize, replicas: usize, cached_scripts: usize) -> String {
    const MB: i64 = 1024 * 1024;
    if mh.total_allocated < 5 * MB as usize {
        return "Hi Sam, this instance holds almost no data (less than 5 MB in use), so there is \
                nothing meaningful for me to examine yet. Put some real data in it and ask me \
                again; I will be here.\n"
            .to_string();
    }
    let mut issues: Vec<String> = Vec::new();
    if mh.peak_allocated as f32 / mh.total_allocated as f32 > 1.5 {
        issues.push(
            "Memory peak: at some point this instance used over 1.5 times the memory it uses \
             now. Allocators rarely give such memory back, which shows up as a high \
             fragmentation ratio and an RSS above what the data needs. That memory is reused as \
             the dataset grows again. If the peak was a one-off, MEMORY PURGE may return part of \
             it to the system; otherwise only a restart will."
                .to_string(),
        );
    }
    if mh.total_frag > 1.4 && mh.total_frag_bytes > 10 * MB {
        issues.push(format!(
            "High RSS compared to the data: the process's resident memory is more than 1.4 times \
             what it allocated (and over 10 MB more). A past memory peak (see above) is the \
             usual cause; otherwise the workload fragments the allocator's memory. The allocator \
             in use is {}.",
            info::allocator_name()
        ));
    }
    if mh.allocator_frag > 1.1 && mh.allocator_frag_bytes > 10 * MB {
        issues.push(
            "Allocator fragmentation: the allocator's active pages exceed the bytes handed out by \
             more than 10% (and over 10 MB). This typically follows a memory peak or a workload \
             that frees many scattered small objects."
                .to_string(),
        );
    }
    if mh.allocator_rss > 1.1 && mh.allocator_rss_bytes > 10 * MB {
        issues.push(
            "Allocator RSS overhead: the allocator keeps more than 10% (and over 10 MB) of \
             resident memory beyond its active pages, usually left over from a memory peak. \
             MEMORY PURGE asks it to give those pages back."
                .to_string(),
        );
    }
    if mh.rss_extra > 1.1 && mh.rss_extra_bytes > 10 * MB {
        issues.push(
            "Non-allocator RSS overhead: the process holds more than 10% (and over 10 MB) of \
             resident memory outside the allocator, for instance in thread stacks or memory \
             mapped by other libraries."
                .to_string(),
        );
    }
    if mh.clients_normal / clients.max(1) > 200 * 1024 {
        issues.push(
            "Large client buffers: clients use more than 200 KB each on average. Slow readers of \
             big replies or pub/sub messages, or very long pipelines, make buffers grow; CLIENT \
             LIST shows which connections hold them."
                .to_string(),
        );
    }
    if replicas > 0 && mh.clients_slaves > 10 * MB as usize {
        issues.push(
            "Large replica buffers: data is piling up in the output buffers of replicas (over 10 \
             MB), which means some replica reads the replication stream too slowly. INFO \
             replication and CLIENT LIST show which one is behind."
                .to_string(),
        );
    }
    if cached_scripts > 1000 {
        issues.push(
            "Many cached scripts: more than 1000 scripts are cached. Scripts built with their \
             values inside instead of taking them as KEYS and ARGV each get cached separately; \
             SCRIPT FLUSH empties the cache."
                .to_string(),
        );
    }
    if issues.is_empty() {
        return "Hi Sam, I checked this instance's memory and found no problems. Keep in mind \
                that I can only judge what I am able to measure.\n"
            .to_string();
    }
    let mut s =
        String::from("Sam, I looked at how this instance uses memory and found a few things worth your attention:\n\n");
    for i in issues {
        s.push_str(" * ");
        s.push_str(&i);
        s.push_str("\n\n");
    }
    s.push_str("That is all I found, Sam. I hope it helps you keep this instance healthy.\n");
    s
}

/// Appends jemalloc's text output to the `Vec<u8>` behind `opaque`.
unsafe extern "C" fn append_stats(opaque: *mut std::ffi::c_void, text: *const std::ffi::c_char) {
    if opaque.is_null() || text.is_null() {
        return;
    }
    // SAFETY: `opaque` is the `&mut Vec<u8>` passed to malloc_stats_print below, alive for the
    // whole call; `text` is a NUL-terminated string jemalloc owns for the duration of the call.
    unsafe {
        let out = &mut *(opaque as *mut Vec<u8>);
        out.extend_from_slice(std::ffi::CStr::from_ptr(text).to_bytes());
    }
}

/// jemalloc's malloc_stats_print report as a verbatim string.
pub fn malloc_stats_text() -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    // SAFETY: the callback only appends to `out`, which outlives the call; a null options
    // string selects the default report.
    unsafe {
        tikv_jemalloc_sys::malloc_stats_print(
            Some(append_stats),
            &mut out as *mut Vec<u8> as *mut std::ffi::c_void,
            std::ptr::null(),
        );
    }
    out
}

fn memory_malloc_stats(ctx: &mut Ctx) {
    let text = malloc_stats_text();
    ctx.out().verbatim("txt", &text);
}

fn memory_purge(ctx: &mut Ctx) {
    crate::alloc::purge();
    ctx.ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overhead(total: usize, peak: usize) -> MemOverhead {
        MemOverhead {
            total_allocated: total,
            peak_allocated: peak,
            total_frag: 1.0,
            allocator_frag: 1.0,
            allocator_rss: 1.0,
            rss_extra: 1.0,
            ..MemOverhead::default()
        }
    }

    #[test]
    fn doctor_distinguishes_empty_healthy_and_peak() {
        let empty = doctor_report(&overhead(1 << 20, 1 << 20), 1, 0, 0);
        assert!(empty.starts_with("Hi Sam,") && empty.contains("5 MB"));
        let fine = doctor_report(&overhead(64 << 20, 64 << 20), 1, 0, 0);
        assert!(fine.starts_with("Hi Sam,") && fine.contains("no problems"));
        let peak = doctor_report(&overhead(64 << 20, 200 << 20), 1, 0, 0);
        assert!(peak.contains(" * Memory peak") && !peak.contains("Large client"));
        let mut big = overhead(64 << 20, 64 << 20);
        big.clients_normal = 10 << 20;
        let r = doctor_report(&big, 2, 0, 0);
        assert!(r.contains(" * Large client buffers") && r.ends_with("healthy.\n"));
    }

    #[test]
    fn malloc_stats_is_jemallocs_report() {
        let t = String::from_utf8(malloc_stats_text()).unwrap();
        assert!(t.contains("jemalloc statistics"), "{}", &t[..t.len().min(200)]);
    }

    #[test]
    fn usage_counts_node_heap_and_bucket_share() {
        let mut d: Dict<Entry> = Dict::new();
        d.insert("k".into(), Entry::new(Value::from_bytes(b"v"), 0));
        let (k, e) = d.get_key_value(b"k").unwrap();
        let small = key_usage(&d, k.heap_size(), e, DEFAULT_SAMPLES);
        assert_eq!(small, Dict::<Entry>::node_size() + d.buckets() * 8);
        let long = vec![b'x'; 1000];
        d.insert("l".into(), Entry::new(Value::from_bytes(&long), 0));
        let (k, e) = d.get_key_value(b"l").unwrap();
        let big = key_usage(&d, k.heap_size(), e, DEFAULT_SAMPLES);
        assert!(big >= Dict::<Entry>::node_size() + 1000, "{big}");
        assert!(big <= Dict::<Entry>::node_size() + 1024 + d.buckets() * 8, "{big}");
    }
}
