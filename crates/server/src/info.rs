//! The INFO text and the memory accounting behind INFO, MEMORY STATS and MEMORY DOCTOR: which
//! sections a request selects, every section and field of Redis 7.0 in Redis's order and number
//! formats, and the process facts they need (RSS, system memory, CPU times, uname). Values come
//! from the server's counters, the allocator and the operating system; a field whose machinery
//! does not exist yet (Lua, AOF, replicas, pub/sub...) reports the idle value of that machinery,
//! never an invented number. This module only reads server state (the memory peak is the one
//! thing it updates, as Redis does); it never parses commands or writes replies.

use crate::client::{cflags, Client};
use crate::server::{now_us, Server};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use vireo_keyspace::sbytes::alloc_size_class;

/// The sections plain `INFO` (and `INFO default`) prints, in Redis's default-set order.
pub const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// What an INFO request asked for: the named sections (lowercase, unique), `all` and
/// `everything`. Unknown names are kept: they select nothing (they would name module sections).
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub names: Vec<String>,
    pub all: bool,
    pub everything: bool,
}

impl Selection {
    /// The selection of `INFO arg...` (arguments after the command name). No argument means the
    /// default sections; `default` adds them, `all` selects every section but module ones,
    /// `everything` selects all of them. Names compare case-insensitively and, as C strings,
    /// end at the first NUL byte.
    pub fn parse(args: &[impl AsRef<[u8]>]) -> Selection {
        let mut sel = Selection::default();
        if args.is_empty() {
            sel.add_defaults();
            return sel;
        }
        for a in args {
            let name = String::from_utf8_lossy(&crate::errors::cstr(a.as_ref()).to_ascii_lowercase()).into_owned();
            match name.as_str() {
                "default" => sel.add_defaults(),
                "all" => sel.all = true,
                "everything" => {
                    sel.all = true;
                    sel.everything = true;
                }
                _ => sel.add(name),
            }
        }
        sel
    }

    fn add_defaults(&mut self) {
        for s in DEFAULT_SECTIONS {
            self.add(s.to_string());
        }
    }

    fn add(&mut self, name: String) {
        if !self.names.contains(&name) {
            self.names.push(name);
        }
    }

    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Whether the section `name` is printed.
    pub fn wants(&self, name: &str) -> bool {
        self.all || self.has(name)
    }
}

/// Redis's bytesToHuman: `0B`..`1023B`, then two decimals with K, M, G, T, P (powers of 1024).
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [&str; 5] = ["K", "M", "G", "T", "P"];
    if n < 1024 {
        return format!("{}B", n);
    }
    let mut div = 1024f64;
    for u in UNITS {
        if (n as f64) < div * 1024.0 {
            return format!("{}{}", fixed(n as f64 / div, 2), u);
        }
        div *= 1024.0;
    }
    format!("{}B", n)
}

/// `%.<prec>f` as C's printf writes it, including `inf`, `-inf` and `nan`/`-nan`.
pub fn fixed(x: f64, prec: usize) -> String {
    if x.is_nan() {
        if x.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        }
    } else if x.is_infinite() {
        if x < 0.0 {
            "-inf".into()
        } else {
            "inf".into()
        }
    } else {
        format!("{:.*}", prec, x)
    }
}

/// Replaces the characters INFO cannot carry in a field name (`#`, `:`, CR, LF) with `_`.
pub fn safe_info_name(s: &str) -> String {
    s.chars().map(|ch| if matches!(ch, '#' | ':' | '\r' | '\n') { '_' } else { ch }).collect()
}

// ---------------------------------------------------------------------------------------------
// Process facts

/// Resident set size of the process in bytes (/proc/self/statm), 0 when unavailable.
pub fn process_rss() -> usize {
    let Ok(s) = std::fs::read_to_string("/proc/self/statm") else {
        return 0;
    };
    let pages: usize = s.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    pages * page_size()
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as usize
    } else {
        4096
    }
}

/// Physical memory of the machine in bytes (as Redis: pages × page size), 0 when unknown.
pub fn total_system_memory() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) };
    if pages > 0 {
        pages as u64 * page_size() as u64
    } else {
        0
    }
}

/// "sysname release machine" from uname(2), computed once.
pub fn os_string() -> &'static str {
    static OS: OnceLock<String> = OnceLock::new();
    OS.get_or_init(|| {
        // SAFETY: utsname is plain bytes; uname fills it or fails without touching it.
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        // SAFETY: `u` is a valid, writable utsname.
        if unsafe { libc::uname(&mut u) } != 0 {
            return String::new();
        }
        let field = |f: &[libc::c_char]| {
            let bytes: Vec<u8> = f.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        format!("{} {} {}", field(&u.sysname), field(&u.release), field(&u.machine))
    })
}

/// The version of the jemalloc we are linked with, as "jemalloc-5.3.1".
pub fn allocator_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| match tikv_jemalloc_ctl::version::read() {
        Ok(v) => format!("jemalloc-{}", v.split('-').next().unwrap_or(v)),
        Err(_) => "jemalloc".to_string(),
    })
}

/// A stable build id: a 64-bit FNV-1a hash of vireo's version, in hex (Redis hashes its
/// build facts the same way into a number printed in hex).
pub fn build_id() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("vireo-{}-redis-{}", crate::VIREO_VERSION, crate::REDIS_VERSION).bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:x}", h)
}

