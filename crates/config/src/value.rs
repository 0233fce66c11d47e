//! How each kind of value is parsed from arguments, shown by CONFIG GET and written by CONFIG
//! REWRITE, with Redis's exact error texts. One `Value` implementation per Rust field type;
//! the two special parameters that share a Rust type with ordinary ones (`dir` is a `String`,
//! `notify-keyspace-events` a `u32`) are told apart by their table kind. This module knows the
//! `Config` fields only where a parameter's rule depends on another one (`proc-title-template`
//! validation, `save` and output buffer limits merging with the current value, `replicaof` not
//! being rewritten in cluster mode, relative `dir`).

use crate::num::{format_f_trimmed, format_memory_rewrite, memtoull, string2d, string2ll, strtoll};
use crate::rewrite::RewriteState;
use crate::syntax::{cstr, repr};
use crate::table::{Check, IntUnit, Kind, Param, Special};
use crate::types::*;
use crate::Config;

/// What parsing may look at besides the arguments.
pub(crate) struct ParseCx<'a> {
    /// The configuration before this change.
    pub cfg: &'a Config,
    /// `save` rules are appended to the current ones instead of replacing them (the second and
    /// later `save` lines of a config file).
    pub save_append: bool,
}

/// What rewriting may look at.
pub(crate) struct RewriteCx<'a> {
    pub cfg: &'a Config,
}

/// A parameter's value type.
pub(crate) trait Value: Sized {
    /// Parses the arguments of a config line or CONFIG SET into a new value.
    fn parse(p: &Param, args: &[&[u8]], cx: &ParseCx) -> Result<Self, String>;
    /// The CONFIG GET form.
    fn format(&self, p: &Param) -> String;
    /// Feeds CONFIG REWRITE with the line(s) for this value.
    fn rewrite(&self, default: &Self, p: &Param, cx: &RewriteCx, st: &mut RewriteState);
}

const WRONG_ARGS: &str = "wrong number of arguments";

fn one<'a>(args: &[&'a [u8]]) -> Result<&'a [u8], String> {
    match args {
        [a] => Ok(a),
        _ => Err(WRONG_ARGS.to_string()),
    }
}

fn utf8(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "argument must be valid UTF-8 (vireo limitation)".to_string())
}

// ---------------------------------------------------------------------------------------------
// Booleans

impl Value for bool {
    fn parse(p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<bool, String> {
        let a = cstr(one(args)?);
        let v = if a.eq_ignore_ascii_case(b"yes") {
            true
        } else if a.eq_ignore_ascii_case(b"no") {
            false
        } else {
            return Err("argument must be 'yes' or 'no'".to_string());
        };
        if p.check == Check::ActiveDefrag && v {
            // The reference build (Debian) has no active defragmentation, and neither has vireo.
            return Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a \
                        modified Jemalloc like the one shipped by default with the Redis source distribution"
                .to_string());
        }
        Ok(v)
    }

    fn format(&self, _p: &Param) -> String {
        yes_no(*self).to_string()
    }

    fn rewrite(&self, default: &bool, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        st.rewrite_line(p.name, format!("{} {}", p.name, yes_no(*self)), self != default);
    }
}

fn yes_no(v: bool) -> &'static str {
    if v {
        "yes"
    } else {
        "no"
    }
}

// ---------------------------------------------------------------------------------------------
// Integers

fn int_spec(p: &Param) -> (i64, i64, IntUnit) {
    match p.kind {
        Kind::Int { min, max, unit } => (min, max, unit),
        _ => (i64::MIN, i64::MAX, IntUnit::Plain),
    }
}

