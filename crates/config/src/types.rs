//! The value types of configuration parameters that are not plain numbers, strings or booleans:
//! the enumerations (with their Redis names, in Redis's order, since error texts list them in
//! that order), the shutdown flag set, save rules, output buffer limits, the replica-of target
//! and the keyspace-notification flag bits. This module knows names and values only; parsing
//! of arguments and formatting for CONFIG GET live in `value`.

/// An enumeration whose values are named in redis.conf and CONFIG GET/SET.
///
/// `TABLE` lists every accepted name with its numeric value in Redis's order; several names may
/// share a value (`oom-score-adj` accepts `yes` and `relative`). The name shown by CONFIG GET is
/// the first one in the table with the value.
pub trait ConfEnum: Copy + PartialEq + std::fmt::Debug + 'static {
    /// Every accepted name and its value, in Redis's order.
    const TABLE: &'static [(&'static str, i32)];
    /// The numeric value (as in Redis's tables).
    fn to_i32(self) -> i32;
    /// The variant for a numeric value, if any.
    fn from_i32(v: i32) -> Option<Self>;
    /// The canonical name (the first name in `TABLE` with this value).
    fn name(self) -> &'static str {
        let v = self.to_i32();
        Self::TABLE.iter().find(|(_, x)| *x == v).map(|(n, _)| *n).unwrap_or("unknown")
    }
}

macro_rules! conf_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $val:literal => [$($txt:literal),+]),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $var = $val),+ }

        impl ConfEnum for $name {
            const TABLE: &'static [(&'static str, i32)] = &[$($(($txt, $val)),+),+];
            fn to_i32(self) -> i32 {
                self as i32
            }
            fn from_i32(v: i32) -> Option<Self> {
                match v {
                    $($val => Some($name::$var),)+
                    _ => None,
                }
            }
        }

        impl $name {
            /// The canonical name, as CONFIG GET shows it.
            pub fn name(self) -> &'static str {
                ConfEnum::name(self)
            }
            /// Same as [`Self::name`].
            pub fn as_str(self) -> &'static str {
                ConfEnum::name(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

conf_enum!(
    /// `maxmemory-policy`.
    MaxmemoryPolicy {
        VolatileLru = 0 => ["volatile-lru"],
        VolatileLfu = 1 => ["volatile-lfu"],
        VolatileRandom = 2 => ["volatile-random"],
        VolatileTtl = 3 => ["volatile-ttl"],
        AllkeysLru = 4 => ["allkeys-lru"],
        AllkeysLfu = 5 => ["allkeys-lfu"],
        AllkeysRandom = 6 => ["allkeys-random"],
        Noeviction = 7 => ["noeviction"],
    }
);

impl MaxmemoryPolicy {
    /// An LRU policy (volatile-lru or allkeys-lru).
    pub fn is_lru(self) -> bool {
        matches!(self, MaxmemoryPolicy::VolatileLru | MaxmemoryPolicy::AllkeysLru)
    }
    /// An LFU policy (volatile-lfu or allkeys-lfu).
    pub fn is_lfu(self) -> bool {
        matches!(self, MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu)
    }
    /// A policy that only evicts keys with an expire.
    pub fn is_volatile(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::VolatileLru
                | MaxmemoryPolicy::VolatileLfu
                | MaxmemoryPolicy::VolatileRandom
                | MaxmemoryPolicy::VolatileTtl
        )
    }
}

conf_enum!(
    /// `syslog-facility` (values are the syslog facility codes).
    SyslogFacility {
        User = 8 => ["user"],
        Local0 = 128 => ["local0"],
        Local1 = 136 => ["local1"],
        Local2 = 144 => ["local2"],
        Local3 = 152 => ["local3"],
        Local4 = 160 => ["local4"],
        Local5 = 168 => ["local5"],
        Local6 = 176 => ["local6"],
        Local7 = 184 => ["local7"],
    }
);

conf_enum!(
    /// `loglevel`.
    LogLevel {
        Debug = 0 => ["debug"],
        Verbose = 1 => ["verbose"],
        Notice = 2 => ["notice"],
        Warning = 3 => ["warning"],
    }
);

conf_enum!(
    /// `supervised`.
    SupervisedMode {
        Upstart = 2 => ["upstart"],
        Systemd = 3 => ["systemd"],
        Auto = 1 => ["auto"],
        No = 0 => ["no"],
    }
);

conf_enum!(
    /// `appendfsync`.
    AppendFsync {
        Everysec = 2 => ["everysec"],
        Always = 1 => ["always"],
        No = 0 => ["no"],
    }
);

