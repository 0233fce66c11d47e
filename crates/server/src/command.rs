//! The command table's types: one [`CommandSpec`] per command (and per subcommand) declares its
//! name, arity, flags, key specs, ACL categories, documentation and handler. Everything that asks
//! about commands — the arity check and the gate, COMMAND INFO/DOCS/COUNT/LIST/GETKEYS, key
//! extraction for cluster and ACL later — reads these specs. The specs themselves are declared
//! next to their handlers in `cmd/*.rs` and collected by `cmd::table()`.

use crate::exec::Ctx;

/// A command handler. It parses its arguments, runs data operations and writes the reply.
pub type Handler = fn(&mut Ctx);

/// Command flags (Redis's CMD_*), as bits.
pub mod flags {
    pub const WRITE: u64 = 1 << 0;
    pub const READONLY: u64 = 1 << 1;
    pub const DENYOOM: u64 = 1 << 2;
    pub const MODULE: u64 = 1 << 3;
    pub const ADMIN: u64 = 1 << 4;
    pub const PUBSUB: u64 = 1 << 5;
    pub const NOSCRIPT: u64 = 1 << 6;
    pub const BLOCKING: u64 = 1 << 8;
    pub const LOADING: u64 = 1 << 9;
    pub const STALE: u64 = 1 << 10;
    pub const SKIP_MONITOR: u64 = 1 << 11;
    pub const SKIP_SLOWLOG: u64 = 1 << 12;
    pub const ASKING: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const NO_AUTH: u64 = 1 << 15;
    pub const MAY_REPLICATE: u64 = 1 << 16;
    pub const SENTINEL: u64 = 1 << 17;
    pub const ONLY_SENTINEL: u64 = 1 << 18;
    pub const NO_MANDATORY_KEYS: u64 = 1 << 19;
    pub const PROTECTED: u64 = 1 << 20;
    pub const MODULE_GETKEYS: u64 = 1 << 21;
    pub const MODULE_NO_CLUSTER: u64 = 1 << 22;
    pub const NO_ASYNC_LOADING: u64 = 1 << 23;
    pub const NO_MULTI: u64 = 1 << 24;
    pub const MOVABLE_KEYS: u64 = 1 << 25;
    pub const ALLOW_BUSY: u64 = 1 << 26;
    pub const MODULE_GETCHANNELS: u64 = 1 << 27;
    pub const TOUCHES_ARBITRARY_KEYS: u64 = 1 << 28;

    /// Names as COMMAND INFO prints them, in Redis's order.
    pub const NAMES: &[(u64, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (MODULE, "module"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories, as bits.
pub mod acl {
    pub const KEYSPACE: u64 = 1 << 0;
    pub const READ: u64 = 1 << 1;
    pub const WRITE: u64 = 1 << 2;
    pub const SET: u64 = 1 << 3;
    pub const SORTEDSET: u64 = 1 << 4;
    pub const LIST: u64 = 1 << 5;
    pub const HASH: u64 = 1 << 6;
    pub const STRING: u64 = 1 << 7;
    pub const BITMAP: u64 = 1 << 8;
    pub const HYPERLOGLOG: u64 = 1 << 9;
    pub const GEO: u64 = 1 << 10;
    pub const STREAM: u64 = 1 << 11;
    pub const PUBSUB: u64 = 1 << 12;
    pub const ADMIN: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const SLOW: u64 = 1 << 15;
    pub const BLOCKING: u64 = 1 << 16;
    pub const DANGEROUS: u64 = 1 << 17;
    pub const CONNECTION: u64 = 1 << 18;
    pub const TRANSACTION: u64 = 1 << 19;
    pub const SCRIPTING: u64 = 1 << 20;

    /// Names in Redis's order (ACL CAT and COMMAND INFO print "@name").
    pub const NAMES: &[(u64, &str)] = &[
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];
}

/// Key-spec flags (Redis's CMD_KEY_*).
pub mod kflags {
    pub const RO: u32 = 1 << 0;
    pub const RW: u32 = 1 << 1;
    pub const OW: u32 = 1 << 2;
    pub const RM: u32 = 1 << 3;
    pub const ACCESS: u32 = 1 << 4;
    pub const UPDATE: u32 = 1 << 5;
    pub const INSERT: u32 = 1 << 6;
    pub const DELETE: u32 = 1 << 7;
    pub const NOT_KEY: u32 = 1 << 8;
    pub const INCOMPLETE: u32 = 1 << 9;
    pub const VARIABLE_FLAGS: u32 = 1 << 10;

    pub const NAMES: &[(u32, &str)] = &[
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
}

/// How the first key of a key spec is found.
#[derive(Debug, Clone, Copy)]
pub enum BeginSearch {
    /// At a fixed argument index.
    Index(i32),
    /// After the first occurrence of a keyword, searching from `startfrom` (negative = from end).
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
    Unknown,
}

/// How the keys are found once the first one is located.
#[derive(Debug, Clone, Copy)]
pub enum FindKeys {
    /// `lastkey` relative to the first key (-1 = last argument), every `step` arguments,
    /// `limit` divides the remaining args (0 = no limit).
    Range {
        lastkey: i32,
        step: i32,
        limit: i32,
    },
    /// The number of keys is at `keynumidx` (relative to the first key position), then keys
    /// start at `firstkey` (relative), every `step`.
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        step: i32,
    },
    Unknown,
}

#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub notes: &'static str,
    pub flags: u32,
    pub begin: BeginSearch,
    pub find: FindKeys,
}

/// Command groups (COMMAND DOCS "group").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Generic,
    String,
    List,
    Set,
    SortedSet,
    Hash,
    Pubsub,
    Transactions,
    Connection,
    Server,
    Scripting,
    Hyperloglog,
    Cluster,
    Sentinel,
    Geo,
    Stream,
    Bitmap,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Hash => "hash",
            Group::Pubsub => "pubsub",
            Group::Transactions => "transactions",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Scripting => "scripting",
            Group::Hyperloglog => "hyperloglog",
            Group::Cluster => "cluster",
            Group::Sentinel => "sentinel",
            Group::Geo => "geo",
            Group::Stream => "stream",
            Group::Bitmap => "bitmap",
        }
    }
}