/// Redis's numericParseString() followed by numericBoundaryCheck(). `unsigned`: the field is
/// one of Redis's unsigned types, whose bounds compare as unsigned.
fn parse_int(p: &Param, args: &[&[u8]], unsigned: bool) -> Result<i64, String> {
    let a = one(args)?;
    let (min, max, unit) = int_spec(p);
    let mut parsed = None;
    if matches!(unit, IntUnit::Memory | IntUnit::MemoryOrPercent) {
        parsed = memtoull(a).map(|v| v as i64);
    }
    if parsed.is_none() && unit == IntUnit::MemoryOrPercent && a.len() > 1 && a[a.len() - 1] == b'%' {
        parsed = string2ll(&a[..a.len() - 1]).filter(|v| *v >= 0).map(|v| -v);
    }
    if parsed.is_none() && unit == IntUnit::Octal {
        let r = strtoll(a, 8);
        if r.complete && !r.overflow {
            parsed = Some(r.value);
        }
    }
    if parsed.is_none() && unit == IntUnit::Plain {
        parsed = string2ll(a);
    }
    let Some(v) = parsed else {
        return Err(match unit {
            IntUnit::MemoryOrPercent => "argument must be a memory or percent value",
            IntUnit::Memory => "argument must be a memory value",
            IntUnit::Octal => "argument couldn't be parsed as an octal number",
            IntUnit::Plain => "argument couldn't be parsed into an integer",
        }
        .to_string());
    };
    if unsigned {
        let (u, lo, hi) = (v as u64, min as u64, max as u64);
        if u > hi || u < lo {
            return Err(if unit == IntUnit::Octal {
                format!("argument must be between {:o} and {:o} inclusive", lo, hi)
            } else {
                format!("argument must be between {} and {} inclusive", lo, hi)
            });
        }
    } else if unit == IntUnit::MemoryOrPercent && v < 0 {
        if v < min {
            return Err(format!("percentage argument must be less or equal to {}", -min));
        }
    } else if v > max || v < min {
        return Err(format!("argument must be between {} and {} inclusive", min, max));
    }
    Ok(v)
}

fn format_int(p: &Param, v: i64) -> String {
    match int_spec(p).2 {
        IntUnit::MemoryOrPercent if v < 0 => format!("{}%", v.unsigned_abs()),
        IntUnit::Memory | IntUnit::MemoryOrPercent => (v as u64).to_string(),
        IntUnit::Octal => format!("{:o}", v as u64),
        IntUnit::Plain => v.to_string(),
    }
}

fn rewrite_int(p: &Param, v: i64, default: i64, st: &mut RewriteState) {
    let text = match int_spec(p).2 {
        IntUnit::MemoryOrPercent if v < 0 => format!("{}%", v.unsigned_abs()),
        IntUnit::Memory | IntUnit::MemoryOrPercent => format_memory_rewrite(v),
        IntUnit::Octal => format!("{:o}", v as u64),
        IntUnit::Plain => v.to_string(),
    };
    st.rewrite_line(p.name, format!("{} {}", p.name, text), v != default);
}

