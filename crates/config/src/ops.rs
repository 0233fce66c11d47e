//! CONFIG GET and CONFIG SET on a `Config`, with Redis 7.0.15's rules and error texts: GET takes
//! several patterns, matches names and aliases case-insensitively, skips hidden parameters
//! unless named exactly and never repeats an entry; SET checks every name first (unknown,
//! immutable, protected, loading, duplicate: the first problem wins), then parses the values in
//! order and either applies all of them or none. The server runs the apply hooks of the changed
//! parameters and rolls back with the returned records if one fails. Also the startup report of
//! directives that are stored but not implemented.

use crate::flags;
use crate::table::{lookup, param, ApplyHook, ParamId, PARAMS};
use crate::{Config, ParamValue};

/// Where a CONFIG SET comes from.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SetContext {
    /// A dataset is being loaded (DENY_LOADING parameters are refused with -LOADING).
    pub loading: bool,
    /// The client is local (unix socket or loopback), for `enable-protected-configs local`.
    pub local_client: bool,
}

/// One parameter changed by CONFIG SET.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeRecord {
    /// The parameter.
    pub id: ParamId,
    /// The name used in the command, lower-cased (the alias if an alias was used), for error
    /// messages: `CONFIG SET failed (possibly related to argument '<name>') - ...`.
    pub name: &'static str,
    /// The value before the command.
    pub old: ParamValue,
    /// Whether the server must run the parameter's apply hook (the value changed, or the
    /// parameter is re-applied even when unchanged, as Redis does for `bind`, `save`, `dir` and
    /// the TLS files).
    pub changed: bool,
}

/// Redis's reply while loading.
pub const LOADING_ERROR: &str = "LOADING Redis is loading the dataset in memory";

/// The error reply of a CONFIG SET whose value or apply hook failed.
pub fn set_failed(name: &str, message: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{}') - {}", name, message)
}