/// Argument types for COMMAND DOCS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    Oneof,
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::Oneof => "oneof",
            ArgType::Block => "block",
        }
    }
}

/// Argument flags for COMMAND DOCS.
pub mod argflags {
    pub const OPTIONAL: u8 = 1;
    pub const MULTIPLE: u8 = 2;
    pub const MULTIPLE_TOKEN: u8 = 4;
}

/// One argument of a command, for COMMAND DOCS (redis-cli builds its hints from these).
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    pub name: &'static str,
    pub typ: ArgType,
    /// Index into the command's key specs (for `key` arguments), else -1.
    pub key_spec_index: i32,
    pub token: Option<&'static str>,
    pub summary: Option<&'static str>,
    pub since: Option<&'static str>,
    pub flags: u8,
    pub deprecated_since: Option<&'static str>,
    pub display: Option<&'static str>,
    pub subargs: &'static [Arg],
}

/// Documentation of a command (COMMAND DOCS). Summaries are vireo's own words.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub summary: &'static str,
    pub since: &'static str,
    pub group: Group,
    pub complexity: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    pub history: &'static [(&'static str, &'static str)],
    /// "deprecated" and/or "syscmd".
    pub doc_flags: &'static [&'static str],
    pub args: &'static [Arg],
}

/// One command or subcommand.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lowercase name; for a subcommand, just the subcommand's name (e.g. "get" under "config").
    pub name: &'static str,
    /// Redis arity: positive = exact argument count (name included), negative = at least -arity.
    pub arity: i32,
    pub flags: u64,
    pub acl: u64,
    /// Redis's command tips (e.g. "nondeterministic_output", "request_policy:all_shards").
    pub tips: &'static [&'static str],
    pub key_specs: &'static [KeySpec],
    pub doc: Doc,
    /// None for container commands, which dispatch to `subcommands`.
    pub handler: Option<Handler>,
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }
    pub fn has(&self, flag: u64) -> bool {
        self.flags & flag != 0
    }
    pub fn arity_ok(&self, argc: usize) -> bool {
        let a = self.arity;
        (a > 0 && argc == a as usize) || (a < 0 && argc >= (-a) as usize)
    }
    /// Finds a subcommand by name (case-insensitive).
    pub fn subcommand(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        // subcommands is 'static, but `self` may not be; look through the static slice
        let subs: &'static [CommandSpec] = self.subcommands;
        subs.iter().find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// The legacy (first, last, step) key range COMMAND INFO shows and whether the command has
    /// movable keys, derived from the key specs by Redis's rules: only plain index/range specs
    /// with step 1 that follow each other merge into the range; anything else (or an incomplete
    /// spec) makes the keys movable.
    pub fn legacy(&self) -> (i32, i32, i32, bool) {
        let mut movable = self.flags & flags::MOVABLE_KEYS != 0;
        if self.key_specs.is_empty() {
            return (0, 0, 0, movable);
        }
        if let [ks] = self.key_specs {
            if let (BeginSearch::Index(pos), FindKeys::Range { lastkey, step, .. }) = (ks.begin, ks.find) {
                if ks.flags & kflags::INCOMPLETE != 0 {
                    movable = true;
                }
                let last = if lastkey >= 0 { pos + lastkey } else { lastkey };
                return (pos, last, step, movable);
            }
        }
        let mut first = i32::MAX;
        let mut last: i32 = 0;
        let mut prev_last: i32 = 0;
        for ks in self.key_specs {
            let (BeginSearch::Index(pos), FindKeys::Range { lastkey, step, .. }) = (ks.begin, ks.find) else {
                movable = true;
                continue;
            };
            if step != 1 || (prev_last != 0 && prev_last != pos - 1) {
                movable = true;
                continue;
            }
            if ks.flags & kflags::INCOMPLETE != 0 {
                movable = true;
            }
            first = first.min(pos);
            let abs = if lastkey >= 0 { lastkey + pos } else { lastkey };
            // unsigned comparison, so that negative (relative-to-end) values win
            last = if (last as u32) >= (abs as u32) { last } else { abs };
            prev_last = last;
        }
        if first == i32::MAX {
            return (0, 0, 0, true);
        }
        (first, last, 1, movable)
    }

    /// The positions of the keys in `argv` according to the key specs (COMMAND GETKEYS,
    /// cluster key extraction). Returns indexes into argv.
    pub fn key_positions(&self, argv: &[impl AsRef<[u8]>]) -> Vec<usize> {
        self.key_positions_with_flags(argv).into_iter().map(|(p, _)| p).collect()
    }

    /// Key positions with the flags of the key spec that found each.
    pub fn key_positions_with_flags(&self, argv: &[impl AsRef<[u8]>]) -> Vec<(usize, u32)> {
        let argc = argv.len() as i32;
        let mut out = Vec::new();
        for ks in self.key_specs {
            let first = match ks.begin {
                BeginSearch::Index(i) => i,
                BeginSearch::Keyword { keyword, startfrom } => {
                    let (start, end, dir): (i32, i32, i32) =
                        if startfrom >= 0 { (startfrom, argc, 1) } else { (argc + startfrom, 0, -1) };
                    let mut found = None;
                    let mut i = start;
                    while (dir > 0 && i < end) || (dir < 0 && i > end) {
                        if i >= 0 && i < argc && argv[i as usize].as_ref().eq_ignore_ascii_case(keyword.as_bytes()) {
                            found = Some(i + 1);
                            break;
                        }
                        i += dir;
                    }
                    match found {
                        Some(f) => f,
                        None => continue,
                    }
                }
                BeginSearch::Unknown => continue,
            };
            if first >= argc {
                continue;
            }
            match ks.find {
                FindKeys::Range { lastkey, step, limit } => {
                    let last = if lastkey >= 0 {
                        first + lastkey
                    } else if limit <= 1 {
                        argc + lastkey
                    } else {
                        first + ((argc - first) / limit + lastkey)
                    };
                    let mut i = first;
                    while i <= last && i < argc {
                        out.push((i as usize, ks.flags));
                        i += step.max(1);
                    }
                }
                FindKeys::Keynum { keynumidx, firstkey, step } => {
                    let idx = first + keynumidx;
                    if idx >= argc {
                        continue;
                    }
                    let n =
                        match std::str::from_utf8(argv[idx as usize].as_ref()).ok().and_then(|s| s.parse::<i64>().ok())
                        {
                            Some(n) if n >= 0 => n as i32,
                            _ => continue,
                        };
                    let start = first + firstkey;
                    for k in 0..n {
                        let p = start + k * step.max(1);
                        if p < argc {
                            out.push((p as usize, ks.flags));
                        }
                    }
                }
                FindKeys::Unknown => {}
            }
        }
        out
    }

    /// The keys COMMAND GETKEYS reports: like [`Self::key_positions_with_flags`] without the
    /// not_key specs, but None when any spec points outside the arguments, cannot read its key
    /// count, or is incomplete (Redis then calls the arguments invalid).
    pub fn key_positions_strict(&self, argv: &[impl AsRef<[u8]>]) -> Option<Vec<(usize, u32)>> {
        let argc = argv.len() as i32;
        let mut out = Vec::new();
        for ks in self.key_specs {
            if ks.flags & kflags::NOT_KEY != 0 {
                continue;
            }
            let mut first = match ks.begin {
                BeginSearch::Index(i) => i,
                BeginSearch::Keyword { keyword, startfrom } => {
                    // the search stops before the last argument going forward, before the
                    // command name going backward
                    let (start, end) = if startfrom > 0 { (startfrom, argc - 1) } else { (argc + startfrom, 1) };
                    let mut found = 0;
                    let mut i = start;
                    while i != end {
                        if i >= argc || i < 1 {
                            break;
                        }
                        if argv[i as usize].as_ref().eq_ignore_ascii_case(keyword.as_bytes()) {
                            found = i + 1;
                            break;
                        }
                        i = if start <= end { i + 1 } else { i - 1 };
                    }
                    if found == 0 {
                        continue;
                    }
                    found
                }
                BeginSearch::Unknown => return None,
            };
            let (last, step) = match ks.find {
                FindKeys::Range { lastkey, step, limit } => {
                    let last = if lastkey >= 0 {
                        first + lastkey
                    } else if limit == 0 {
                        argc + lastkey
                    } else {
                        first + ((argc - first) / limit + lastkey)
                    };
                    (last, step)
                }
                FindKeys::Keynum { keynumidx, firstkey, step } => {
                    let idx = first + keynumidx;
                    if keynumidx >= argc || idx >= argc {
                        return None;
                    }
                    let n = std::str::from_utf8(argv[idx as usize].as_ref()).ok()?.parse::<i64>().ok()?;
                    if n < 0 {
                        return None;
                    }
                    first += firstkey;
                    (first.saturating_add(n.min(i32::MAX as i64) as i32) - 1, step)
                }
                FindKeys::Unknown => return None,
            };
            if last >= argc || last < first || first >= argc {
                return None;
            }
            let mut i = first;
            while i <= last {
                out.push((i as usize, ks.flags));
                i += step.max(1);
            }
            if ks.flags & kflags::INCOMPLETE != 0 {
                return None;
            }
        }
        Some(out)
    }

    /// The full name as INFO commandstats and error messages print it ("config|get").
    pub fn full_name(&self, parent: Option<&CommandSpec>) -> String {
        match parent {
            Some(p) => format!("{}|{}", p.name, self.name),
            None => self.name.to_string(),
        }
    }
}