macro_rules! int_value {
    ($($t:ty => $unsigned:expr),* $(,)?) => {$(
        impl Value for $t {
            fn parse(p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<$t, String> {
                parse_int(p, args, $unsigned).map(|v| v as $t)
            }
            fn format(&self, p: &Param) -> String {
                format_int(p, *self as i64)
            }
            fn rewrite(&self, default: &$t, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
                rewrite_int(p, *self as i64, *default as i64, st)
            }
        }
    )*};
}

int_value!(u16 => false, i32 => false, i64 => false, u64 => true, usize => true);

/// `u32` is both an integer kind (`maxclients`, `unixsocketperm`) and the flag set of
/// `notify-keyspace-events`.
impl Value for u32 {
    fn parse(p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<u32, String> {
        if p.kind == Kind::Special(Special::NotifyKeyspaceEvents) {
            return notify::parse(cstr(one(args)?))
                .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".to_string());
        }
        parse_int(p, args, true).map(|v| v as u32)
    }

    fn format(&self, p: &Param) -> String {
        if p.kind == Kind::Special(Special::NotifyKeyspaceEvents) {
            return notify::format(*self);
        }
        format_int(p, i64::from(*self))
    }

    fn rewrite(&self, default: &u32, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        if p.kind == Kind::Special(Special::NotifyKeyspaceEvents) {
            let line = format!("{} {}", p.name, repr(notify::format(*self).as_bytes()));
            st.rewrite_line(p.name, line, *self != 0);
            return;
        }
        rewrite_int(p, i64::from(*self), i64::from(*default), st)
    }
}

// ---------------------------------------------------------------------------------------------
// Enumerations

/// Redis's enum error: every name, truncated to its 255-byte buffer.
fn enum_error(names: &[(&str, i32)]) -> String {
    let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    let mut msg = format!("argument(s) must be one of the following: {}", list.join(", "));
    msg.truncate(255);
    msg
}

/// configEnumGetValue(): one name, or several OR-ed when `bitflags`.
fn enum_value(names: &[(&str, i32)], args: &[&[u8]], bitflags: bool) -> Result<i32, String> {
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return Err(enum_error(names));
    }
    let mut value = 0;
    for a in args {
        let a = cstr(a);
        let mut matched = false;
        for (n, v) in names {
            if n.as_bytes().eq_ignore_ascii_case(a) {
                value |= v;
                matched = true;
            }
        }
        if !matched {
            return Err(enum_error(names));
        }
    }
    Ok(value)
}

/// configEnumGetName() for flag sets: an exact name, else the names covering the bits in table
/// order, else "unknown".
fn flags_name(names: &[(&'static str, i32)], value: i32) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut unmatched = value;
    for (n, v) in names {
        if *v == value {
            return n.to_string();
        }
        if *v != 0 && *v == (unmatched & v) {
            out.push(n);
            unmatched &= !v;
        }
    }
    if out.is_empty() || unmatched != 0 {
        "unknown".to_string()
    } else {
        out.join(" ")
    }
}

macro_rules! enum_value {
    ($($t:ty),* $(,)?) => {$(
        impl Value for $t {
            fn parse(_p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<$t, String> {
                let v = enum_value(<$t as ConfEnum>::TABLE, args, false)?;
                <$t as ConfEnum>::from_i32(v).ok_or_else(|| enum_error(<$t as ConfEnum>::TABLE))
            }
            fn format(&self, _p: &Param) -> String {
                ConfEnum::name(*self).to_string()
            }
            fn rewrite(&self, default: &$t, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
                st.rewrite_line(p.name, format!("{} {}", p.name, ConfEnum::name(*self)), self != default);
            }
        }
    )*};
}

enum_value!(
    SupervisedMode,
    SyslogFacility,
    ReplDisklessLoad,
    LogLevel,
    MaxmemoryPolicy,
    AppendFsync,
    OomScoreAdj,
    AclPubsubDefault,
    SanitizeDumpPayload,
    ProtectedAction,
    ClusterEndpointType,
    PropagationErrorBehavior,
    TlsAuthClients,
);

impl Value for ShutdownFlags {
    fn parse(_p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<ShutdownFlags, String> {
        let v = enum_value(ShutdownFlags::TABLE, args, true)? as u32;
        if v & ShutdownFlags::SAVE != 0 && v & ShutdownFlags::NOSAVE != 0 {
            return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".to_string());
        }
        Ok(ShutdownFlags(v))
    }

    fn format(&self, _p: &Param) -> String {
        flags_name(ShutdownFlags::TABLE, self.0 as i32)
    }

    fn rewrite(&self, default: &ShutdownFlags, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        let line = format!("{} {}", p.name, flags_name(ShutdownFlags::TABLE, self.0 as i32));
        st.rewrite_line(p.name, line, self != default);
    }
}

// ---------------------------------------------------------------------------------------------
// Strings (and `dir`)

fn is_base_name(s: &str) -> bool {
    !s.contains('/') && !s.contains('\\')
}

fn check_string(p: &Param, v: &str, cfg: &Config) -> Result<(), String> {
    let err = |m: &str| Err(m.to_string());
    match p.check {
        Check::DbFilename if !is_base_name(v) => err("dbfilename can't be a path, just a filename"),
        Check::AofFilename if v.is_empty() => err("appendfilename can't be empty"),
        Check::AofFilename if !is_base_name(v) => err("appendfilename can't be a path, just a filename"),
        Check::AofDirname if v.is_empty() => err("appenddirname can't be empty"),
        Check::AofDirname if !is_base_name(v) => err("appenddirname can't be a path, just a dirname"),
        Check::Hostname if v.len() >= 256 => err("Hostnames must be less than 256 characters"),
        Check::Hostname if !v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.') => {
            err("Hostnames may only contain alphanumeric characters, hyphens or dots")
        }
        Check::ProcTitle if !proc_title_template_ok(v, cfg) => {
            err("template format is invalid or contains unknown variables")
        }
        _ => Ok(()),
    }
}

/// Expands a proc-title template as Redis validates it (with an empty title): `{{` is a literal
/// brace, unknown variables or an unclosed `{` are invalid, and the result trimmed of spaces
/// must not be empty.
pub(crate) fn proc_title_template_ok(template: &str, cfg: &Config) -> bool {
    let mut out = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(open) = rest.find('{') else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return false;
        }
        if let Some(r) = after.strip_prefix('{') {
            out.push('{');
            rest = r;
            continue;
        }
        let Some(close) = after.find('}') else { return false };
        let value = match &after[..close] {
            "title" => String::new(),
            "listen-addr" => {
                if cfg.port != 0 || cfg.tls_port != 0 {
                    let addr = cfg.bind.first().map(String::as_str).unwrap_or("*");
                    format!("{}:{}", addr, if cfg.port != 0 { cfg.port } else { cfg.tls_port })
                } else {
                    format!("unixsocket:{}", cfg.unixsocket)
                }
            }
            "server-mode" => {
                if cfg.cluster_enabled {
                    "[cluster]".to_string()
                } else if cfg.sentinel_mode {
                    "[sentinel]".to_string()
                } else {
                    String::new()
                }
            }
            // The config file path or "-": never empty.
            "config-file" => "-".to_string(),
            "port" => cfg.port.to_string(),
            "tls-port" => cfg.tls_port.to_string(),
            "unixsocket" => cfg.unixsocket.clone(),
            _ => return false,
        };
        out.push_str(&value);
        rest = &after[close + 1..];
    }
    !out.trim_matches(' ').is_empty()
}

/// The C text of an strerror() for an I/O error.
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn parse_dir(arg: &[u8], cfg: &Config) -> Result<String, String> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(cstr(arg)));
    let full = if path.is_absolute() { path.to_path_buf() } else { std::path::Path::new(&cfg.dir).join(path) };
    if path.as_os_str().is_empty() {
        return Err(strerror(&std::io::Error::from_raw_os_error(2)));
    }
    let canon = std::fs::canonicalize(&full).map_err(|e| strerror(&e))?;
    if !canon.is_dir() {
        return Err(strerror(&std::io::Error::from_raw_os_error(20)));
    }
    canon.into_os_string().into_string().map_err(|_| "argument must be valid UTF-8 (vireo limitation)".to_string())
}

