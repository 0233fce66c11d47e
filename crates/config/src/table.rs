//! The one table of configuration parameters. Each parameter is declared once, in the
//! `params!` invocation below, with: its `Config` field and Rust type, its default, its Redis
//! name and alias, its kind (bool, integer with bounds and unit, enum, string, special), its
//! flags (IMMUTABLE, PROTECTED, SENSITIVE, HIDDEN, DEBUG, DENY_LOADING, MULTI_ARG, VOLATILE),
//! an optional validity check and the apply hook the server runs after CONFIG SET. The macro
//! generates the `Config` struct, `ParamId`, `ParamValue`, `PARAMS` and the per-parameter
//! dispatch used by loading, CONFIG GET/SET/REWRITE. The order is Redis 7.0.15's
//! `static_configs` order. This module does not parse or format values (see `value`).

use crate::types::*;
use crate::value::{ParseCx, RewriteCx, Value};
use crate::Directives;

/// Parameter flags (bits of [`Param::flags`]), named as in Redis.
pub mod flags {
    /// Can only be set at startup (config file or command line).
    pub const IMMUTABLE: u32 = 1 << 0;
    /// The value is secret: CONFIG SET arguments must be redacted from logs, SLOWLOG, MONITOR.
    pub const SENSITIVE: u32 = 1 << 1;
    /// Listed by DEBUG CONFIG-style debug dumps.
    pub const DEBUG: u32 = 1 << 2;
    /// Takes several arguments (`save 3600 1 300 100`, `bind a b`).
    pub const MULTI_ARG: u32 = 1 << 3;
    /// Not matched by CONFIG GET patterns, only by its exact name.
    pub const HIDDEN: u32 = 1 << 4;
    /// CONFIG SET needs `enable-protected-configs` to allow it.
    pub const PROTECTED: u32 = 1 << 5;
    /// CONFIG SET is refused while loading a dataset.
    pub const DENY_LOADING: u32 = 1 << 6;
    /// Setting the same value again still counts as a change (files re-read on apply).
    pub const VOLATILE: u32 = 1 << 9;
}

/// How an integer parameter is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IntUnit {
    /// A plain integer.
    Plain,
    /// Bytes, with optional unit (`1gb`); CONFIG GET shows plain bytes.
    Memory,
    /// Bytes or a percentage (`10%`, stored negative as in Redis).
    MemoryOrPercent,
    /// Octal (`unixsocketperm 700`).
    Octal,
}

/// The parameters with their own syntax.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Special {
    /// `dir`: a directory, kept absolute.
    Dir,
    /// `save <seconds> <changes> ...` or `save ""`.
    Save,
    /// `client-output-buffer-limit <class> <hard> <soft> <seconds> ...`.
    ClientOutputBufferLimit,
    /// `oom-score-adj-values <master> <replica> <bgchild>`.
    OomScoreAdjValues,
    /// `notify-keyspace-events <classes>`.
    NotifyKeyspaceEvents,
    /// `bind <addr> ...` (up to 16; `""` for none).
    Bind,
    /// `replicaof <host> <port>` / `replicaof no one`.
    ReplicaOf,
    /// `latency-tracking-info-percentiles <p> ...` or `""`.
    LatencyTrackingInfoPercentiles,
}

/// The type of a parameter.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Kind {
    /// `yes` / `no`.
    Bool,
    /// An integer within `[min, max]` (Redis's `long long` bounds; for unsigned fields the
    /// bounds compare as unsigned, so `-1` means `ULLONG_MAX`).
    Int {
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
        /// Syntax.
        unit: IntUnit,
    },
    /// One of a set of names, or several of them when `bitflags`.
    Enum {
        /// Names and values in Redis's order.
        names: &'static [(&'static str, i32)],
        /// Several names may be given and are OR-ed.
        bitflags: bool,
    },
    /// A string. `empty_is_null`: an empty value means "not set" (not written by CONFIG
    /// REWRITE); `binary`: kept whole (Redis sds) rather than cut at a NUL byte.
    Str {
        /// Empty means unset.
        empty_is_null: bool,
        /// Stored as a binary-safe string.
        binary: bool,
    },
    /// A parameter with its own syntax.
    Special(Special),
}

/// Extra validity checks of some parameters (Redis's is_valid functions).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    None,
    ActiveDefrag,
    DbFilename,
    AofFilename,
    AofDirname,
    Hostname,
    ProcTitle,
}