/// CPU times of the process, its reaped children and the calling thread, as `%ld.%06ld`.
pub struct CpuTimes {
    pub sys: String,
    pub user: String,
    pub sys_children: String,
    pub user_children: String,
    pub sys_main_thread: String,
    pub user_main_thread: String,
}

fn rusage(who: libc::c_int) -> (String, String) {
    // SAFETY: rusage is plain data; getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is valid and writable; `who` is one of the RUSAGE_* constants.
    if unsafe { libc::getrusage(who, &mut ru) } != 0 {
        return ("0.000000".into(), "0.000000".into());
    }
    let tv = |t: libc::timeval| format!("{}.{:06}", t.tv_sec, t.tv_usec);
    (tv(ru.ru_stime), tv(ru.ru_utime))
}

/// Reads the CPU times; the thread times are those of the calling thread, which for INFO is the
/// event-loop thread (Redis's "main thread").
pub fn cpu_times() -> CpuTimes {
    let (sys, user) = rusage(libc::RUSAGE_SELF);
    let (sys_children, user_children) = rusage(libc::RUSAGE_CHILDREN);
    let (sys_main_thread, user_main_thread) = rusage(libc::RUSAGE_THREAD);
    CpuTimes { sys, user, sys_children, user_children, sys_main_thread, user_main_thread }
}

// ---------------------------------------------------------------------------------------------
// Values the Server struct does not hold yet

static STARTUP_MEMORY: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Records used_memory as the startup baseline (used_memory_startup). The first call wins; the
/// server should call it once it has finished starting, before serving clients. If it never
/// does, the first INFO / MEMORY STATS records it.
pub fn record_startup_memory() {
    let _ =
        STARTUP_MEMORY.compare_exchange(usize::MAX, crate::alloc::used_memory(), Ordering::Relaxed, Ordering::Relaxed);
}