impl Value for String {
    fn parse(p: &Param, args: &[&[u8]], cx: &ParseCx) -> Result<String, String> {
        let a = one(args)?;
        if p.kind == Kind::Special(Special::Dir) {
            return parse_dir(a, cx.cfg);
        }
        let binary = matches!(p.kind, Kind::Str { binary: true, .. });
        let v = utf8(if binary { a } else { cstr(a) })?;
        check_string(p, &v, cx.cfg)?;
        Ok(v)
    }

    fn format(&self, _p: &Param) -> String {
        self.clone()
    }

    fn rewrite(&self, default: &String, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        let (empty_is_null, force) = match p.kind {
            // `dir` is always written (Redis writes its current directory).
            Kind::Special(Special::Dir) => (false, true),
            Kind::Str { empty_is_null: true, .. } => (true, true),
            _ => (false, self != default),
        };
        if empty_is_null && self.is_empty() {
            st.mark_processed(p.name);
            return;
        }
        st.rewrite_line(p.name, format!("{} {}", p.name, repr(self.as_bytes())), force);
    }
}

// ---------------------------------------------------------------------------------------------
// Special parameters with their own types

impl Value for Vec<SaveRule> {
    fn parse(_p: &Param, args: &[&[u8]], cx: &ParseCx) -> Result<Vec<SaveRule>, String> {
        let invalid = || "Invalid save parameters".to_string();
        // A single empty argument means "no save points" and always resets.
        let reset_all = args.len() == 1 && cstr(args[0]).is_empty();
        let args = if reset_all { &[][..] } else { args };
        if args.len() % 2 == 1 {
            return Err(invalid());
        }
        let mut rules = Vec::with_capacity(args.len() / 2);
        for pair in args.chunks(2) {
            let (secs, changes) = (strtoll(pair[0], 10), strtoll(pair[1], 10));
            if !secs.complete || secs.value < 1 || !changes.complete || changes.value < 0 {
                return Err(invalid());
            }
            rules.push(SaveRule { seconds: secs.value, changes: changes.value as i32 });
        }
        if cx.save_append && !reset_all {
            let mut all = cx.cfg.save.clone();
            all.extend(rules);
            return Ok(all);
        }
        Ok(rules)
    }