conf_enum!(
    /// `repl-diskless-load`.
    ReplDisklessLoad {
        Disabled = 0 => ["disabled"],
        OnEmptyDb = 1 => ["on-empty-db"],
        Swapdb = 2 => ["swapdb"],
    }
);

conf_enum!(
    /// `tls-auth-clients`.
    TlsAuthClients {
        No = 0 => ["no"],
        Yes = 1 => ["yes"],
        Optional = 2 => ["optional"],
    }
);

conf_enum!(
    /// `oom-score-adj` (`yes` is a synonym of `relative`; CONFIG GET shows `yes`).
    OomScoreAdj {
        No = 0 => ["no"],
        Relative = 1 => ["yes", "relative"],
        Absolute = 2 => ["absolute"],
    }
);

conf_enum!(
    /// `acl-pubsub-default`.
    AclPubsubDefault {
        Allchannels = 1 => ["allchannels"],
        Resetchannels = 0 => ["resetchannels"],
    }
);

conf_enum!(
    /// `sanitize-dump-payload`.
    SanitizeDumpPayload {
        No = 0 => ["no"],
        Yes = 1 => ["yes"],
        Clients = 2 => ["clients"],
    }
);

conf_enum!(
    /// `enable-protected-configs`, `enable-debug-command`, `enable-module-command`.
    ProtectedAction {
        No = 0 => ["no"],
        Yes = 1 => ["yes"],
        Local = 2 => ["local"],
    }
);

impl ProtectedAction {
    /// Whether the action is allowed for a client (`local_client`: connected through the unix
    /// socket or from a loopback address), as Redis's allowProtectedAction().
    pub fn allows(self, local_client: bool) -> bool {
        self == ProtectedAction::Yes || (self == ProtectedAction::Local && local_client)
    }
}

conf_enum!(
    /// `cluster-preferred-endpoint-type`.
    ClusterEndpointType {
        Ip = 0 => ["ip"],
        Hostname = 1 => ["hostname"],
        UnknownEndpoint = 2 => ["unknown-endpoint"],
    }
);

conf_enum!(
    /// `propagation-error-behavior`.
    PropagationErrorBehavior {
        Ignore = 0 => ["ignore"],
        Panic = 1 => ["panic"],
        PanicOnReplicas = 2 => ["panic-on-replicas"],
    }
);

/// `shutdown-on-sigint` / `shutdown-on-sigterm`: a set of flags given as several names
/// (`default` is the empty set).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ShutdownFlags(pub u32);

impl ShutdownFlags {
    /// SAVE even if no save points are configured.
    pub const SAVE: u32 = 1;
    /// Do not save.
    pub const NOSAVE: u32 = 2;
    /// Skip waiting for lagging replicas.
    pub const NOW: u32 = 4;
    /// Ignore errors that would normally prevent the shutdown.
    pub const FORCE: u32 = 8;
    /// Names and bits, in Redis's order.
    pub const TABLE: &'static [(&'static str, i32)] =
        &[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)];

    /// Whether `flag` (one of the constants) is set.
    pub fn has(self, flag: u32) -> bool {
        self.0 & flag != 0
    }
}

/// One `save <seconds> <changes>` rule.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SaveRule {
    /// Seconds since the last save.
    pub seconds: i64,
    /// Number of changes (Redis keeps it in an `int`).
    pub changes: i32,
}

/// The client classes of `client-output-buffer-limit`, in Redis's order (the index into the
/// `client_output_buffer_limit` array).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ObufClass {
    /// Normal clients (index 0).
    Normal = 0,
    /// Replicas (index 1; "slave" in CONFIG GET, "replica" in CONFIG REWRITE).
    Replica = 1,
    /// Pub/Sub clients (index 2).
    Pubsub = 2,
}

/// One class's output buffer limits.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObufLimit {
    /// Hard limit in bytes (0 = none).
    pub hard_limit_bytes: u64,
    /// Soft limit in bytes (0 = none).
    pub soft_limit_bytes: u64,
    /// How long the soft limit may be exceeded, in seconds.
    pub soft_limit_seconds: i64,
}

/// The default output buffer limits (normal, replica, pubsub).
pub const OBUF_DEFAULTS: [ObufLimit; 3] = [
    ObufLimit { hard_limit_bytes: 0, soft_limit_bytes: 0, soft_limit_seconds: 0 },
    ObufLimit { hard_limit_bytes: 256 << 20, soft_limit_bytes: 64 << 20, soft_limit_seconds: 60 },
    ObufLimit { hard_limit_bytes: 32 << 20, soft_limit_bytes: 8 << 20, soft_limit_seconds: 60 },
];