/// What the server must do after CONFIG SET changed a parameter (Redis's apply functions).
/// Several parameters share a hook; run each hook once per CONFIG SET (see
/// [`crate::apply_hooks`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ApplyHook {
    /// Re-listen on the new `port` ("Unable to listen on this port. Check server logs.").
    Port,
    /// Re-bind to the new `bind` addresses ("Failed to bind to specified addresses.").
    Bind,
    /// chdir() to the new `dir` (Redis does it while setting; the error is strerror()).
    Dir,
    /// Use the new `hz` (already clamped to 1..=500 in the config).
    Hz,
    /// Update the default user's password from `requirepass`.
    RequirePass,
    /// Re-check the open files limit for `maxclients` ("The operating system is not able to
    /// handle the specified number of clients, try with N").
    Maxclients,
    /// Warn if below used memory and start evicting (`maxmemory`).
    Maxmemory,
    /// Resize the replication backlog (`repl-backlog-size`).
    ReplBacklogSize,
    /// Recount good replicas (`min-replicas-to-write`, `min-replicas-max-lag`).
    GoodReplicas,
    /// Start or stop AOF (`appendonly`; "Unable to turn on AOF. Check server logs.").
    Appendonly,
    /// Delete AOF history files when auto GC is re-enabled (`aof-disable-auto-gc`).
    AofAutoGc,
    /// Install or remove crash signal handlers (`crash-log-enabled`).
    SighandlerEnabled,
    /// Jemalloc background thread (`jemalloc-bg-thread`).
    JemallocBgThread,
    /// Re-apply oom_score_adj (`oom-score-adj`, `oom-score-adj-values`; "Failed to set current
    /// oom_score_adj. Check server logs.").
    OomScoreAdj,
    /// Software watchdog period (`watchdog-period`).
    WatchdogPeriod,
    /// Re-bucket client memory (`maxmemory-clients`).
    ClientMaxMemoryUsage,
    /// Update the process title (`proc-title-template`; "failed to set process title").
    ProcTitle,
    /// Cluster node flags (`cluster-replica-no-failover`).
    ClusterFlags,
    /// Cluster announced ports.
    ClusterAnnouncedPort,
    /// Cluster announced IP.
    ClusterIp,
    /// Cluster announced hostname.
    ClusterHostname,
    /// Reconfigure TLS ("Unable to update TLS configuration. Check server logs.").
    TlsConfig,
    /// Listen on the new `tls-port`.
    TlsPort,
}

/// One configuration parameter.
#[derive(Debug)]
pub struct Param {
    /// Its id (also its index in [`PARAMS`]).
    pub id: ParamId,
    /// The name CONFIG GET shows and CONFIG REWRITE writes.
    pub name: &'static str,
    /// The other accepted name (`slaveof` for `replicaof`), also listed by CONFIG GET.
    pub alias: Option<&'static str>,
    /// Its type.
    pub kind: Kind,
    /// Bits from [`flags`].
    pub flags: u32,
    /// What the server must do after a change through CONFIG SET.
    pub apply: Option<ApplyHook>,
    pub(crate) check: Check,
}

impl Param {
    /// Whether a flag from [`flags`] is set.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether vireo honours this parameter (edit the list in `implemented.rs`).
    pub fn implemented(&self) -> bool {
        crate::implemented::IMPLEMENTED.contains(&self.name)
    }

    /// The default value as CONFIG GET shows it (`dir` shows the current directory).
    pub fn default_value(&self) -> String {
        Config::default().format_param(self.id)
    }

    /// The names for an enum parameter, in Redis's order.
    pub fn enum_names(&self) -> Option<Vec<&'static str>> {
        match self.kind {
            Kind::Enum { names, .. } => Some(names.iter().map(|(n, _)| *n).collect()),
            _ => None,
        }
    }
}

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
/// ULLONG_MAX as Redis stores it in a `long long` bound.
const ULLONG_MAX: i64 = -1;

const fn int(min: i64, max: i64) -> Kind {
    Kind::Int { min, max, unit: IntUnit::Plain }
}
const fn mem(min: i64, max: i64) -> Kind {
    Kind::Int { min, max, unit: IntUnit::Memory }
}
const fn enm(names: &'static [(&'static str, i32)]) -> Kind {
    Kind::Enum { names, bitflags: false }
}
/// A string where empty means "not set".
const NULLABLE: Kind = Kind::Str { empty_is_null: true, binary: false };
/// A string that may be empty.
const STRING: Kind = Kind::Str { empty_is_null: false, binary: false };
const fn special(s: Special) -> Kind {
    Kind::Special(s)
}

macro_rules! opt_alias {
    () => {
        None
    };
    ($a:literal) => {
        Some($a)
    };
}
macro_rules! opt_apply {
    () => {
        None
    };
    ($a:ident) => {
        Some(ApplyHook::$a)
    };
}
macro_rules! opt_check {
    () => {
        Check::None
    };
    ($c:ident) => {
        Check::$c
    };
}