    fn format(&self, _p: &Param) -> String {
        let parts: Vec<String> = self.iter().map(|r| format!("{} {}", r.seconds, r.changes)).collect();
        parts.join(" ")
    }

    fn rewrite(&self, _default: &Vec<SaveRule>, p: &Param, cx: &RewriteCx, st: &mut RewriteState) {
        if !cx.cfg.sentinel_mode {
            if self.is_empty() {
                st.rewrite_line(p.name, format!("{} \"\"", p.name), true);
            }
            for r in self {
                st.rewrite_line(p.name, format!("{} {} {}", p.name, r.seconds, r.changes), true);
            }
        }
        st.mark_processed(p.name);
    }
}

fn obuf_class(name: &[u8]) -> Option<usize> {
    let n = cstr(name);
    if n.eq_ignore_ascii_case(b"normal") {
        Some(ObufClass::Normal as usize)
    } else if n.eq_ignore_ascii_case(b"slave") || n.eq_ignore_ascii_case(b"replica") {
        Some(ObufClass::Replica as usize)
    } else if n.eq_ignore_ascii_case(b"pubsub") {
        Some(ObufClass::Pubsub as usize)
    } else {
        None
    }
}

const OBUF_NAMES: [&str; 3] = ["normal", "slave", "pubsub"];

impl Value for [ObufLimit; 3] {
    fn parse(_p: &Param, args: &[&[u8]], cx: &ParseCx) -> Result<[ObufLimit; 3], String> {
        if !args.len().is_multiple_of(4) {
            return Err("Wrong number of arguments in buffer limit configuration.".to_string());
        }
        let mut limits = cx.cfg.client_output_buffer_limit;
        for group in args.chunks(4) {
            let Some(class) = obuf_class(group[0]) else {
                return Err("Invalid client class specified in buffer limit configuration.".to_string());
            };
            let (hard, soft) = (memtoull(group[1]), memtoull(group[2]));
            let secs = strtoll(group[3], 10);
            let seconds = secs.value as i32;
            let (Some(hard), Some(soft)) = (hard, soft) else {
                return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".to_string());
            };
            if seconds < 0 || !secs.complete {
                return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".to_string());
            }
            limits[class] =
                ObufLimit { hard_limit_bytes: hard, soft_limit_bytes: soft, soft_limit_seconds: i64::from(seconds) };
        }
        Ok(limits)
    }

    fn format(&self, _p: &Param) -> String {
        let parts: Vec<String> = self
            .iter()
            .zip(OBUF_NAMES)
            .map(|(l, n)| format!("{} {} {} {}", n, l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds))
            .collect();
        parts.join(" ")
    }

    fn rewrite(&self, _default: &[ObufLimit; 3], p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        for (i, l) in self.iter().enumerate() {
            let name = if i == ObufClass::Replica as usize { "replica" } else { OBUF_NAMES[i] };
            let line = format!(
                "{} {} {} {} {}",
                p.name,
                name,
                format_memory_rewrite(l.hard_limit_bytes as i64),
                format_memory_rewrite(l.soft_limit_bytes as i64),
                l.soft_limit_seconds
            );
            st.rewrite_line(p.name, line, *l != OBUF_DEFAULTS[i]);
        }
    }
}

