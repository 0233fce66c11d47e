//! The single place that says which parameters and directives vireo honours. Everything else in
//! the table is accepted, validated, stored, shown by CONFIG GET and rewritten, but has no effect
//! yet; the server warns about such directives at startup (see
//! `Config::unimplemented_directives`). When the server starts honouring a parameter, add its
//! Redis name here.

/// Redis names of the implemented parameters and directives.
pub const IMPLEMENTED: &[&str] = &[
    "port",
    "save",
    "dbfilename",
    "rdbcompression",
    "rdbchecksum",
    "stop-writes-on-bgsave-error",
    "appendonly",
    "appendfsync",
    "appendfilename",
    "appenddirname",
    "aof-load-truncated",
    "aof-timestamp-enabled",
    "aof-use-rdb-preamble",
    "key-load-delay",
    "disable-thp",
    "heap-huge-pages",
    "loading-process-events-interval-bytes",
    "no-appendfsync-on-rewrite",
    "auto-aof-rewrite-percentage",
    "auto-aof-rewrite-min-size",
    "bind",
    "min-replicas-to-write",
    "min-replicas-max-lag",
    "unixsocket",
    "unixsocketperm",
    "dir",
    "daemonize",
    "pidfile",
    "logfile",
    "loglevel",
    "databases",
    "timeout",
    "tcp-keepalive",
    "maxclients",
    "requirepass",
    "protected-mode",
    "hz",
    "enable-debug-command",
    "always-show-logo",
    "proto-max-bulk-len",
    "client-query-buffer-limit",
    "tcp-backlog",
    "dynamic-hz",
    "activerehashing",
    "active-expire-effort",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "latency-monitor-threshold",
    "latency-tracking",
    "latency-tracking-info-percentiles",
    "lazyfree-lazy-expire",
    "lazyfree-lazy-user-del",
    "lazyfree-lazy-user-flush",
    "lazyfree-lazy-server-del",
    "lfu-log-factor",
    "maxmemory",
    "maxmemory-policy",
    "maxmemory-samples",
    "maxmemory-eviction-tenacity",
    "lazyfree-lazy-eviction",
    "replica-ignore-maxmemory",
    "lfu-decay-time",
    "enable-protected-configs",
    "replicaof",
    "masterauth",
    "masteruser",
    "replica-announce-ip",
    "replica-announce-port",
    "repl-diskless-load",
    "replica-serve-stale-data",
    "replica-lazy-flush",
    "replica-read-only",
    "rdb-del-sync-files",
    "repl-timeout",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "repl-diskless-sync-max-replicas",
    "repl-backlog-size",
    "repl-backlog-ttl",
    "repl-ping-replica-period",
    // Directives handled by the configuration crate itself.
    "include",
];

#[cfg(test)]
mod tests {
    use super::IMPLEMENTED;

    #[test]
    fn every_name_exists() {
        for name in IMPLEMENTED {
            let known = crate::table::PARAMS.iter().any(|p| p.name == *name)
                || crate::DIRECTIVES.iter().any(|d| d.name == *name);
            assert!(known, "{} is neither a parameter nor a directive", name);
        }
    }
}