/// Shorthands used by the command declarations in `cmd/*.rs`.
pub mod decl {
    use super::*;

    pub const fn ks(flags: u32, begin: BeginSearch, find: FindKeys) -> KeySpec {
        KeySpec { notes: "", flags, begin, find }
    }
    /// The common "key at index i, just one" spec.
    pub const fn ks1(flags: u32, i: i32) -> KeySpec {
        ks(flags, BeginSearch::Index(i), FindKeys::Range { lastkey: 0, step: 1, limit: 0 })
    }
    /// Keys from index i to the last argument, every `step`.
    pub const fn ks_all(flags: u32, i: i32, step: i32) -> KeySpec {
        ks(flags, BeginSearch::Index(i), FindKeys::Range { lastkey: -1, step, limit: 0 })
    }
    pub const fn arg(name: &'static str, typ: ArgType) -> Arg {
        Arg {
            name,
            typ,
            key_spec_index: -1,
            token: None,
            summary: None,
            since: None,
            flags: 0,
            deprecated_since: None,
            display: None,
            subargs: &[],
        }
    }
    pub const fn key(name: &'static str, spec: i32) -> Arg {
        let mut a = arg(name, ArgType::Key);
        a.key_spec_index = spec;
        a
    }
    pub const fn token(name: &'static str, tok: &'static str) -> Arg {
        let mut a = arg(name, ArgType::PureToken);
        a.token = Some(tok);
        a
    }
    pub const fn opt(mut a: Arg) -> Arg {
        a.flags |= argflags::OPTIONAL;
        a
    }
    pub const fn multi(mut a: Arg) -> Arg {
        a.flags |= argflags::MULTIPLE;
        a
    }
    pub const fn tok(mut a: Arg, t: &'static str) -> Arg {
        a.token = Some(t);
        a
    }
    pub const fn since(mut a: Arg, s: &'static str) -> Arg {
        a.since = Some(s);
        a
    }
    pub const fn oneof(name: &'static str, subargs: &'static [Arg]) -> Arg {
        let mut a = arg(name, ArgType::Oneof);
        a.subargs = subargs;
        a
    }
    pub const fn block(name: &'static str, subargs: &'static [Arg]) -> Arg {
        let mut a = arg(name, ArgType::Block);
        a.subargs = subargs;
        a
    }
    pub const fn doc(
        summary: &'static str,
        since: &'static str,
        group: Group,
        complexity: &'static str,
        args: &'static [Arg],
    ) -> Doc {
        Doc {
            summary,
            since,
            group,
            complexity: Some(complexity),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args,
        }
    }
}