macro_rules! params {
    ($(
        $id:ident $field:ident : $ty:ty = $default:expr,
        $name:literal $(| $alias:literal)?, $kind:expr, [$($flag:ident)|*]
        $(check $check:ident)? $(apply $apply:ident)?;
    )*) => {
        /// Every configuration value, one typed field per parameter (field names are the
        /// parameter names with `_` for `-`), plus the redis.conf directives that are not
        /// parameters. `Config::default()` is Redis's built-in configuration.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Config {
            $(
                #[doc = concat!("`", $name, "`")]
                pub $field: $ty,
            )*
            /// Directives of the config file that are not parameters (rename-command, user,
            /// loadmodule, module configs, sentinel).
            pub directives: Directives,
            /// Running as Sentinel (`--sentinel`): `sentinel` directives are accepted and
            /// `save` is not rewritten.
            pub sentinel_mode: bool,
            /// Parameters given in the config file or on the command line.
            pub set_at_load: std::collections::BTreeSet<ParamId>,
        }

        /// Identifies a parameter; `PARAMS[id as usize]` is its table entry.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ParamId {
            $(
                #[doc = concat!("`", $name, "`")]
                $id,
            )*
        }

        /// A parameter's value, typed (used to roll back a CONFIG SET).
        #[derive(Clone, Debug, PartialEq)]
        pub enum ParamValue {
            $(
                #[doc = concat!("`", $name, "`")]
                $id($ty),
            )*
        }

        /// The table of every parameter, in Redis 7.0.15's order.
        pub static PARAMS: &[Param] = &[
            $(
                Param {
                    id: ParamId::$id,
                    name: $name,
                    alias: opt_alias!($($alias)?),
                    kind: $kind,
                    flags: 0 $(| flags::$flag)*,
                    apply: opt_apply!($($apply)?),
                    check: opt_check!($($check)?),
                },
            )*
        ];

        impl Default for Config {
            fn default() -> Config {
                Config {
                    $($field: $default,)*
                    directives: Directives::default(),
                    sentinel_mode: false,
                    set_at_load: std::collections::BTreeSet::new(),
                }
            }
        }

        impl ParamValue {
            /// Which parameter this value belongs to.
            pub fn id(&self) -> ParamId {
                match self {
                    $(ParamValue::$id(_) => ParamId::$id,)*
                }
            }
        }

        impl Config {
            /// The typed value of a parameter.
            pub fn value(&self, id: ParamId) -> ParamValue {
                match id {
                    $(ParamId::$id => ParamValue::$id(self.$field.clone()),)*
                }
            }

            /// Stores a typed value (no validation: used for rollback).
            pub fn restore(&mut self, value: ParamValue) {
                match value {
                    $(ParamValue::$id(v) => self.$field = v,)*
                }
            }

            /// The value as CONFIG GET shows it.
            pub fn format_param(&self, id: ParamId) -> String {
                let p = param(id);
                match id {
                    $(ParamId::$id => Value::format(&self.$field, p),)*
                }
            }

            /// Whether two configurations hold the same value for a parameter.
            pub fn same_value(&self, other: &Config, id: ParamId) -> bool {
                match id {
                    $(ParamId::$id => self.$field == other.$field,)*
                }
            }

            /// Parses arguments into a new value, without storing it.
            pub(crate) fn parse_param(&self, id: ParamId, args: &[&[u8]], save_append: bool) -> Result<ParamValue, String> {
                let p = param(id);
                let cx = ParseCx { cfg: self, save_append };
                match id {
                    $(ParamId::$id => <$ty as Value>::parse(p, args, &cx).map(ParamValue::$id),)*
                }
            }

            /// Feeds a parameter's lines to CONFIG REWRITE.
            pub(crate) fn rewrite_param(&self, id: ParamId, defaults: &Config, st: &mut crate::rewrite::RewriteState) {
                let p = param(id);
                let cx = RewriteCx { cfg: self };
                match id {
                    $(ParamId::$id => Value::rewrite(&self.$field, &defaults.$field, p, &cx, st),)*
                }
            }
        }
    };
}

/// The table entry of a parameter.
pub fn param(id: ParamId) -> &'static Param {
    &PARAMS[id as usize]
}

/// Looks a parameter up by name or alias (ASCII case-insensitive). The flag says whether the
/// alias was used.
pub fn lookup(name: &[u8]) -> Option<(&'static Param, bool)> {
    PARAMS.iter().find_map(|p| {
        if p.name.as_bytes().eq_ignore_ascii_case(name) {
            Some((p, false))
        } else if p.alias.is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(name)) {
            Some((p, true))
        } else {
            None
        }
    })
}