/// The target of `replicaof` / `slaveof`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReplicaOf {
    /// Master host as given.
    pub host: String,
    /// Master port (0..=65535).
    pub port: u16,
}

/// The bits of `notify-keyspace-events` (the `notify_keyspace_events` field), as Redis numbers
/// them.
pub mod notify {
    /// K: keyspace events.
    pub const KEYSPACE: u32 = 1 << 0;
    /// E: keyevent events.
    pub const KEYEVENT: u32 = 1 << 1;
    /// g: generic commands.
    pub const GENERIC: u32 = 1 << 2;
    /// $: string commands.
    pub const STRING: u32 = 1 << 3;
    /// l: list commands.
    pub const LIST: u32 = 1 << 4;
    /// s: set commands.
    pub const SET: u32 = 1 << 5;
    /// h: hash commands.
    pub const HASH: u32 = 1 << 6;
    /// z: sorted set commands.
    pub const ZSET: u32 = 1 << 7;
    /// x: expired events.
    pub const EXPIRED: u32 = 1 << 8;
    /// e: evicted events.
    pub const EVICTED: u32 = 1 << 9;
    /// t: stream commands.
    pub const STREAM: u32 = 1 << 10;
    /// m: key miss events (not part of A).
    pub const KEY_MISS: u32 = 1 << 11;
    /// Module-only "loaded" events (no letter).
    pub const LOADED: u32 = 1 << 12;
    /// d: module key type events.
    pub const MODULE: u32 = 1 << 13;
    /// n: new key events (not part of A).
    pub const NEW: u32 = 1 << 14;
    /// A: alias for "g$lshzxetd".
    pub const ALL: u32 = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /// Parses a class string ("KEA", "Kx", ""); `None` for an unknown character.
    pub fn parse(classes: &[u8]) -> Option<u32> {
        let mut flags = 0;
        for &c in classes {
            flags |= match c {
                b'A' => ALL,
                b'g' => GENERIC,
                b'$' => STRING,
                b'l' => LIST,
                b's' => SET,
                b'h' => HASH,
                b'z' => ZSET,
                b'x' => EXPIRED,
                b'e' => EVICTED,
                b'K' => KEYSPACE,
                b'E' => KEYEVENT,
                b't' => STREAM,
                b'm' => KEY_MISS,
                b'd' => MODULE,
                b'n' => NEW,
                _ => return None,
            };
        }
        Some(flags)
    }

    /// Formats flags as CONFIG GET shows them. Like Redis, `n` is not shown when all of `A`
    /// is set.
    pub fn format(flags: u32) -> String {
        let mut s = String::new();
        if flags & ALL == ALL {
            s.push('A');
        } else {
            for (bit, c) in [
                (GENERIC, 'g'),
                (STRING, '$'),
                (LIST, 'l'),
                (SET, 's'),
                (HASH, 'h'),
                (ZSET, 'z'),
                (EXPIRED, 'x'),
                (EVICTED, 'e'),
                (STREAM, 't'),
                (MODULE, 'd'),
                (NEW, 'n'),
            ] {
                if flags & bit != 0 {
                    s.push(c);
                }
            }
        }
        for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_follow_the_first_table_entry() {
        assert_eq!(OomScoreAdj::Relative.name(), "yes");
        assert_eq!(OomScoreAdj::from_i32(2), Some(OomScoreAdj::Absolute));
        assert_eq!(LogLevel::Warning.as_str(), "warning");
        assert_eq!(SyslogFacility::Local0.to_string(), "local0");
        assert!(MaxmemoryPolicy::AllkeysLfu.is_lfu() && !MaxmemoryPolicy::AllkeysLfu.is_lru());
        assert!(ProtectedAction::Local.allows(true) && !ProtectedAction::Local.allows(false));
    }

    #[test]
    fn notify_flags_round_trip_as_redis_formats_them() {
        assert_eq!(notify::format(notify::parse(b"KEA").unwrap()), "AKE");
        assert_eq!(notify::format(notify::parse(b"An").unwrap()), "A");
        assert_eq!(notify::format(notify::parse(b"xgn$").unwrap()), "g$xn");
        assert_eq!(notify::format(notify::parse(b"mKE").unwrap()), "KEm");
        assert_eq!(notify::parse(b"Q"), None);
        assert_eq!(notify::parse(b""), Some(0));
        assert_eq!(notify::format(0), "");
    }
}