/// The apply hooks to run after a successful [`Config::set`], each once, in the order of their
/// first changed parameter, with that parameter's name for the error message.
pub fn apply_hooks(changes: &[ChangeRecord]) -> Vec<(ApplyHook, &'static str)> {
    let mut hooks: Vec<(ApplyHook, &'static str)> = Vec::new();
    for c in changes.iter().filter(|c| c.changed) {
        if let Some(h) = param(c.id).apply {
            if !hooks.iter().any(|(x, _)| *x == h) {
                hooks.push((h, c.name));
            }
        }
    }
    hooks
}

/// Parameters whose CONFIG SET always counts as a change (Redis's special setters return "1").
fn always_changes(id: ParamId) -> bool {
    let p = param(id);
    p.has(flags::VOLATILE)
        || matches!(
            id,
            ParamId::Dir
                | ParamId::Save
                | ParamId::ClientOutputBufferLimit
                | ParamId::NotifyKeyspaceEvents
                | ParamId::Bind
                | ParamId::Replicaof
                | ParamId::LatencyTrackingInfoPercentiles
        )
}

/// Whether a pattern has glob characters (else CONFIG GET looks the name up directly).
fn is_pattern(p: &[u8]) -> bool {
    p.iter().any(|c| matches!(c, b'[' | b'*' | b'?'))
}

impl Config {
    /// CONFIG GET: `(name, value)` pairs for every parameter matching any of the patterns. A
    /// name given exactly is returned as written (`CONFIG GET PORT` returns "PORT"); aliases are
    /// separate entries, as in Redis.
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        let mut out: Vec<(String, ParamId)> = Vec::new();
        let seen = |out: &Vec<(String, ParamId)>, name: &[u8]| {
            out.iter().any(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
        };
        for &pat in patterns {
            if !is_pattern(pat) {
                if seen(&out, pat) {
                    continue;
                }
                if let Some((p, _)) = lookup(pat) {
                    out.push((String::from_utf8_lossy(pat).into_owned(), p.id));
                }
                continue;
            }
            for p in PARAMS {
                if p.has(flags::HIDDEN) {
                    continue;
                }
                for name in std::iter::once(p.name).chain(p.alias) {
                    if !seen(&out, name.as_bytes()) && crate::glob::glob_match(pat, name.as_bytes(), true) {
                        out.push((name.to_string(), p.id));
                    }
                }
            }
        }
        out.into_iter().map(|(n, id)| (n, self.format_param(id))).collect()
    }

    /// CONFIG SET outside of loading, from a non-local client. See [`Config::set_with`].
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<ChangeRecord>, String> {
        self.set_with(pairs, &SetContext::default())
    }

    /// CONFIG SET of several parameters at once: either all are set or none, and the error is
    /// Redis's reply text (without the leading '-'). On success the records say what changed;
    /// run [`apply_hooks`] and, if one fails, [`Config::rollback`] the records, run the hooks
    /// again for the restored values, and reply [`set_failed`] with the hook's parameter name.
    pub fn set_with(&mut self, pairs: &[(&[u8], &[u8])], ctx: &SetContext) -> Result<Vec<ChangeRecord>, String> {
        // Names first: the first problem wins.
        let mut targets: Vec<(ParamId, bool, &'static str)> = Vec::with_capacity(pairs.len());
        for (name, _) in pairs {
            let Some((p, alias)) = lookup(name) else {
                return Err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(name)
                ));
            };
            let as_typed = String::from_utf8_lossy(name);
            if p.has(flags::IMMUTABLE) {
                return Err(set_failed(&as_typed, "can't set immutable config"));
            }
            if p.has(flags::PROTECTED) && !self.enable_protected_configs.allows(ctx.local_client) {
                return Err(set_failed(&as_typed, "can't set protected config"));
            }
            if ctx.loading && p.has(flags::DENY_LOADING) {
                return Err(LOADING_ERROR.to_string());
            }
            // The same parameter under its name and its alias is not a duplicate (Redis
            // registers them as two entries).
            if targets.iter().any(|(id, a, _)| *id == p.id && *a == alias) {
                return Err(set_failed(&as_typed, "duplicate parameter"));
            }
            let used = if alias { p.alias.unwrap_or(p.name) } else { p.name };
            targets.push((p.id, alias, used));
        }

        // Then values, in order, each seeing the previous ones; undo everything on error.
        let before: Vec<ParamValue> = targets.iter().map(|(id, _, _)| self.value(*id)).collect();
        let mut records = Vec::with_capacity(targets.len());
        for (i, ((id, _, used), (_, value))) in targets.iter().zip(pairs).enumerate() {
            let p = param(*id);
            let args: Vec<&[u8]> =
                if p.has(flags::MULTI_ARG) { crate::syntax::split_spaces(value) } else { vec![*value] };
            let current = self.value(*id);
            match self.parse_param(*id, &args, false) {
                Ok(new) => {
                    let changed = new != current || always_changes(*id);
                    self.restore(new);
                    if *id == ParamId::Hz {
                        self.hz = self.hz.clamp(1, 500);
                    }
                    records.push(ChangeRecord { id: *id, name: used, old: before[i].clone(), changed });
                }
                Err(e) => {
                    for old in before.into_iter().rev() {
                        self.restore(old);
                    }
                    return Err(set_failed(used, &e));
                }
            }
        }
        Ok(records)
    }

    /// Undoes a CONFIG SET (restores the old values, last change first).
    pub fn rollback(&mut self, changes: Vec<ChangeRecord>) {
        for c in changes.into_iter().rev() {
            self.restore(c.old);
        }
    }

    /// Names of the directives given in the config file or on the command line, not at their
    /// default, that vireo stores but does not implement yet (for a startup warning).
    pub fn unimplemented_directives(&self) -> Vec<&'static str> {
        let defaults = Config::default();
        let mut out: Vec<&'static str> = self
            .set_at_load
            .iter()
            .map(|id| param(*id))
            .filter(|p| !p.implemented() && !self.same_value(&defaults, p.id))
            .map(|p| p.name)
            .collect();
        let d = &self.directives;
        for (present, name) in [
            (!d.rename_commands.is_empty(), "rename-command"),
            (!d.users.is_empty(), "user"),
            (!d.loadmodules.is_empty(), "loadmodule"),
            (!d.module_configs.is_empty(), "<module>.<config>"),
            (!d.sentinel.is_empty(), "sentinel"),
        ] {
            if present && !crate::implemented::IMPLEMENTED.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// Whether a parameter was given in the config file or on the command line.
    pub fn was_set_at_load(&self, id: ParamId) -> bool {
        self.set_at_load.contains(&id)
    }
}

/// Whether CONFIG SET arguments for this name must be redacted (SENSITIVE parameters).
pub fn is_sensitive(name: &[u8]) -> bool {
    lookup(name).is_some_and(|(p, _)| p.has(flags::SENSITIVE))
}

/// The CONFIG GET form of a value (for code holding a [`ParamValue`]).
pub fn format_value(value: &ParamValue) -> String {
    let mut c = Config::default();
    let id = value.id();
    c.restore(value.clone());
    c.format_param(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::*;

    fn get(c: &Config, pats: &[&str]) -> Vec<(String, String)> {
        let p: Vec<&[u8]> = pats.iter().map(|s| s.as_bytes()).collect();
        c.get(&p)
    }

    fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<Vec<ChangeRecord>, String> {
        let p: Vec<(&[u8], &[u8])> = pairs.iter().map(|(a, b)| (a.as_bytes(), b.as_bytes())).collect();
        c.set(&p)
    }

    #[test]
    fn get_exact_patterns_aliases_and_dedup() {
        let c = Config::default();
        assert_eq!(get(&c, &["port"]), vec![("port".to_string(), "6379".to_string())]);
        assert_eq!(get(&c, &["PORT"]), vec![("PORT".to_string(), "6379".to_string())]);
        assert_eq!(get(&c, &["port", "PORT", "p?rt"]).len(), 1);
        assert_eq!(get(&c, &["PORT", "p*t"])[0].0, "PORT");
        assert_eq!(get(&c, &["p*t", "PORT"])[0].0, "port");
        let names: Vec<String> = get(&c, &["*slaveof*", "replicaof"]).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["slaveof", "replicaof"]);
        assert!(get(&c, &["nope"]).is_empty());
        assert!(get(&c, &[""]).is_empty());
        // Hidden parameters need their exact name.
        assert!(get(&c, &["use-exit*"]).is_empty());
        assert_eq!(get(&c, &["use-exit-on-panic"])[0].1, "no");
        assert_eq!(get(&c, &["*"]).len(), 192);
        assert_eq!(get(&c, &["maxmemory-*"]).len(), 4);
    }

    #[test]
    fn get_formats_like_redis() {
        let c = Config::default();
        let v = |n: &str| get(&c, &[n])[0].1.clone();
        assert_eq!(v("save"), "3600 1 300 100 60 10000");
        assert_eq!(
            v("client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        assert_eq!(v("bind"), "* -::*");
        assert_eq!(v("proto-max-bulk-len"), "536870912");
        assert_eq!(v("latency-tracking-info-percentiles"), "50 99 99.9");
        assert_eq!(v("oom-score-adj-values"), "0 200 800");
        assert_eq!(v("shutdown-on-sigint"), "default");
        assert_eq!(v("unixsocketperm"), "0");
        assert_eq!(v("replicaof"), "");
        assert_eq!(v("maxmemory-policy"), "noeviction");
        assert_eq!(v("proc-title-template"), "{title} {listen-addr} {server-mode}");
    }

    #[test]
    fn set_errors_match_redis() {
        // Captured from redis-server 7.0.15.
        let mut c = Config::default();
        let e = |c: &mut Config, pairs: &[(&str, &str)]| set(c, pairs).unwrap_err();
        assert_eq!(e(&mut c, &[("foo", "1")]), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
        assert_eq!(e(&mut c, &[("Foo", "1")]), "ERR Unknown option or number of arguments for CONFIG SET - 'Foo'");
        assert_eq!(
            e(&mut c, &[("port", "abc")]),
            "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"
        );
        assert_eq!(
            e(&mut c, &[("daemonize", "yes")]),
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
        );
        assert_eq!(
            e(&mut c, &[("DAEMONIZE", "yes")]),
            "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config"
        );
        assert_eq!(
            e(&mut c, &[("port", "1"), ("port", "2")]),
            "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate parameter"
        );
        assert_eq!(
            e(&mut c, &[("dir", "/tmp")]),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"
        );
        assert_eq!(
            e(&mut c, &[("dbfilename", "x.rdb")]),
            "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"
        );
        assert_eq!(
            e(&mut c, &[("maxmemory", "1"), ("foo", "2")]),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
        );
        assert_eq!(
            e(&mut c, &[("daemonize", "yes"), ("foo", "2")]),
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
        );
        assert_eq!(
            e(&mut c, &[("port", "abc"), ("daemonize", "yes")]),
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
        );
        assert_eq!(
            e(&mut c, &[("maxmemory", "abc"), ("port", "abc")]),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
        );
        assert_eq!(
            e(&mut c, &[("SLAVE-PRIORITY", "abc")]),
            "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer"
        );
        assert_eq!(
            e(&mut c, &[("save", "100")]),
            "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"
        );
        assert_eq!(
            e(&mut c, &[("save", "100 1  200 2")]),
            "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"
        );
        assert_eq!(
            e(&mut c, &[("shutdown-on-sigint", "")]),
            "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force"
        );
        assert_eq!(
            e(&mut c, &[("slaveof", "x")]),
            "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"
        );
        assert_eq!(
            e(&mut c, &[("timeout", "-1")]),
            "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"
        );
        assert_eq!(
            e(&mut c, &[("notify-keyspace-events", "K E")]),
            "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        );
        assert_eq!(
            e(&mut c, &[("client-output-buffer-limit", "normal 1 2")]),
            "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."
        );
        assert_eq!(
            e(&mut c, &[("oom-score-adj-values", "1  2 3")]),
            "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments"
        );
        assert_eq!(
            e(&mut c, &[("maxmemory-policy", "foo")]),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
        );
        assert_eq!(
            e(&mut c, &[("appendonly", "maybe")]),
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"
        );
        assert_eq!(
            e(&mut c, &[("unixsocket", "/tmp/x")]),
            "ERR CONFIG SET failed (possibly related to argument 'unixsocket') - can't set immutable config"
        );
        assert_eq!(
            e(&mut c, &[("enable-debug-command", "yes")]),
            "ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config"
        );
        assert_eq!(
            e(&mut c, &[("proc-title-template", "{title}")]),
            "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"
        );
        assert_eq!(
            e(&mut c, &[("cluster-announce-hostname", &"a".repeat(300))]),
            "ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames must be less than 256 characters"
        );
        // Nothing was changed by the failed calls.
        assert_eq!(c, Config::default());
        let loading = SetContext { loading: true, local_client: false };
        assert_eq!(c.set_with(&[(b"appendonly", b"yes")], &loading).unwrap_err(), LOADING_ERROR);
    }

    #[test]
    fn set_is_atomic_and_returns_records() {
        let mut c = Config::default();
        let err = set(&mut c, &[("maxmemory", "10mb"), ("timeout", "7"), ("port", "x")]).unwrap_err();
        assert!(err.contains("'port'"));
        assert_eq!(c, Config::default());
        let recs = set(&mut c, &[("maxmemory", "10mb"), ("timeout", "0"), ("port", "7000")]).unwrap();
        assert_eq!((c.maxmemory, c.port), (10 << 20, 7000));
        assert_eq!(recs.len(), 3);
        assert!(recs[0].changed && !recs[1].changed && recs[2].changed);
        assert_eq!(recs[0].old, ParamValue::Maxmemory(0));
        let hooks = apply_hooks(&recs);
        assert_eq!(hooks, vec![(ApplyHook::Maxmemory, "maxmemory"), (ApplyHook::Port, "port")]);
        c.rollback(recs);
        assert_eq!(c, Config::default());
    }

    #[test]
    fn set_details() {
        let mut c = Config::default();
        // An alias and its name are not duplicates; the last one wins.
        set(&mut c, &[("slave-read-only", "yes"), ("replica-read-only", "no")]).unwrap();
        assert!(!c.replica_read_only);
        set(&mut c, &[("save", "")]).unwrap();
        assert!(c.save.is_empty());
        set(&mut c, &[("save", "100 1 200 2")]).unwrap();
        assert_eq!(get(&c, &["save"])[0].1, "100 1 200 2");
        set(&mut c, &[("bind", "")]).unwrap();
        assert!(c.bind.is_empty());
        set(&mut c, &[("hz", "0")]).unwrap();
        assert_eq!(c.hz, 1);
        set(&mut c, &[("oom-score-adj", "relative")]).unwrap();
        assert_eq!(get(&c, &["oom-score-adj"])[0].1, "yes");
        set(&mut c, &[("maxmemory-clients", "18446744073709551615")]).unwrap();
        assert_eq!(get(&c, &["maxmemory-clients"])[0].1, "1%");
        set(&mut c, &[("client-output-buffer-limit", "normal 1 2 3")]).unwrap();
        assert_eq!(
            get(&c, &["client-output-buffer-limit"])[0].1,
            "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        set(&mut c, &[("latency-tracking-info-percentiles", "")]).unwrap();
        assert_eq!(get(&c, &["latency-tracking-info-percentiles"])[0].1, "");
        set(&mut c, &[("loglevel", "WARNING")]).unwrap();
        assert_eq!(c.loglevel, LogLevel::Warning);
        set(&mut c, &[("requirepass", "a b")]).unwrap();
        assert_eq!(c.requirepass, "a b");
        // Re-setting the same bind address list still re-binds.
        let r = set(&mut c, &[("bind", "")]).unwrap();
        assert!(r[0].changed);
        let mut p = Config { enable_protected_configs: ProtectedAction::Local, ..Config::default() };
        assert!(p.set(&[(b"dbfilename", b"x.rdb")]).is_err());
        let local = SetContext { loading: false, local_client: true };
        p.set_with(&[(b"dbfilename", b"x.rdb")], &local).unwrap();
        assert_eq!(p.dbfilename, "x.rdb");
    }

    #[test]
    fn set_dir_is_relative_to_the_current_dir() {
        let tmp = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        let sub = tmp.join(format!("vireo-config-dir-{}", std::process::id()));
        std::fs::create_dir_all(&sub).unwrap();
        let mut c = Config {
            enable_protected_configs: ProtectedAction::Yes,
            dir: tmp.display().to_string(),
            ..Config::default()
        };
        let name = sub.file_name().unwrap().to_str().unwrap().to_string();
        let recs = set(&mut c, &[("dir", &name)]).unwrap();
        assert_eq!(c.dir, sub.display().to_string());
        assert_eq!(apply_hooks(&recs), vec![(ApplyHook::Dir, "dir")]);
        assert_eq!(
            set(&mut c, &[("dir", "nope-nope")]).unwrap_err(),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
        );
        std::fs::remove_dir_all(&sub).unwrap();
    }

    #[test]
    fn unimplemented_report() {
        let mut c = Config::default();
        c.load_from(None, None, "port 7000\nmaxmemory 0\ncluster-enabled yes\nrename-command FOO BAR").unwrap();
        let u = c.unimplemented_directives();
        assert!(u.contains(&"cluster-enabled"));
        assert!(u.contains(&"rename-command"));
        assert!(!u.contains(&"port"));
        // maxmemory is at its default: nothing to report.
        assert!(!u.contains(&"maxmemory"));
        assert!(c.was_set_at_load(ParamId::Maxmemory));
    }

    #[test]
    fn debug_info_lists_debug_parameters() {
        let info = Config::default().debug_info();
        assert!(info.contains("replica-read-only yes\n"), "{}", info);
        assert!(info.contains("client-query-buffer-limit 1gb\n"), "{}", info);
        assert!(info.contains("io-threads 1\n"), "{}", info);
        assert!(!info.contains("port"), "{}", info);
        assert_eq!(info.lines().count(), PARAMS.iter().filter(|p| p.has(flags::DEBUG)).count());
    }

    #[test]
    fn sensitive_and_format_value() {
        assert!(is_sensitive(b"requirepass") && is_sensitive(b"MASTERAUTH") && !is_sensitive(b"port"));
        assert_eq!(format_value(&ParamValue::Maxmemory(1024)), "1024");
    }
}