impl Value for [i32; 3] {
    fn parse(_p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<[i32; 3], String> {
        if args.len() != 3 {
            return Err(WRONG_ARGS.to_string());
        }
        let mut v = [0; 3];
        for (slot, a) in v.iter_mut().zip(args) {
            let r = strtoll(a, 10);
            if !r.complete || !(-2000..=2000).contains(&r.value) {
                return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".to_string());
            }
            *slot = r.value as i32;
        }
        Ok(v)
    }

    fn format(&self, _p: &Param) -> String {
        format!("{} {} {}", self[0], self[1], self[2])
    }

    fn rewrite(&self, default: &[i32; 3], p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        let line = format!("{} {} {} {}", p.name, self[0], self[1], self[2]);
        st.rewrite_line(p.name, line, self != default);
    }
}

/// Redis's maximum number of bind addresses.
pub const BIND_MAX: usize = 16;

impl Value for Vec<String> {
    fn parse(_p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<Vec<String>, String> {
        if args.len() > BIND_MAX {
            return Err("Too many bind addresses specified.".to_string());
        }
        if args.len() == 1 && args[0].is_empty() {
            return Ok(Vec::new());
        }
        args.iter().map(|a| utf8(cstr(a))).collect()
    }

    fn format(&self, _p: &Param) -> String {
        self.join(" ")
    }

    fn rewrite(&self, default: &Vec<String>, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        if self == default {
            st.mark_processed(p.name);
            return;
        }
        let addrs = if self.is_empty() { "\"\"".to_string() } else { self.join(" ") };
        st.rewrite_line(p.name, format!("{} {}", p.name, addrs), true);
    }
}

impl Value for Option<ReplicaOf> {
    fn parse(_p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<Option<ReplicaOf>, String> {
        let [host, port] = args else {
            return Err(WRONG_ARGS.to_string());
        };
        if cstr(host).eq_ignore_ascii_case(b"no") && cstr(port).eq_ignore_ascii_case(b"one") {
            return Ok(None);
        }
        let r = strtoll(port, 10);
        if !r.complete || !(0..=65535).contains(&r.value) {
            return Err("Invalid master port".to_string());
        }
        Ok(Some(ReplicaOf { host: utf8(cstr(host))?, port: r.value as u16 }))
    }

    fn format(&self, _p: &Param) -> String {
        match self {
            Some(r) => format!("{} {}", r.host, r.port),
            None => String::new(),
        }
    }

    fn rewrite(&self, _default: &Option<ReplicaOf>, p: &Param, cx: &RewriteCx, st: &mut RewriteState) {
        match self {
            Some(r) if !cx.cfg.cluster_enabled => {
                st.rewrite_line(p.name, format!("{} {} {}", p.name, r.host, r.port), true)
            }
            _ => st.mark_processed(p.name),
        }
    }
}

impl Value for Vec<f64> {
    fn parse(_p: &Param, args: &[&[u8]], _cx: &ParseCx) -> Result<Vec<f64>, String> {
        if args.len() == 1 && args[0].is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            let Some(v) = string2d(a) else {
                return Err("Invalid latency-tracking-info-percentiles parameters".to_string());
            };
            if !(0.0..=100.0).contains(&v) {
                return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".to_string());
            }
            out.push(v);
        }
        Ok(out)
    }

    fn format(&self, _p: &Param) -> String {
        let parts: Vec<String> = self.iter().map(|v| format_f_trimmed(*v)).collect();
        parts.join(" ")
    }

    fn rewrite(&self, _default: &Vec<f64>, p: &Param, _cx: &RewriteCx, st: &mut RewriteState) {
        let mut line = p.name.to_string();
        if self.is_empty() {
            line.push_str(" \"\"");
        }
        for v in self {
            line.push(' ');
            line.push_str(&format_f_trimmed(*v));
        }
        st.rewrite_line(p.name, line, true);
    }
}