/// The startup baseline (see [`record_startup_memory`]).
pub fn startup_memory() -> usize {
    record_startup_memory();
    STARTUP_MEMORY.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------------
// Memory accounting

/// Allocator and process memory as one snapshot (Redis's cron_malloc_stats).
#[derive(Debug, Default, Clone, Copy)]
pub struct MallocStats {
    pub used: usize,
    pub rss: usize,
    pub allocated: usize,
    pub active: usize,
    pub resident: usize,
}

impl MallocStats {
    pub fn now() -> MallocStats {
        let je = crate::alloc::jemalloc_stats();
        MallocStats {
            used: crate::alloc::used_memory(),
            rss: process_rss(),
            allocated: je.allocated,
            active: je.active,
            resident: je.resident,
        }
    }
}

/// Structure overhead of one non-empty database.
#[derive(Debug, Default, Clone, Copy)]
pub struct DbOverhead {
    pub id: usize,
    /// Bucket arrays and nodes of the main dict (each node holds the key and value slots).
    pub main: usize,
    /// Bucket arrays and nodes of the expires dict.
    pub expires: usize,
    /// The cluster slot-to-keys index (none outside cluster mode).
    pub slot_to_keys: usize,
}

/// Where the memory goes (Redis's redisMemOverhead). Ratios are single precision like Redis's,
/// so they print the same digits.
#[derive(Debug, Default, Clone)]
pub struct MemOverhead {
    pub total_allocated: usize,
    pub startup_allocated: usize,
    pub peak_allocated: usize,
    pub repl_backlog: usize,
    /// The whole replication buffer (backlog plus what lagging replicas hold).
    pub repl_buffers: usize,
    pub clients_slaves: usize,
    pub clients_normal: usize,
    pub cluster_links: usize,
    pub aof_buffer: usize,
    pub lua_caches: usize,
    pub functions_caches: usize,
    pub dbs: Vec<DbOverhead>,
    pub overhead_total: usize,
    pub total_keys: usize,
    pub bytes_per_key: usize,
    pub dataset: usize,
    pub dataset_perc: f32,
    pub peak_perc: f32,
    pub allocator_frag: f32,
    pub allocator_frag_bytes: i64,
    pub allocator_rss: f32,
    pub allocator_rss_bytes: i64,
    pub rss_extra: f32,
    pub rss_extra_bytes: i64,
    pub total_frag: f32,
    pub total_frag_bytes: i64,
    pub malloc: MallocStats,
}

/// Heap memory one client holds: its struct, query and reply buffers, argument vector and the
/// strings it owns.
pub fn client_memory(c: &Client) -> usize {
    let mut n = alloc_size_class(std::mem::size_of::<Client>());
    n += c.qbuf.capacity();
    n += alloc_size_class(c.reply.rb.buf.capacity());
    n += alloc_size_class(c.argv.capacity() * std::mem::size_of::<bytes::Bytes>());
    n += alloc_size_class(c.reply.errors.capacity() * std::mem::size_of::<String>());
    n += c.reply.errors.iter().map(|e| alloc_size_class(e.capacity())).sum::<usize>();
    n += c.name.as_ref().map_or(0, |b| alloc_size_class(b.len()));
    for s in [&c.addr, &c.laddr, &c.user, &c.last_cmd] {
        n += alloc_size_class(s.capacity());
    }
    n
}

/// Every connected client: those in the slab plus `caller` (taken out of the slab while its
/// command runs) when it is a registered connection.
pub fn for_each_client(srv: &Server, caller: Option<&Client>, mut f: impl FnMut(&Client)) {
    for (_, slot) in srv.clients.iter() {
        if let Some(c) = slot {
            f(c);
        }
    }
    if let Some(c) = caller {
        let registered = srv.client_order.contains_key(&c.id);
        let in_slab = matches!(srv.clients.get(c.token), Some(Some(_)));
        if registered && !in_slab {
            f(c);
        }
    }
}

/// A replica link (MONITOR clients carry the SLAVE flag too but count as normal clients).
fn is_replica(c: &Client) -> bool {
    c.has(cflags::SLAVE) && !c.has(cflags::MONITOR)
}

/// Computes the memory breakdown (Redis's getMemoryOverheadData) from one allocator snapshot.
pub fn memory_overhead(srv: &Server, caller: Option<&Client>, ms: MallocStats) -> MemOverhead {
    let mut mh = MemOverhead {
        total_allocated: ms.used,
        startup_allocated: startup_memory(),
        peak_allocated: srv.peak_memory,
        malloc: ms,
        ..MemOverhead::default()
    };
    mh.total_frag = ratio(ms.rss, ms.used);
    mh.total_frag_bytes = ms.rss as i64 - ms.used as i64;
    mh.allocator_frag = ratio(ms.active, ms.allocated);
    mh.allocator_frag_bytes = ms.active as i64 - ms.allocated as i64;
    mh.allocator_rss = ratio(ms.resident, ms.active);
    mh.allocator_rss_bytes = ms.resident as i64 - ms.active as i64;
    mh.rss_extra = ratio(ms.rss, ms.resident);
    mh.rss_extra_bytes = ms.rss as i64 - ms.resident as i64;

    let mut total = mh.startup_allocated;
    // the replication buffer: up to the backlog size it is the backlog, beyond that it is
    // held for lagging replicas and counts as theirs (as Redis splits its shared buffer)
    if let Some(b) = &srv.prop.backlog {
        let mem = b.mem();
        mh.repl_buffers = mem;
        mh.repl_backlog = mem - b.held_mem();
    }
    let mut normal = 0usize;
    let mut slaves = 0usize;
    for_each_client(srv, caller, |c| {
        if is_replica(c) {
            slaves += client_memory(c);
        } else {
            normal += client_memory(c);
        }
    });
    mh.clients_normal = normal;
    // replica output buffers count as replication memory once a backlog exists; until then
    // a replica connection's buffers are its own
    mh.clients_slaves = slaves + (mh.repl_buffers - mh.repl_backlog);
    total += mh.repl_backlog + mh.clients_slaves + mh.clients_normal + mh.cluster_links + mh.aof_buffer;
    total += mh.lua_caches + mh.functions_caches;

    for db in &srv.ks.dbs {
        let keys = db.len();
        if keys == 0 {
            continue;
        }
        mh.total_keys += keys;
        let d = DbOverhead {
            id: db.id,
            main: db.main_dict().overhead_bytes(),
            expires: db.expires().overhead_bytes(),
            slot_to_keys: 0,
        };
        total += d.main + d.expires + d.slot_to_keys;
        mh.dbs.push(d);
    }
    mh.overhead_total = total;
    mh.dataset = ms.used.saturating_sub(total);
    mh.peak_perc = ms.used as f32 * 100.0 / mh.peak_allocated as f32;
    let net = if ms.used > mh.startup_allocated { ms.used - mh.startup_allocated } else { 1 };
    mh.dataset_perc = mh.dataset as f32 * 100.0 / net as f32;
    mh.bytes_per_key = net.checked_div(mh.total_keys).unwrap_or(0);
    mh
}

fn ratio(a: usize, b: usize) -> f32 {
    a as f32 / b as f32
}

/// `%.2f` of a single-precision ratio, as Redis prints its float fields.
fn f2(x: f32) -> String {
    fixed(x as f64, 2)
}

// ---------------------------------------------------------------------------------------------
// INFO

/// Builds the INFO text for `sel`. `caller` is the client running INFO (it is out of the client
/// table while its command runs). Sections come in Redis's fixed order, whatever the order they
/// were asked in, separated by an empty line; an unknown section name adds nothing.
pub fn gen_info(srv: &mut Server, caller: Option<&Client>, sel: &Selection) -> String {
    let mut sections: Vec<String> = Vec::new();
    if sel.wants("server") {
        sections.push(server_section(srv));
    }
    if sel.wants("clients") {
        sections.push(clients_section(srv, caller));
    }
    if sel.wants("memory") {
        sections.push(memory_section(srv, caller));
    }
    if sel.wants("persistence") {
        sections.push(persistence_section(srv));
    }
    if sel.wants("stats") {
        sections.push(stats_section(srv));
    }
    if sel.wants("replication") {
        sections.push(replication_section(srv, caller));
    }
    if sel.wants("cpu") {
        sections.push(cpu_section());
    }
    if sel.wants("module_list") || sel.has("modules") {
        // no modules can be loaded: the section has its header only
        sections.push("# Modules\r\n".to_string());
    }
    if sel.wants("commandstats") {
        sections.push(commandstats_section(srv));
    }
    if sel.wants("errorstats") {
        sections.push(errorstats_section(srv));
    }
    if sel.wants("latencystats") {
        sections.push(latencystats_section(srv));
    }
    if sel.wants("cluster") {
        sections.push(cluster_section());
    }
    if sel.wants("keyspace") {
        sections.push(keyspace_section(srv));
    }
    // Module-defined sections (asked by name, "modules" or "everything") would follow here.
    sections.join("\r\n")
}

/// Appends `name:value\r\n`.
fn field(s: &mut String, name: &str, value: impl std::fmt::Display) {
    let _ = write!(s, "{}:{}\r\n", name, value);
}

fn server_section(srv: &Server) -> String {
    let mut s = String::from("# Server\r\n");
    field(&mut s, "redis_version", crate::REDIS_VERSION);
    field(&mut s, "redis_git_sha1", "00000000");
    field(&mut s, "redis_git_dirty", 0);
    field(&mut s, "redis_build_id", build_id());
    field(&mut s, "redis_mode", "standalone");
    field(&mut s, "os", os_string());
    field(&mut s, "arch_bits", usize::BITS);
    field(&mut s, "monotonic_clock", "POSIX clock_gettime");
    field(&mut s, "multiplexing_api", "epoll");
    field(&mut s, "atomicvar_api", "c11-builtin");
    // not built by gcc: Redis prints 0.0.0 in that case
    field(&mut s, "gcc_version", "0.0.0");
    field(&mut s, "process_id", std::process::id());
    field(&mut s, "process_supervised", "no");
    field(&mut s, "run_id", &srv.run_id);
    field(&mut s, "tcp_port", srv.config.port);
    field(&mut s, "server_time_usec", now_us());
    let uptime = srv.uptime();
    field(&mut s, "uptime_in_seconds", uptime);
    field(&mut s, "uptime_in_days", uptime / (3600 * 24));
    field(&mut s, "hz", srv.hz);
    field(&mut s, "configured_hz", srv.config.hz);
    field(&mut s, "lru_clock", srv.lru);
    field(&mut s, "executable", &srv.executable);
    let cf = srv.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    field(&mut s, "config_file", cf);
    field(&mut s, "io_threads_active", 0);
    if let Some(w) = &srv.shutdown_wait {
        field(&mut s, "shutdown_in_milliseconds", (w.deadline_ms - srv.mstime()).max(0));
    }
    field(&mut s, "vireo_version", crate::VIREO_VERSION);
    s
}

fn clients_section(srv: &Server, caller: Option<&Client>) -> String {
    let mut replicas = 0usize;
    let mut blocked = 0usize;
    let mut tracking = 0usize;
    for_each_client(srv, caller, |c| {
        replicas += is_replica(c) as usize;
        blocked += c.has(cflags::BLOCKED) as usize;
        tracking += c.has(cflags::TRACKING) as usize;
    });
    let mut s = String::from("# Clients\r\n");
    field(&mut s, "connected_clients", srv.connected_clients().saturating_sub(replicas));
    field(&mut s, "cluster_connections", 0);
    field(&mut s, "maxclients", srv.config.maxclients);
    field(&mut s, "client_recent_max_input_buffer", srv.stats.client_max_input_buffer);
    field(&mut s, "client_recent_max_output_buffer", srv.stats.client_max_output_buffer);
    field(&mut s, "blocked_clients", blocked);
    field(&mut s, "tracking_clients", tracking);
    // blocked clients with a timeout; no blocking command exists yet
    field(&mut s, "clients_in_timeout_table", 0);
    s
}

fn memory_section(srv: &mut Server, caller: Option<&Client>) -> String {
    let ms = MallocStats::now();
    // the cron samples the peak; INFO catches up with a higher current value, like Redis
    if ms.used > srv.peak_memory {
        srv.peak_memory = ms.used;
    }
    let mh = memory_overhead(srv, caller, ms);
    let ms = mh.malloc;
    let sysmem = total_system_memory();
    let maxmemory = srv.config.maxmemory;
    let mut s = String::from("# Memory\r\n");
    field(&mut s, "used_memory", mh.total_allocated);
    field(&mut s, "used_memory_human", bytes_to_human(mh.total_allocated as u64));
    field(&mut s, "used_memory_rss", ms.rss);
    field(&mut s, "used_memory_rss_human", bytes_to_human(ms.rss as u64));
    field(&mut s, "used_memory_peak", mh.peak_allocated);
    field(&mut s, "used_memory_peak_human", bytes_to_human(mh.peak_allocated as u64));
    field(&mut s, "used_memory_peak_perc", format!("{}%", f2(mh.peak_perc)));
    field(&mut s, "used_memory_overhead", mh.overhead_total);
    field(&mut s, "used_memory_startup", mh.startup_allocated);
    field(&mut s, "used_memory_dataset", mh.dataset);
    field(&mut s, "used_memory_dataset_perc", format!("{}%", f2(mh.dataset_perc)));
    field(&mut s, "allocator_allocated", ms.allocated);
    field(&mut s, "allocator_active", ms.active);
    field(&mut s, "allocator_resident", ms.resident);
    field(&mut s, "total_system_memory", sysmem);
    field(&mut s, "total_system_memory_human", bytes_to_human(sysmem));
    // No Lua interpreter and no functions engine exist yet: their virtual machines and caches
    // use no memory (Redis reports its idle Lua VMs here, about 32K each).
    let (lua_vm, functions_vm) = (0u64, 0u64);
    field(&mut s, "used_memory_lua", lua_vm);
    field(&mut s, "used_memory_vm_eval", lua_vm);
    field(&mut s, "used_memory_lua_human", bytes_to_human(lua_vm));
    field(&mut s, "used_memory_scripts_eval", mh.lua_caches);
    field(&mut s, "number_of_cached_scripts", 0);
    field(&mut s, "number_of_functions", 0);
    field(&mut s, "number_of_libraries", 0);
    field(&mut s, "used_memory_vm_functions", functions_vm);
    field(&mut s, "used_memory_vm_total", lua_vm + functions_vm);
    field(&mut s, "used_memory_vm_total_human", bytes_to_human(lua_vm + functions_vm));
    field(&mut s, "used_memory_functions", mh.functions_caches);
    field(&mut s, "used_memory_scripts", mh.lua_caches + mh.functions_caches);
    field(&mut s, "used_memory_scripts_human", bytes_to_human((mh.lua_caches + mh.functions_caches) as u64));
    field(&mut s, "maxmemory", maxmemory);
    field(&mut s, "maxmemory_human", bytes_to_human(maxmemory));
    field(&mut s, "maxmemory_policy", srv.config.maxmemory_policy.name());
    field(&mut s, "allocator_frag_ratio", f2(mh.allocator_frag));
    field(&mut s, "allocator_frag_bytes", mh.allocator_frag_bytes.max(0));
    field(&mut s, "allocator_rss_ratio", f2(mh.allocator_rss));
    field(&mut s, "allocator_rss_bytes", mh.allocator_rss_bytes);
    field(&mut s, "rss_overhead_ratio", f2(mh.rss_extra));
    field(&mut s, "rss_overhead_bytes", mh.rss_extra_bytes);
    field(&mut s, "mem_fragmentation_ratio", f2(mh.total_frag));
    field(&mut s, "mem_fragmentation_bytes", mh.total_frag_bytes);
    field(&mut s, "mem_not_counted_for_evict", crate::evict::not_counted_memory(srv));
    field(&mut s, "mem_replication_backlog", mh.repl_backlog);
    field(&mut s, "mem_total_replication_buffers", mh.repl_buffers);
    field(&mut s, "mem_clients_slaves", mh.clients_slaves);
    field(&mut s, "mem_clients_normal", mh.clients_normal);
    field(&mut s, "mem_cluster_links", mh.cluster_links);
    field(&mut s, "mem_aof_buffer", mh.aof_buffer);
    field(&mut s, "mem_allocator", allocator_name());
    field(&mut s, "active_defrag_running", 0);
    field(&mut s, "lazyfree_pending_objects", srv.lazyfree_pending.load(Ordering::Relaxed));
    field(&mut s, "lazyfreed_objects", srv.lazyfreed_objects.load(Ordering::Relaxed));
    s
}

fn persistence_section(srv: &Server) -> String {
    // The copy-on-write figures of a
    // running BGSAVE child are its Private_Dirty bytes, sampled by cron once a second; the child
    // does not report its progress, so keys_processed stays 0 while keys_total is known.
    let rdb = &srv.rdb;
    let now = srv.mstime();
    let mut s = String::from("# Persistence\r\n");
    field(&mut s, "loading", srv.loading as u8);
    field(&mut s, "async_loading", crate::repl::replica::async_loading(srv) as u8);
    field(&mut s, "current_cow_peak", if rdb.child.is_some() { rdb.cow_peak } else { 0 });
    field(&mut s, "current_cow_size", if rdb.child.is_some() { rdb.cow_current } else { 0 });
    field(
        &mut s,
        "current_cow_size_age",
        if rdb.child.is_some() && rdb.cow_current > 0 { (now - rdb.cow_updated_ms).max(0) / 1000 } else { 0 },
    );
    let (processed, total) = match &rdb.child {
        Some(c) => (crate::persist::save_progress().load(std::sync::atomic::Ordering::Relaxed), c.keys_total),
        None => (0, 0),
    };
    let perc = if total > 0 { processed as f64 * 100.0 / total as f64 } else { 0.0 };
    field(&mut s, "current_fork_perc", format!("{perc:.2}"));
    field(&mut s, "current_save_keys_processed", processed);
    field(&mut s, "current_save_keys_total", rdb.child.as_ref().map_or(0, |c| c.keys_total));
    field(&mut s, "rdb_changes_since_last_save", srv.dirty);
    field(&mut s, "rdb_bgsave_in_progress", rdb.child.is_some() as u8);
    field(&mut s, "rdb_last_save_time", srv.lastsave);
    field(&mut s, "rdb_last_bgsave_status", if rdb.last_bgsave_ok { "ok" } else { "err" });
    field(&mut s, "rdb_last_bgsave_time_sec", rdb.last_bgsave_time_sec);
    field(&mut s, "rdb_current_bgsave_time_sec", rdb.child.as_ref().map_or(-1, |c| (now - c.start_ms) / 1000));
    field(&mut s, "rdb_saves", rdb.saves);
    field(&mut s, "rdb_last_cow_size", rdb.last_cow_size);
    field(&mut s, "rdb_last_load_keys_expired", rdb.last_load_keys_expired);
    field(&mut s, "rdb_last_load_keys_loaded", rdb.last_load_keys_loaded);
    let aof = &srv.aof;
    field(&mut s, "aof_enabled", aof.on as u8);
    field(&mut s, "aof_rewrite_in_progress", aof.child.is_some() as u8);
    field(&mut s, "aof_rewrite_scheduled", aof.scheduled as u8);
    field(&mut s, "aof_last_rewrite_time_sec", aof.last_rewrite_time_sec);
    field(&mut s, "aof_current_rewrite_time_sec", aof.child.as_ref().map_or(-1, |c| (now - c.start_ms) / 1000));
    field(&mut s, "aof_last_bgrewrite_status", if aof.last_bgrewrite_ok { "ok" } else { "err" });
    field(&mut s, "aof_rewrites", aof.rewrites);
    field(&mut s, "aof_rewrites_consecutive_failures", aof.consecutive_failures);
    field(&mut s, "aof_last_write_status", if aof.last_write_ok { "ok" } else { "err" });
    field(&mut s, "aof_last_cow_size", aof.last_cow_size);
    field(&mut s, "module_fork_in_progress", 0);
    field(&mut s, "module_fork_last_cow_size", 0);
    if aof.on {
        field(&mut s, "aof_current_size", aof.current_size);
        field(&mut s, "aof_base_size", aof.base_size);
        field(&mut s, "aof_pending_rewrite", aof.scheduled as u8);
        field(&mut s, "aof_buffer_length", srv.prop.aof_buf.len());
        field(&mut s, "aof_pending_bio_fsync", aof.fsync_in_flight.load(std::sync::atomic::Ordering::Relaxed) as u8);
        field(&mut s, "aof_delayed_fsync", aof.delayed_fsync);
    }
    if srv.loading {
        // Redis's progress estimate: the share of the file(s) read so far (or of the RDB's
        // used-mem when the size is unknown, capped below 100%), and an ETA from the elapsed
        // time and the bytes left (one second before the first second has passed).
        let l = &rdb.load;
        let (mut perc, mut remaining) = (0.0f64, 1i64);
        if l.total_bytes > 0 {
            perc = l.loaded_bytes as f64 / l.total_bytes as f64 * 100.0;
            remaining = l.total_bytes as i64 - l.loaded_bytes as i64;
        } else if l.rdb_used_mem > 0 {
            perc = (l.loaded_bytes as f64 / l.rdb_used_mem as f64 * 100.0).min(99.99);
            remaining = (l.rdb_used_mem as i64 - l.loaded_bytes as i64).max(1);
        }
        let elapsed = now / 1000 - l.start_time;
        let eta = if elapsed == 0 { 1 } else { elapsed * remaining / (l.loaded_bytes as i64 + 1) };
        field(&mut s, "loading_start_time", l.start_time);
        field(&mut s, "loading_total_bytes", l.total_bytes);
        field(&mut s, "loading_rdb_used_mem", l.rdb_used_mem);
        field(&mut s, "loading_loaded_bytes", l.loaded_bytes);
        field(&mut s, "loading_loaded_perc", fixed(perc, 2));
        field(&mut s, "loading_eta_seconds", eta);
    }
    s
}

fn stats_section(srv: &Server) -> String {
    let st = &srv.stats;
    let (mut hits, mut misses, mut expired) = (0u64, 0u64, 0u64);
    for db in &srv.ks.dbs {
        hits += db.stats.hits;
        misses += db.stats.misses;
        expired += db.stats.expired;
    }
    let kbps = |v: u64| fixed((v as f32 / 1024.0) as f64, 2);
    let mut s = String::from("# Stats\r\n");
    field(&mut s, "total_connections_received", st.numconnections);
    field(&mut s, "total_commands_processed", st.numcommands);
    field(&mut s, "instantaneous_ops_per_sec", srv.inst.ops.value());
    field(&mut s, "total_net_input_bytes", st.net_input_bytes + st.net_repl_input_bytes);
    field(&mut s, "total_net_output_bytes", st.net_output_bytes + st.net_repl_output_bytes);
    field(&mut s, "total_net_repl_input_bytes", st.net_repl_input_bytes);
    field(&mut s, "total_net_repl_output_bytes", st.net_repl_output_bytes);
    field(&mut s, "instantaneous_input_kbps", kbps(srv.inst.net_input.value()));
    field(&mut s, "instantaneous_output_kbps", kbps(srv.inst.net_output.value()));
    field(&mut s, "instantaneous_input_repl_kbps", kbps(srv.inst.net_repl_input.value()));
    field(&mut s, "instantaneous_output_repl_kbps", kbps(srv.inst.net_repl_output.value()));
    field(&mut s, "rejected_connections", st.rejected_conn);
    field(&mut s, "sync_full", st.sync_full);
    field(&mut s, "sync_partial_ok", st.sync_partial_ok);
    field(&mut s, "sync_partial_err", st.sync_partial_err);
    field(&mut s, "expired_keys", expired);
    field(&mut s, "expired_stale_perc", fixed(srv.expire_cycle.stale_perc * 100.0, 2));
    field(&mut s, "expired_time_cap_reached_count", srv.expire_cycle.time_cap_reached);
    field(&mut s, "expire_cycle_cpu_milliseconds", srv.expire_cycle.time_used_us / 1000);
    field(&mut s, "evicted_keys", st.evictedkeys);
    field(&mut s, "evicted_clients", st.evictedclients);
    // milliseconds spent over maxmemory, the current episode included
    let current_us = srv.evict.current_exceeded_us();
    field(&mut s, "total_eviction_exceeded_time", (srv.evict.total_exceeded_us + current_us) / 1000);
    field(&mut s, "current_eviction_exceeded_time", current_us / 1000);
    field(&mut s, "keyspace_hits", hits);
    field(&mut s, "keyspace_misses", misses);
    // distinct channels and patterns with at least one subscriber
    field(&mut s, "pubsub_channels", srv.pubsub.channel_count());
    field(&mut s, "pubsub_patterns", srv.pubsub.pattern_count());
    field(&mut s, "pubsubshard_channels", srv.pubsub.shard_channel_count());
    field(&mut s, "latest_fork_usec", st.latest_fork_usec);
    field(&mut s, "total_forks", st.total_forks);
    field(&mut s, "migrate_cached_sockets", 0);
    let tracked: usize = srv.ks.dbs.iter().map(|d| d.replica_local_expires.len()).sum();
    field(&mut s, "slave_expires_tracked_keys", tracked);
    // no active defragmentation
    field(&mut s, "active_defrag_hits", 0);
    field(&mut s, "active_defrag_misses", 0);
    field(&mut s, "active_defrag_key_hits", 0);
    field(&mut s, "active_defrag_key_misses", 0);
    field(&mut s, "total_active_defrag_time", 0);
    field(&mut s, "current_active_defrag_time", 0);
    // no client-side caching yet
    field(&mut s, "tracking_total_keys", 0);
    field(&mut s, "tracking_total_items", 0);
    field(&mut s, "tracking_total_prefixes", 0);
    field(&mut s, "unexpected_error_replies", st.unexpected_error_replies);
    field(&mut s, "total_error_replies", st.total_error_replies);
    field(&mut s, "dump_payload_sanitizations", st.dump_payload_sanitizations);
    field(&mut s, "total_reads_processed", st.total_reads_processed);
    field(&mut s, "total_writes_processed", st.total_writes_processed);
    field(&mut s, "io_threaded_reads_processed", 0);
    field(&mut s, "io_threaded_writes_processed", 0);
    field(&mut s, "reply_buffer_shrinks", st.reply_buffer_shrinks);
    field(&mut s, "reply_buffer_expands", st.reply_buffer_expands);
    s
}

fn replication_section(srv: &mut Server, _caller: Option<&Client>) -> String {
    let mut s = String::from("# Replication\r\n");
    if let Some((host, port)) = srv.masterhost.clone() {
        field(&mut s, "role", "slave");
        field(&mut s, "master_host", host);
        field(&mut s, "master_port", port);
        for (k, v) in crate::repl::replica::info_fields(srv) {
            field(&mut s, k, v);
        }
        field(&mut s, "slave_priority", srv.config.replica_priority);
        field(&mut s, "slave_read_only", srv.config.replica_read_only as u8);
        field(&mut s, "replica_announced", srv.config.replica_announced as u8);
    } else {
        field(&mut s, "role", "master");
    }
    let rows = crate::repl::master::replica_rows(srv);
    field(&mut s, "connected_slaves", rows.len());
    if srv.config.min_replicas_to_write != 0 && srv.config.min_replicas_max_lag != 0 {
        field(&mut s, "min_slaves_good_slaves", crate::repl::master::good_replicas(srv));
    }
    for (i, row) in rows.iter().enumerate() {
        field(&mut s, &format!("slave{i}"), crate::repl::master::info_line(row));
    }
    field(&mut s, "master_failover_state", srv.repl.failover.state.info_name());
    field(&mut s, "master_replid", &srv.repl.replid);
    field(&mut s, "master_replid2", &srv.repl.replid2);
    field(&mut s, "master_repl_offset", srv.prop.repl_offset);
    field(&mut s, "second_repl_offset", srv.repl.second_replid_offset);
    match &srv.prop.backlog {
        Some(b) => {
            field(&mut s, "repl_backlog_active", 1);
            field(&mut s, "repl_backlog_size", b.size());
            field(&mut s, "repl_backlog_first_byte_offset", b.first_byte());
            field(&mut s, "repl_backlog_histlen", b.histlen());
            // vireo's addition, after Redis's last field: the seconds of recent writes the
            // backlog covers (how long a replica may be away and still resync partially)
            let ms = crate::repl::backlog_covered_ms(srv);
            field(&mut s, "repl_backlog_covered_seconds", format!("{}.{:03}", ms / 1000, ms % 1000));
        }
        None => {
            field(&mut s, "repl_backlog_active", 0);
            field(&mut s, "repl_backlog_size", srv.config.repl_backlog_size);
            field(&mut s, "repl_backlog_first_byte_offset", 0);
            field(&mut s, "repl_backlog_histlen", 0);
        }
    }
    s
}

fn cpu_section() -> String {
    let t = cpu_times();
    let mut s = String::from("# CPU\r\n");
    field(&mut s, "used_cpu_sys", t.sys);
    field(&mut s, "used_cpu_user", t.user);
    field(&mut s, "used_cpu_sys_children", t.sys_children);
    field(&mut s, "used_cpu_user_children", t.user_children);
    field(&mut s, "used_cpu_sys_main_thread", t.sys_main_thread);
    field(&mut s, "used_cpu_user_main_thread", t.user_main_thread);
    s
}

fn commandstats_section(srv: &Server) -> String {
    let mut s = String::from("# Commandstats\r\n");
    for (id, e) in srv.registry.entries.iter().enumerate() {
        let st = &srv.cmd_stats[id];
        if st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0 {
            continue;
        }
        let per_call = if st.calls == 0 { 0.0 } else { st.usec() as f32 / st.calls as f32 };
        let _ = write!(
            s,
            "cmdstat_{}:calls={},usec={},usec_per_call={},rejected_calls={},failed_calls={}\r\n",
            safe_info_name(&e.full_name),
            st.calls,
            st.usec(),
            fixed(per_call as f64, 2),
            st.rejected_calls,
            st.failed_calls
        );
    }
    s
}

fn errorstats_section(srv: &Server) -> String {
    let mut s = String::from("# Errorstats\r\n");
    for (prefix, count) in &srv.stats.errors {
        let _ = write!(s, "errorstat_{}:count={}\r\n", safe_info_name(prefix), count);
    }
    s
}

/// A percentile as Redis names it: `%f` with trailing zeros (and a trailing dot) removed.
pub fn percentile_label(p: f64) -> String {
    let t = format!("{:.6}", p);
    let t = t.trim_end_matches('0');
    t.trim_end_matches('.').to_string()
}

fn latencystats_section(srv: &Server) -> String {
    let mut s = String::from("# Latencystats\r\n");
    if !srv.config.latency_tracking {
        return s;
    }
    let percentiles = &srv.config.latency_tracking_info_percentiles;
    for (id, e) in srv.registry.entries.iter().enumerate() {
        let Some(h) = &srv.cmd_stats[id].latency else {
            continue;
        };
        let parts: Vec<String> = percentiles
            .iter()
            .map(|&p| format!("p{}={}", percentile_label(p), fixed(h.percentile(p) as f64 / 1000.0, 3)))
            .collect();
        let _ = write!(s, "latency_percentiles_usec_{}:{}\r\n", safe_info_name(&e.full_name), parts.join(","));
    }
    s
}

fn cluster_section() -> String {
    let mut s = String::from("# Cluster\r\n");
    field(&mut s, "cluster_enabled", 0);
    s
}

fn keyspace_section(srv: &Server) -> String {
    let mut s = String::from("# Keyspace\r\n");
    for (j, db) in srv.ks.dbs.iter().enumerate() {
        let (keys, expires) = (db.len(), db.expires_len());
        if keys > 0 || expires > 0 {
            let _ = write!(s, "db{}:keys={},expires={},avg_ttl={}\r\n", j, keys, expires, db.avg_ttl);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_human_matches_redis_units() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(1024), "1.00K");
        assert_eq!(bytes_to_human(916504), "895.02K");
        assert_eq!(bytes_to_human(6729728), "6.42M");
        assert_eq!(bytes_to_human(25276514304), "23.54G");
        assert_eq!(bytes_to_human(1 << 40), "1.00T");
        assert_eq!(bytes_to_human(1 << 50), "1.00P");
        assert_eq!(bytes_to_human(1 << 60), format!("{}B", 1u64 << 60));
    }

    #[test]
    fn fixed_prints_like_printf() {
        assert_eq!(fixed(0.125, 2), "0.12");
        assert_eq!(fixed(1.005, 3), "1.005");
        assert_eq!(fixed(f64::INFINITY, 2), "inf");
        assert_eq!(fixed(f64::NAN, 2), "nan");
    }

    #[test]
    fn percentile_labels_trim_zeros() {
        assert_eq!(percentile_label(50.0), "50");
        assert_eq!(percentile_label(99.9), "99.9");
        assert_eq!(percentile_label(99.99), "99.99");
        assert_eq!(percentile_label(0.5), "0.5");
    }

    #[test]
    fn selection_rules() {
        let s = Selection::parse(&[] as &[&[u8]]);
        assert_eq!(s.names, DEFAULT_SECTIONS);
        let s = Selection::parse(&[b"SERVER".as_ref(), b"server", b"Default"]);
        assert_eq!(s.names[0], "server");
        assert_eq!(s.names.len(), DEFAULT_SECTIONS.len());
        let s = Selection::parse(&[b"everything".as_ref()]);
        assert!(s.all && s.everything && s.names.is_empty());
        let s = Selection::parse(&[b"cpu\0junk".as_ref()]);
        assert!(s.wants("cpu") && !s.wants("server"));
        // case folding is ASCII only, as strcasecmp: the Kelvin sign is not a 'k'
        let s = Selection::parse(&["\u{212A}eyspace".as_bytes()]);
        assert!(!s.wants("keyspace"));
    }

    #[test]
    fn safe_names() {
        assert_eq!(safe_info_name("a#b:c\r\nd"), "a_b_c__d");
    }

    #[test]
    fn os_and_build_id_are_stable() {
        assert!(os_string().starts_with("Linux "));
        assert_eq!(build_id(), build_id());
        assert!(build_id().chars().all(|c| c.is_ascii_hexdigit()));
        assert!(allocator_name().starts_with("jemalloc-5."));
    }
}