fn default_dir() -> String {
    std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

fn s(v: &str) -> String {
    v.to_string()
}

params! {
    // Bool configs
    Rdbchecksum rdbchecksum: bool = true, "rdbchecksum", Kind::Bool, [IMMUTABLE];
    Daemonize daemonize: bool = false, "daemonize", Kind::Bool, [IMMUTABLE];
    IoThreadsDoReads io_threads_do_reads: bool = false, "io-threads-do-reads", Kind::Bool, [DEBUG | IMMUTABLE];
    AlwaysShowLogo always_show_logo: bool = false, "always-show-logo", Kind::Bool, [IMMUTABLE];
    ProtectedMode protected_mode: bool = true, "protected-mode", Kind::Bool, [];
    Rdbcompression rdbcompression: bool = true, "rdbcompression", Kind::Bool, [];
    RdbDelSyncFiles rdb_del_sync_files: bool = false, "rdb-del-sync-files", Kind::Bool, [];
    Activerehashing activerehashing: bool = true, "activerehashing", Kind::Bool, [];
    StopWritesOnBgsaveError stop_writes_on_bgsave_error: bool = true, "stop-writes-on-bgsave-error", Kind::Bool, [];
    SetProcTitle set_proc_title: bool = true, "set-proc-title", Kind::Bool, [IMMUTABLE];
    DynamicHz dynamic_hz: bool = true, "dynamic-hz", Kind::Bool, [];
    LazyfreeLazyEviction lazyfree_lazy_eviction: bool = false, "lazyfree-lazy-eviction", Kind::Bool, [DEBUG];
    LazyfreeLazyExpire lazyfree_lazy_expire: bool = false, "lazyfree-lazy-expire", Kind::Bool, [DEBUG];
    LazyfreeLazyServerDel lazyfree_lazy_server_del: bool = false, "lazyfree-lazy-server-del", Kind::Bool, [DEBUG];
    LazyfreeLazyUserDel lazyfree_lazy_user_del: bool = false, "lazyfree-lazy-user-del", Kind::Bool, [DEBUG];
    LazyfreeLazyUserFlush lazyfree_lazy_user_flush: bool = false, "lazyfree-lazy-user-flush", Kind::Bool, [DEBUG];
    ReplDisableTcpNodelay repl_disable_tcp_nodelay: bool = false, "repl-disable-tcp-nodelay", Kind::Bool, [];
    ReplDisklessSync repl_diskless_sync: bool = true, "repl-diskless-sync", Kind::Bool, [DEBUG];
    AofRewriteIncrementalFsync aof_rewrite_incremental_fsync: bool = true, "aof-rewrite-incremental-fsync", Kind::Bool, [];
    NoAppendfsyncOnRewrite no_appendfsync_on_rewrite: bool = false, "no-appendfsync-on-rewrite", Kind::Bool, [];
    ClusterRequireFullCoverage cluster_require_full_coverage: bool = true, "cluster-require-full-coverage", Kind::Bool, [];
    RdbSaveIncrementalFsync rdb_save_incremental_fsync: bool = true, "rdb-save-incremental-fsync", Kind::Bool, [];
    AofLoadTruncated aof_load_truncated: bool = true, "aof-load-truncated", Kind::Bool, [];
    AofUseRdbPreamble aof_use_rdb_preamble: bool = true, "aof-use-rdb-preamble", Kind::Bool, [];
    AofTimestampEnabled aof_timestamp_enabled: bool = false, "aof-timestamp-enabled", Kind::Bool, [];
    ClusterReplicaNoFailover cluster_replica_no_failover: bool = false,
        "cluster-replica-no-failover" | "cluster-slave-no-failover", Kind::Bool, [] apply ClusterFlags;
    ReplicaLazyFlush replica_lazy_flush: bool = false, "replica-lazy-flush" | "slave-lazy-flush", Kind::Bool, [];
    ReplicaServeStaleData replica_serve_stale_data: bool = true,
        "replica-serve-stale-data" | "slave-serve-stale-data", Kind::Bool, [];
    ReplicaReadOnly replica_read_only: bool = true, "replica-read-only" | "slave-read-only", Kind::Bool, [DEBUG];
    ReplicaIgnoreMaxmemory replica_ignore_maxmemory: bool = true,
        "replica-ignore-maxmemory" | "slave-ignore-maxmemory", Kind::Bool, [];
    JemallocBgThread jemalloc_bg_thread: bool = true, "jemalloc-bg-thread", Kind::Bool, [] apply JemallocBgThread;
    Activedefrag activedefrag: bool = false, "activedefrag", Kind::Bool, [DEBUG] check ActiveDefrag;
    SyslogEnabled syslog_enabled: bool = false, "syslog-enabled", Kind::Bool, [IMMUTABLE];
    ClusterEnabled cluster_enabled: bool = false, "cluster-enabled", Kind::Bool, [IMMUTABLE];
    Appendonly appendonly: bool = false, "appendonly", Kind::Bool, [DENY_LOADING] apply Appendonly;
    ClusterAllowReadsWhenDown cluster_allow_reads_when_down: bool = false,
        "cluster-allow-reads-when-down", Kind::Bool, [];
    ClusterAllowPubsubshardWhenDown cluster_allow_pubsubshard_when_down: bool = true,
        "cluster-allow-pubsubshard-when-down", Kind::Bool, [];
    CrashLogEnabled crash_log_enabled: bool = true, "crash-log-enabled", Kind::Bool, [] apply SighandlerEnabled;
    CrashMemcheckEnabled crash_memcheck_enabled: bool = true, "crash-memcheck-enabled", Kind::Bool, [];
    UseExitOnPanic use_exit_on_panic: bool = false, "use-exit-on-panic", Kind::Bool, [HIDDEN];
    DisableThp disable_thp: bool = true, "disable-thp", Kind::Bool, [IMMUTABLE];
    // vireo's own (not in Redis, so hidden from patterns): the heap in transparent huge pages
    // where the kernel copies 4 KB on a copy-on-write fault (see vireo_server::alloc)
    HeapHugePages heap_huge_pages: bool = true, "heap-huge-pages", Kind::Bool, [IMMUTABLE | HIDDEN];
    ClusterAllowReplicaMigration cluster_allow_replica_migration: bool = true,
        "cluster-allow-replica-migration", Kind::Bool, [];
    ReplicaAnnounced replica_announced: bool = true, "replica-announced", Kind::Bool, [];
    LatencyTracking latency_tracking: bool = true, "latency-tracking", Kind::Bool, [];
    AofDisableAutoGc aof_disable_auto_gc: bool = false, "aof-disable-auto-gc", Kind::Bool, [] apply AofAutoGc;
    ReplicaIgnoreDiskWriteErrors replica_ignore_disk_write_errors: bool = false,
        "replica-ignore-disk-write-errors", Kind::Bool, [];

    // String configs
    Aclfile aclfile: String = String::new(), "aclfile", STRING, [IMMUTABLE];
    Unixsocket unixsocket: String = String::new(), "unixsocket", NULLABLE, [IMMUTABLE];
    Pidfile pidfile: String = String::new(), "pidfile", NULLABLE, [IMMUTABLE];
    ReplicaAnnounceIp replica_announce_ip: String = String::new(),
        "replica-announce-ip" | "slave-announce-ip", NULLABLE, [];
    Masteruser masteruser: String = String::new(), "masteruser", NULLABLE, [SENSITIVE];
    ClusterAnnounceIp cluster_announce_ip: String = String::new(), "cluster-announce-ip", NULLABLE, [] apply ClusterIp;
    ClusterConfigFile cluster_config_file: String = s("nodes.conf"), "cluster-config-file", STRING, [IMMUTABLE];
    ClusterAnnounceHostname cluster_announce_hostname: String = String::new(),
        "cluster-announce-hostname", NULLABLE, [] check Hostname apply ClusterHostname;
    SyslogIdent syslog_ident: String = s("redis"), "syslog-ident", STRING, [IMMUTABLE];
    Dbfilename dbfilename: String = s("dump.rdb"), "dbfilename", STRING, [PROTECTED] check DbFilename;
    Appendfilename appendfilename: String = s("appendonly.aof"), "appendfilename", STRING, [IMMUTABLE] check AofFilename;
    Appenddirname appenddirname: String = s("appendonlydir"), "appenddirname", STRING, [IMMUTABLE] check AofDirname;
    ServerCpulist server_cpulist: String = String::new(), "server_cpulist", NULLABLE, [IMMUTABLE];
    BioCpulist bio_cpulist: String = String::new(), "bio_cpulist", NULLABLE, [IMMUTABLE];
    AofRewriteCpulist aof_rewrite_cpulist: String = String::new(), "aof_rewrite_cpulist", NULLABLE, [IMMUTABLE];
    BgsaveCpulist bgsave_cpulist: String = String::new(), "bgsave_cpulist", NULLABLE, [IMMUTABLE];
    IgnoreWarnings ignore_warnings: String = String::new(), "ignore-warnings", STRING, [];
    ProcTitleTemplate proc_title_template: String = s("{title} {listen-addr} {server-mode}"),
        "proc-title-template", STRING, [] check ProcTitle apply ProcTitle;
    BindSourceAddr bind_source_addr: String = String::new(), "bind-source-addr", NULLABLE, [];
    Logfile logfile: String = String::new(), "logfile", STRING, [IMMUTABLE];

    // SDS configs (binary safe)
    Masterauth masterauth: String = String::new(), "masterauth",
        Kind::Str { empty_is_null: true, binary: true }, [SENSITIVE];
    Requirepass requirepass: String = String::new(), "requirepass",
        Kind::Str { empty_is_null: true, binary: true }, [SENSITIVE] apply RequirePass;

    // Enum configs
    Supervised supervised: SupervisedMode = SupervisedMode::No, "supervised", enm(SupervisedMode::TABLE), [IMMUTABLE];
    SyslogFacility syslog_facility: SyslogFacility = SyslogFacility::Local0,
        "syslog-facility", enm(SyslogFacility::TABLE), [IMMUTABLE];
    ReplDisklessLoad repl_diskless_load: ReplDisklessLoad = ReplDisklessLoad::Disabled,
        "repl-diskless-load", enm(ReplDisklessLoad::TABLE), [DEBUG | DENY_LOADING];
    Loglevel loglevel: LogLevel = LogLevel::Notice, "loglevel", enm(LogLevel::TABLE), [];
    MaxmemoryPolicy maxmemory_policy: MaxmemoryPolicy = MaxmemoryPolicy::Noeviction,
        "maxmemory-policy", enm(MaxmemoryPolicy::TABLE), [];
    Appendfsync appendfsync: AppendFsync = AppendFsync::Everysec, "appendfsync", enm(AppendFsync::TABLE), [];
    OomScoreAdj oom_score_adj: OomScoreAdj = OomScoreAdj::No, "oom-score-adj", enm(OomScoreAdj::TABLE), [] apply OomScoreAdj;
    AclPubsubDefault acl_pubsub_default: AclPubsubDefault = AclPubsubDefault::Resetchannels,
        "acl-pubsub-default", enm(AclPubsubDefault::TABLE), [];
    SanitizeDumpPayload sanitize_dump_payload: SanitizeDumpPayload = SanitizeDumpPayload::No,
        "sanitize-dump-payload", enm(SanitizeDumpPayload::TABLE), [DEBUG];
    EnableProtectedConfigs enable_protected_configs: ProtectedAction = ProtectedAction::No,
        "enable-protected-configs", enm(ProtectedAction::TABLE), [IMMUTABLE];
    EnableDebugCommand enable_debug_command: ProtectedAction = ProtectedAction::No,
        "enable-debug-command", enm(ProtectedAction::TABLE), [IMMUTABLE];
    EnableModuleCommand enable_module_command: ProtectedAction = ProtectedAction::No,
        "enable-module-command", enm(ProtectedAction::TABLE), [IMMUTABLE];
    ClusterPreferredEndpointType cluster_preferred_endpoint_type: ClusterEndpointType = ClusterEndpointType::Ip,
        "cluster-preferred-endpoint-type", enm(ClusterEndpointType::TABLE), [];
    PropagationErrorBehavior propagation_error_behavior: PropagationErrorBehavior = PropagationErrorBehavior::Ignore,
        "propagation-error-behavior", enm(PropagationErrorBehavior::TABLE), [];
    ShutdownOnSigint shutdown_on_sigint: ShutdownFlags = ShutdownFlags(0), "shutdown-on-sigint",
        Kind::Enum { names: ShutdownFlags::TABLE, bitflags: true }, [MULTI_ARG];
    ShutdownOnSigterm shutdown_on_sigterm: ShutdownFlags = ShutdownFlags(0), "shutdown-on-sigterm",
        Kind::Enum { names: ShutdownFlags::TABLE, bitflags: true }, [MULTI_ARG];

    // Integer configs
    Databases databases: i32 = 16, "databases", int(1, INT_MAX), [IMMUTABLE];
    Port port: u16 = 6379, "port", int(0, 65535), [] apply Port;
    IoThreads io_threads: i32 = 1, "io-threads", int(1, 128), [DEBUG | IMMUTABLE];
    AutoAofRewritePercentage auto_aof_rewrite_percentage: i32 = 100, "auto-aof-rewrite-percentage", int(0, INT_MAX), [];
    ClusterReplicaValidityFactor cluster_replica_validity_factor: i32 = 10,
        "cluster-replica-validity-factor" | "cluster-slave-validity-factor", int(0, INT_MAX), [];
    ListMaxListpackSize list_max_listpack_size: i32 = -2,
        "list-max-listpack-size" | "list-max-ziplist-size", int(INT_MIN, INT_MAX), [];
    TcpKeepalive tcp_keepalive: i32 = 300, "tcp-keepalive", int(0, INT_MAX), [];
    ClusterMigrationBarrier cluster_migration_barrier: i32 = 1, "cluster-migration-barrier", int(0, INT_MAX), [];
    ActiveDefragCycleMin active_defrag_cycle_min: i32 = 1, "active-defrag-cycle-min", int(1, 99), [];
    ActiveDefragCycleMax active_defrag_cycle_max: i32 = 25, "active-defrag-cycle-max", int(1, 99), [];
    ActiveDefragThresholdLower active_defrag_threshold_lower: i32 = 10, "active-defrag-threshold-lower", int(0, 1000), [];
    ActiveDefragThresholdUpper active_defrag_threshold_upper: i32 = 100, "active-defrag-threshold-upper", int(0, 1000), [];
    LfuLogFactor lfu_log_factor: i32 = 10, "lfu-log-factor", int(0, INT_MAX), [];
    LfuDecayTime lfu_decay_time: i32 = 1, "lfu-decay-time", int(0, INT_MAX), [];
    ReplicaPriority replica_priority: i32 = 100, "replica-priority" | "slave-priority", int(0, INT_MAX), [];
    ReplDisklessSyncDelay repl_diskless_sync_delay: i32 = 5, "repl-diskless-sync-delay", int(0, INT_MAX), [];
    MaxmemorySamples maxmemory_samples: i32 = 5, "maxmemory-samples", int(1, INT_MAX), [];
    MaxmemoryEvictionTenacity maxmemory_eviction_tenacity: i32 = 10, "maxmemory-eviction-tenacity", int(0, 100), [];
    Timeout timeout: i32 = 0, "timeout", int(0, INT_MAX), [];
    ReplicaAnnouncePort replica_announce_port: u16 = 0,
        "replica-announce-port" | "slave-announce-port", int(0, 65535), [];
    TcpBacklog tcp_backlog: i32 = 511, "tcp-backlog", int(0, INT_MAX), [IMMUTABLE];
    ClusterPort cluster_port: u16 = 0, "cluster-port", int(0, 65535), [IMMUTABLE];
    ClusterAnnounceBusPort cluster_announce_bus_port: u16 = 0,
        "cluster-announce-bus-port", int(0, 65535), [] apply ClusterAnnouncedPort;
    ClusterAnnouncePort cluster_announce_port: u16 = 0,
        "cluster-announce-port", int(0, 65535), [] apply ClusterAnnouncedPort;
    ClusterAnnounceTlsPort cluster_announce_tls_port: u16 = 0,
        "cluster-announce-tls-port", int(0, 65535), [] apply ClusterAnnouncedPort;
    ReplTimeout repl_timeout: i32 = 60, "repl-timeout", int(1, INT_MAX), [];
    ReplPingReplicaPeriod repl_ping_replica_period: i32 = 10,
        "repl-ping-replica-period" | "repl-ping-slave-period", int(1, INT_MAX), [];
    ListCompressDepth list_compress_depth: i32 = 0, "list-compress-depth", int(0, INT_MAX), [DEBUG];
    RdbKeySaveDelay rdb_key_save_delay: i32 = 0, "rdb-key-save-delay", int(INT_MIN, INT_MAX), [HIDDEN];
    KeyLoadDelay key_load_delay: i32 = 0, "key-load-delay", int(INT_MIN, INT_MAX), [HIDDEN];
    ActiveExpireEffort active_expire_effort: i32 = 1, "active-expire-effort", int(1, 10), [];
    Hz hz: i32 = 10, "hz", int(0, INT_MAX), [] apply Hz;
    MinReplicasToWrite min_replicas_to_write: i32 = 0,
        "min-replicas-to-write" | "min-slaves-to-write", int(0, INT_MAX), [] apply GoodReplicas;
    MinReplicasMaxLag min_replicas_max_lag: i32 = 10,
        "min-replicas-max-lag" | "min-slaves-max-lag", int(0, INT_MAX), [] apply GoodReplicas;
    WatchdogPeriod watchdog_period: i32 = 0, "watchdog-period", int(0, INT_MAX), [HIDDEN] apply WatchdogPeriod;
    ShutdownTimeout shutdown_timeout: i32 = 10, "shutdown-timeout", int(0, INT_MAX), [];
    ReplDisklessSyncMaxReplicas repl_diskless_sync_max_replicas: i32 = 0,
        "repl-diskless-sync-max-replicas", int(0, INT_MAX), [];

    // Unsigned int configs
    Maxclients maxclients: u32 = 10000, "maxclients", int(1, UINT_MAX), [] apply Maxclients;
    Unixsocketperm unixsocketperm: u32 = 0, "unixsocketperm",
        Kind::Int { min: 0, max: 0o777, unit: IntUnit::Octal }, [IMMUTABLE];
    SocketMarkId socket_mark_id: u32 = 0, "socket-mark-id", int(0, UINT_MAX), [IMMUTABLE];

    // Unsigned long configs
    ActiveDefragMaxScanFields active_defrag_max_scan_fields: u64 = 1000,
        "active-defrag-max-scan-fields", int(1, LONG_MAX), [];
    SlowlogMaxLen slowlog_max_len: u64 = 128, "slowlog-max-len", int(0, LONG_MAX), [];
    AcllogMaxLen acllog_max_len: u64 = 128, "acllog-max-len", int(0, LONG_MAX), [];

    // Long long configs
    BusyReplyThreshold busy_reply_threshold: i64 = 5000,
        "busy-reply-threshold" | "lua-time-limit", int(0, LONG_MAX), [];
    ClusterNodeTimeout cluster_node_timeout: i64 = 15000, "cluster-node-timeout", int(0, LONG_MAX), [];
    SlowlogLogSlowerThan slowlog_log_slower_than: i64 = 10000, "slowlog-log-slower-than", int(-1, LONG_MAX), [];
    LatencyMonitorThreshold latency_monitor_threshold: i64 = 0, "latency-monitor-threshold", int(0, LONG_MAX), [];
    ProtoMaxBulkLen proto_max_bulk_len: i64 = 512 << 20, "proto-max-bulk-len", mem(1 << 20, LONG_MAX), [DEBUG];
    StreamNodeMaxEntries stream_node_max_entries: i64 = 100, "stream-node-max-entries", int(0, LONG_MAX), [];
    ReplBacklogSize repl_backlog_size: i64 = 1 << 20, "repl-backlog-size", mem(1, LONG_MAX), [] apply ReplBacklogSize;

    // Unsigned long long configs
    Maxmemory maxmemory: u64 = 0, "maxmemory", mem(0, ULLONG_MAX), [] apply Maxmemory;
    ClusterLinkSendbufLimit cluster_link_sendbuf_limit: u64 = 0, "cluster-link-sendbuf-limit", mem(0, ULLONG_MAX), [];

    // size_t configs
    HashMaxListpackEntries hash_max_listpack_entries: usize = 512,
        "hash-max-listpack-entries" | "hash-max-ziplist-entries", int(0, LONG_MAX), [];
    SetMaxIntsetEntries set_max_intset_entries: usize = 512, "set-max-intset-entries", int(0, LONG_MAX), [];
    ZsetMaxListpackEntries zset_max_listpack_entries: usize = 128,
        "zset-max-listpack-entries" | "zset-max-ziplist-entries", int(0, LONG_MAX), [];
    ActiveDefragIgnoreBytes active_defrag_ignore_bytes: usize = 100 << 20,
        "active-defrag-ignore-bytes", mem(1, LONG_MAX), [];
    HashMaxListpackValue hash_max_listpack_value: usize = 64,
        "hash-max-listpack-value" | "hash-max-ziplist-value", mem(0, LONG_MAX), [];
    StreamNodeMaxBytes stream_node_max_bytes: usize = 4096, "stream-node-max-bytes", mem(0, LONG_MAX), [];
    ZsetMaxListpackValue zset_max_listpack_value: usize = 64,
        "zset-max-listpack-value" | "zset-max-ziplist-value", mem(0, LONG_MAX), [];
    HllSparseMaxBytes hll_sparse_max_bytes: usize = 3000, "hll-sparse-max-bytes", mem(0, LONG_MAX), [];
    TrackingTableMaxKeys tracking_table_max_keys: usize = 1_000_000, "tracking-table-max-keys", int(0, LONG_MAX), [];
    ClientQueryBufferLimit client_query_buffer_limit: usize = 1 << 30,
        "client-query-buffer-limit", mem(1 << 20, LONG_MAX), [DEBUG];
    MaxmemoryClients maxmemory_clients: i64 = 0, "maxmemory-clients",
        Kind::Int { min: -100, max: LONG_MAX, unit: IntUnit::MemoryOrPercent }, [] apply ClientMaxMemoryUsage;

    // Other numeric configs
    ReplBacklogTtl repl_backlog_ttl: i64 = 3600, "repl-backlog-ttl", int(0, LONG_MAX), [];
    AutoAofRewriteMinSize auto_aof_rewrite_min_size: i64 = 64 << 20, "auto-aof-rewrite-min-size", mem(0, LONG_MAX), [];
    LoadingProcessEventsIntervalBytes loading_process_events_interval_bytes: i64 = 2 << 20,
        "loading-process-events-interval-bytes", int(1024, INT_MAX), [HIDDEN];

    // TLS configs (the reference build has TLS)
    TlsPort tls_port: u16 = 0, "tls-port", int(0, 65535), [] apply TlsPort;
    TlsSessionCacheSize tls_session_cache_size: i32 = 20 * 1024, "tls-session-cache-size", int(0, INT_MAX), [] apply TlsConfig;
    TlsSessionCacheTimeout tls_session_cache_timeout: i32 = 300, "tls-session-cache-timeout", int(0, INT_MAX), [] apply TlsConfig;
    TlsCluster tls_cluster: bool = false, "tls-cluster", Kind::Bool, [] apply TlsConfig;
    TlsReplication tls_replication: bool = false, "tls-replication", Kind::Bool, [] apply TlsConfig;
    TlsAuthClients tls_auth_clients: TlsAuthClients = TlsAuthClients::Yes,
        "tls-auth-clients", enm(TlsAuthClients::TABLE), [];
    TlsPreferServerCiphers tls_prefer_server_ciphers: bool = false,
        "tls-prefer-server-ciphers", Kind::Bool, [] apply TlsConfig;
    TlsSessionCaching tls_session_caching: bool = true, "tls-session-caching", Kind::Bool, [] apply TlsConfig;
    TlsCertFile tls_cert_file: String = String::new(), "tls-cert-file", NULLABLE, [VOLATILE] apply TlsConfig;
    TlsKeyFile tls_key_file: String = String::new(), "tls-key-file", NULLABLE, [VOLATILE] apply TlsConfig;
    TlsKeyFilePass tls_key_file_pass: String = String::new(), "tls-key-file-pass", NULLABLE, [] apply TlsConfig;
    TlsClientCertFile tls_client_cert_file: String = String::new(),
        "tls-client-cert-file", NULLABLE, [VOLATILE] apply TlsConfig;
    TlsClientKeyFile tls_client_key_file: String = String::new(),
        "tls-client-key-file", NULLABLE, [VOLATILE] apply TlsConfig;
    TlsClientKeyFilePass tls_client_key_file_pass: String = String::new(),
        "tls-client-key-file-pass", NULLABLE, [] apply TlsConfig;
    TlsDhParamsFile tls_dh_params_file: String = String::new(),
        "tls-dh-params-file", NULLABLE, [VOLATILE] apply TlsConfig;
    TlsCaCertFile tls_ca_cert_file: String = String::new(), "tls-ca-cert-file", NULLABLE, [VOLATILE] apply TlsConfig;
    TlsCaCertDir tls_ca_cert_dir: String = String::new(), "tls-ca-cert-dir", NULLABLE, [VOLATILE] apply TlsConfig;
    TlsProtocols tls_protocols: String = String::new(), "tls-protocols", NULLABLE, [] apply TlsConfig;
    TlsCiphers tls_ciphers: String = String::new(), "tls-ciphers", NULLABLE, [] apply TlsConfig;
    TlsCiphersuites tls_ciphersuites: String = String::new(), "tls-ciphersuites", NULLABLE, [] apply TlsConfig;

    // Special configs
    Dir dir: String = default_dir(), "dir", special(Special::Dir), [PROTECTED | DENY_LOADING] apply Dir;
    Save save: Vec<SaveRule> = vec![
        SaveRule { seconds: 3600, changes: 1 },
        SaveRule { seconds: 300, changes: 100 },
        SaveRule { seconds: 60, changes: 10000 },
    ], "save", special(Special::Save), [MULTI_ARG];
    ClientOutputBufferLimit client_output_buffer_limit: [ObufLimit; 3] = OBUF_DEFAULTS,
        "client-output-buffer-limit", special(Special::ClientOutputBufferLimit), [MULTI_ARG];
    OomScoreAdjValues oom_score_adj_values: [i32; 3] = [0, 200, 800],
        "oom-score-adj-values", special(Special::OomScoreAdjValues), [MULTI_ARG] apply OomScoreAdj;
    NotifyKeyspaceEvents notify_keyspace_events: u32 = 0,
        "notify-keyspace-events", special(Special::NotifyKeyspaceEvents), [];
    Bind bind: Vec<String> = vec![s("*"), s("-::*")], "bind", special(Special::Bind), [MULTI_ARG] apply Bind;
    Replicaof replicaof: Option<ReplicaOf> = None,
        "replicaof" | "slaveof", special(Special::ReplicaOf), [IMMUTABLE | MULTI_ARG];
    LatencyTrackingInfoPercentiles latency_tracking_info_percentiles: Vec<f64> = vec![50.0, 99.0, 99.9],
        "latency-tracking-info-percentiles", special(Special::LatencyTrackingInfoPercentiles), [MULTI_ARG];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_the_table() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert_eq!(p.id as usize, i, "{}", p.name);
        }
    }

    #[test]
    fn names_are_unique_and_lowercase() {
        let mut seen = std::collections::HashSet::new();
        for p in PARAMS {
            for n in std::iter::once(p.name).chain(p.alias) {
                assert!(seen.insert(n), "duplicate name {}", n);
                assert_eq!(n, n.to_ascii_lowercase());
            }
        }
        // 178 parameters and 19 aliases, as in Redis 7.0.15 built with TLS, plus vireo's own
        // heap-huge-pages.
        assert_eq!(PARAMS.len(), 179);
        assert_eq!(PARAMS.iter().filter(|p| p.alias.is_some()).count(), 19);
    }

    #[test]
    fn lookup_is_case_insensitive_and_knows_aliases() {
        assert_eq!(lookup(b"PORT").map(|(p, a)| (p.name, a)), Some(("port", false)));
        assert_eq!(lookup(b"SlaveOf").map(|(p, a)| (p.name, a)), Some(("replicaof", true)));
        assert_eq!(lookup(b"hash-max-ziplist-value").map(|(p, _)| p.id), Some(ParamId::HashMaxListpackValue));
        assert!(lookup(b"port\0").is_none());
        assert!(lookup(b"nope").is_none());
    }

    #[test]
    fn value_round_trip_and_restore() {
        let mut c = Config::default();
        let old = c.value(ParamId::Port);
        c.port = 1;
        assert_eq!(old.id(), ParamId::Port);
        c.restore(old);
        assert_eq!(c.port, 6379);
        assert!(c.same_value(&Config::default(), ParamId::Port));
    }
}
