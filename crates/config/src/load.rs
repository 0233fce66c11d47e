//! Loading redis.conf text the way Redis's loadServerConfig()/loadServerConfigFromString() do:
//! the file, then stdin, then "\n" and the command-line options, read as one text; comments and
//! blank lines skipped; directive names case-insensitive; single-argument parameters must have
//! exactly one argument; a multi-argument parameter given as one argument is split again; later
//! lines override earlier ones (except `save`, whose lines accumulate); `include` (with glob
//! patterns) loads another file at that point; errors stop with Redis's exact fatal text. `dir`
//! is followed virtually (relative includes and the log file are resolved against it) instead of
//! calling chdir(): the server changes directory once loading succeeded.

use crate::syntax::{split_args, split_lines, trim};
use crate::table::{lookup, param, ParamId};
use crate::value::strerror;
use crate::{Config, ConfigLine, ModuleLoad};
use std::path::{Path, PathBuf};

/// The Redis version named in fatal config errors.
pub const REDIS_VERSION: &str = "7.0.15";

/// Why loading the configuration failed. Either way Redis exits with status 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The complete text Redis writes to stderr (starts with a newline, ends without one), e.g.
    /// "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at
    /// line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer".
    Fatal(String),
    /// A message Redis logs at WARNING level (in the log format, to the log file if already
    /// set), e.g. "Fatal error, can't open config file '/x.conf': No such file or directory".
    Log(String),
}

impl LoadError {
    /// A fatal error about one line: `lineno` counts from 1 in the text that contained it (the
    /// included file for errors inside an include).
    pub fn at_line(lineno: usize, line: &str, message: &str) -> LoadError {
        LoadError::Fatal(format!(
            "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}",
            REDIS_VERSION, lineno, line, message
        ))
    }

    /// A fatal error not tied to a line (checks done after the last line).
    pub fn general(message: &str) -> LoadError {
        LoadError::Fatal(format!("\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\n{}", REDIS_VERSION, message))
    }

    /// The text, without the trailing newline Redis prints after it.
    pub fn text(&self) -> &str {
        match self {
            LoadError::Fatal(t) | LoadError::Log(t) => t,
        }
    }

    /// Whether the text goes through the server's logger (else to stderr as is).
    pub fn is_log(&self) -> bool {
        matches!(self, LoadError::Log(_))
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl std::error::Error for LoadError {}

/// Directives Redis ignores for compatibility, with their exact argument count (name included).
const DEPRECATED: &[(&str, usize)] =
    &[("list-max-ziplist-entries", 2), ("list-max-ziplist-value", 2), ("lua-replicate-commands", 2)];

/// How deep `include` may nest (Redis has no limit and would overflow its stack).
const MAX_INCLUDE_DEPTH: usize = 64;

struct Loader<'a> {
    cfg: &'a mut Config,
    /// Redis's `reading_config_file`: set while a text is being read and cleared at the end of
    /// any text, including an included one (so `save` lines after an `include` replace).
    reading_file: bool,
    /// Whether a `save` line has already replaced the built-in save points.
    save_loaded: bool,
    depth: usize,
}

impl Config {
    /// Loads configuration text into this configuration, as `redis-server [file] [-] [options]`
    /// does: `file` (read here), then `stdin` (read by the caller), then "\n" and `options`
    /// (from [`crate::parse_args`]) form one text. Set `sentinel_mode` before calling when
    /// running as Sentinel.
    pub fn load_from(&mut self, file: Option<&Path>, stdin: Option<&str>, options: &str) -> Result<(), LoadError> {
        let mut text = Vec::new();
        if let Some(path) = file {
            text = read_config_files(&self.dir, &path.to_string_lossy())?;
        }
        if let Some(s) = stdin {
            text.extend_from_slice(s.as_bytes());
        }
        text.push(b'\n');
        text.extend_from_slice(options.as_bytes());
        let mut loader = Loader { cfg: self, reading_file: false, save_loaded: false, depth: 0 };
        loader.load_text(&text)
    }

    /// Loads a config text with no file, stdin or options framing (the text of one file).
    pub fn load_text(&mut self, text: &[u8]) -> Result<(), LoadError> {
        let mut loader = Loader { cfg: self, reading_file: false, save_loaded: false, depth: 0 };
        loader.load_text(text)
    }
}

/// Reads a config file, or every file matching a glob pattern (no match is not an error).
/// Relative paths are resolved against `cwd`.
fn read_config_files(cwd: &str, name: &str) -> Result<Vec<u8>, LoadError> {
    let cant_open = |shown: &str, e: &std::io::Error| {
        LoadError::Log(format!("Fatal error, can't open config file '{}': {}", shown, strerror(e)))
    };
    if name.contains(['*', '?', '[']) {
        let mut text = Vec::new();
        for path in glob_paths(cwd, name) {
            let shown = path.to_string_lossy().into_owned();
            let data = std::fs::read(resolve(cwd, &path)).map_err(|e| cant_open(&shown, &e))?;
            text.extend_from_slice(&data);
        }
        return Ok(text);
    }
    std::fs::read(resolve(cwd, Path::new(name))).map_err(|e| cant_open(name, &e))
}

fn resolve(cwd: &str, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        Path::new(cwd).join(path)
    }
}

/// The paths matching a glob(3)-style pattern, sorted, as glob() with no flags returns them
/// (written relative when the pattern is relative). Wildcards do not match a leading dot.
fn glob_paths(cwd: &str, pattern: &str) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    let mut found: Vec<PathBuf> = vec![PathBuf::new()];
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for base in &found {
            let on_disk = if absolute { Path::new("/").join(base) } else { resolve(cwd, base) };
            if !part.contains(['*', '?', '[']) {
                let p = base.join(part);
                let disk = on_disk.join(part);
                if (last && disk.exists()) || (!last && disk.is_dir()) {
                    next.push(p);
                }
                continue;
            }
            let Ok(entries) = std::fs::read_dir(if on_disk.as_os_str().is_empty() { Path::new(".") } else { &on_disk })
            else {
                continue;
            };
            let mut names: Vec<String> =
                entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
            names.sort();
            for n in names {
                if n.starts_with('.') && !part.starts_with('.') {
                    continue;
                }
                let pat = part.replace("[!", "[^");
                if crate::glob::glob_match(pat.as_bytes(), n.as_bytes(), false) {
                    let disk = on_disk.join(&n);
                    if last || disk.is_dir() {
                        next.push(base.join(&n));
                    }
                }
            }
        }
        found = next;
    }
    found
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| if absolute { Path::new("/").join(p) } else { p })
        .collect()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Loader<'_> {
    /// Redis's loadServerConfigFromString().
    fn load_text(&mut self, text: &[u8]) -> Result<(), LoadError> {
        self.reading_file = true;
        for (i, raw) in split_lines(text).into_iter().enumerate() {
            let lineno = i + 1;
            let line = trim(raw, b" \t\r\n");
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let shown = lossy(line);
            let fail = |msg: &str| LoadError::at_line(lineno, &shown, msg);
            let Some(mut argv) = split_args(line) else {
                return Err(fail("Unbalanced quotes in configuration line"));
            };
            if argv.is_empty() {
                continue;
            }
            argv[0].make_ascii_lowercase();
            let name = argv[0].clone();
            let argc = argv.len();

            if let Some((p, _)) = lookup(&name) {
                self.set_param(p.id, &argv[1..]).map_err(|e| fail(&e))?;
                continue;
            }
            if DEPRECATED.iter().any(|(n, c)| n.as_bytes() == name.as_slice() && *c == argc) {
                continue;
            }
            let source = || ConfigLine { lineno, text: shown.clone() };
            match name.as_slice() {
                b"include" if argc == 2 => self.include(&lossy(&argv[1]))?,
                b"rename-command" if argc == 3 => {
                    self.cfg.directives.rename_commands.push((lossy(&argv[1]), lossy(&argv[2]), source()))
                }
                b"user" if argc >= 2 => {
                    self.cfg.directives.users.push((argv[1..].iter().map(|a| lossy(a)).collect(), source()))
                }
                b"loadmodule" if argc >= 2 => self
                    .cfg
                    .directives
                    .loadmodules
                    .push(ModuleLoad { path: lossy(&argv[1]), args: argv[2..].iter().map(|a| lossy(a)).collect() }),
                _ if name.contains(&b'.') => {
                    if argc < 2 {
                        return Err(fail("Module config specified without value"));
                    }
                    let value: Vec<String> = argv[1..].iter().map(|a| lossy(a)).collect();
                    let key = lossy(&name);
                    let configs = &mut self.cfg.directives.module_configs;
                    match configs.iter_mut().find(|(k, _)| *k == key) {
                        Some(entry) => entry.1 = value.join(" "),
                        None => configs.push((key, value.join(" "))),
                    }
                }
                b"sentinel" => {
                    if argc != 1 {
                        if !self.cfg.sentinel_mode {
                            return Err(fail("sentinel directive while not in sentinel mode"));
                        }
                        self.cfg.directives.sentinel.push((argv[1..].iter().map(|a| lossy(a)).collect(), source()));
                    }
                }
                _ => return Err(fail("Bad directive or wrong number of arguments")),
            }
        }
        self.finish()?;
        self.reading_file = false;
        Ok(())
    }

    /// Sets one parameter from a config line's arguments.
    fn set_param(&mut self, id: ParamId, args: &[Vec<u8>]) -> Result<(), String> {
        let p = param(id);
        let multi = p.has(crate::flags::MULTI_ARG);
        if !multi && args.len() != 1 {
            return Err("wrong number of arguments".to_string());
        }
        // A multi-argument parameter given as one non-empty argument ("--save '900 1'") is split
        // again; unbalanced quotes in it give no arguments, as in Redis.
        let resplit: Vec<Vec<u8>>;
        let args: &[Vec<u8>] = if multi && args.len() == 1 && !args[0].is_empty() {
            resplit = split_args(&args[0]).unwrap_or_default();
            &resplit
        } else {
            args
        };
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        let save_append = self.reading_file && self.save_loaded;
        let value = self.cfg.parse_param(id, &refs, save_append)?;
        self.cfg.restore(value);
        if id == ParamId::Save && self.reading_file {
            self.save_loaded = true;
        }
        self.cfg.set_at_load.insert(id);
        Ok(())
    }

    fn include(&mut self, path: &str) -> Result<(), LoadError> {
        if self.depth >= MAX_INCLUDE_DEPTH {
            return Err(LoadError::general(&format!(
                "include nesting deeper than {} files at '{}'",
                MAX_INCLUDE_DEPTH, path
            )));
        }
        let text = read_config_files(&self.cfg.dir, path)?;
        self.depth += 1;
        let result = self.load_text(&text);
        self.depth -= 1;
        result
    }

    /// The checks Redis does after the last line of every text.
    fn finish(&mut self) -> Result<(), LoadError> {
        if !self.cfg.logfile.is_empty() {
            let path = resolve(&self.cfg.dir, Path::new(&self.cfg.logfile));
            if let Err(e) = std::fs::OpenOptions::new().append(true).create(true).open(path) {
                return Err(LoadError::general(&format!("Can't open the log file: {}", strerror(&e))));
            }
        }
        if self.cfg.cluster_enabled && self.cfg.replicaof.is_some() {
            return Err(LoadError::general("replicaof directive not allowed in cluster mode"));
        }
        self.cfg.hz = self.cfg.hz.clamp(1, 500);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::*;

    fn load(text: &str) -> Result<Config, LoadError> {
        let mut c = Config::default();
        c.load_from(None, None, text).map(|_| c)
    }

    fn err(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn basic_lines_comments_and_case() {
        let c = load("# comment\n\n  PORT 7000  \r\nDaemonize yes\nloglevel WARNING\nmaxmemory 1gb\n").unwrap();
        assert_eq!(c.port, 7000);
        assert!(c.daemonize);
        assert_eq!(c.loglevel, LogLevel::Warning);
        assert_eq!(c.maxmemory, 1 << 30);
    }

    #[test]
    fn later_lines_override() {
        let c = load("port 1\nport 2\nbind 1.2.3.4\nbind 5.6.7.8 -::1\n").unwrap();
        assert_eq!(c.port, 2);
        assert_eq!(c.bind, vec!["5.6.7.8", "-::1"]);
    }

    #[test]
    fn aliases_set_the_same_field() {
        let c = load("slaveof 10.0.0.1 6380\nslave-read-only no\nhash-max-ziplist-entries 7\n").unwrap();
        assert_eq!(c.replicaof, Some(ReplicaOf { host: "10.0.0.1".into(), port: 6380 }));
        assert!(!c.replica_read_only);
        assert_eq!(c.hash_max_listpack_entries, 7);
        assert_eq!(load("replicaof no one").unwrap().replicaof, None);
    }

    #[test]
    fn save_lines_accumulate_and_reset() {
        let c = load("save 900 1\nsave 300 10").unwrap();
        assert_eq!(c.save, vec![SaveRule { seconds: 900, changes: 1 }, SaveRule { seconds: 300, changes: 10 }]);
        assert_eq!(load("save \"\"").unwrap().save, vec![]);
        assert_eq!(load("save 900 1\nsave \"\"").unwrap().save, vec![]);
        assert_eq!(load("save \"900 1 300 10\"").unwrap().save.len(), 2);
        assert_eq!(load("save 900 1 300 10\nsave 60 5").unwrap().save.len(), 3);
        // Not mentioned: the built-in rules stay.
        assert_eq!(load("port 1").unwrap().save.len(), 3);
        // Seen on redis-server: strtoll() accepts blanks and '+'.
        assert_eq!(load("save \" 100\" +5").unwrap().save, vec![SaveRule { seconds: 100, changes: 5 }]);
    }

    #[test]
    fn multi_arg_single_argument_is_split() {
        let c = load("client-output-buffer-limit \"replica 1k 2kb 3\"\nshutdown-on-sigint \"now save\"").unwrap();
        assert_eq!(
            c.client_output_buffer_limit[1],
            ObufLimit { hard_limit_bytes: 1000, soft_limit_bytes: 2048, soft_limit_seconds: 3 }
        );
        assert_eq!(c.client_output_buffer_limit[0], OBUF_DEFAULTS[0]);
        assert_eq!(c.shutdown_on_sigint, ShutdownFlags(ShutdownFlags::SAVE | ShutdownFlags::NOW));
        // Unbalanced quotes inside the single argument give no arguments at all.
        assert!(load("save \"'\"").unwrap().save.is_empty());
    }

    #[test]
    fn hz_is_clamped_after_loading() {
        assert_eq!(load("hz 0").unwrap().hz, 1);
        assert_eq!(load("hz 1000").unwrap().hz, 500);
    }

    #[test]
    fn error_texts_match_redis() {
        // Captured from redis-server 7.0.15 with `redis-server <file>`: options start at line 2.
        assert_eq!(
            err("port \"abc\""),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer"
        );
        let cases = [
            ("port 70000", "argument must be between 0 and 65535 inclusive"),
            ("foo bar", "Bad directive or wrong number of arguments"),
            ("port 1 2", "wrong number of arguments"),
            ("daemonize maybe", "argument must be 'yes' or 'no'"),
            ("maxmemory -1", "argument must be a memory value"),
            ("save 1", "Invalid save parameters"),
            ("save 0 1", "Invalid save parameters"),
            ("save \"100 x\"", "Invalid save parameters"),
            ("loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning"),
            ("port \"abc", "Unbalanced quotes in configuration line"),
            ("unixsocketperm -1", "argument must be between 0 and 777 inclusive"),
            ("unixsocketperm 800", "argument couldn't be parsed as an octal number"),
            ("maxmemory \" 1\"", "argument must be a memory value"),
            ("timeout 05", "argument couldn't be parsed into an integer"),
            ("timeout +5", "argument couldn't be parsed into an integer"),
            ("activedefrag yes", "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"),
            ("sentinel monitor x", "sentinel directive while not in sentinel mode"),
            ("user", "Bad directive or wrong number of arguments"),
            ("replicaof a b", "Invalid master port"),
            ("replicaof a", "wrong number of arguments"),
            ("notify-keyspace-events Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
            ("oom-score-adj-values 1 2", "wrong number of arguments"),
            ("oom-score-adj-values 1 2 3000", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."),
            ("latency-tracking-info-percentiles 101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"),
            ("latency-tracking-info-percentiles abc", "Invalid latency-tracking-info-percentiles parameters"),
            ("shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"),
            ("shutdown-on-sigint bad", "argument(s) must be one of the following: default, save, nosave, now, force"),
            ("proc-title-template \"{foo}\"", "template format is invalid or contains unknown variables"),
            ("proc-title-template \"{title}\"", "template format is invalid or contains unknown variables"),
            ("dbfilename a/b", "dbfilename can't be a path, just a filename"),
            ("appendfilename \"\"", "appendfilename can't be empty"),
            ("dir /nonexistent", "No such file or directory"),
            ("cluster-announce-hostname \"a_b\"", "Hostnames may only contain alphanumeric characters, hyphens or dots"),
            ("client-output-buffer-limit normal 1 2", "Wrong number of arguments in buffer limit configuration."),
            ("client-output-buffer-limit master 1 2 3", "Invalid client class specified in buffer limit configuration."),
            ("client-output-buffer-limit normal 1x 2 3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("client-output-buffer-limit normal 1 2 -3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("foo.bar", "Module config specified without value"),
            ("loadmodule", "Bad directive or wrong number of arguments"),
            ("list-max-ziplist-entries 5 6", "Bad directive or wrong number of arguments"),
            ("lua-replicate-commands", "Bad directive or wrong number of arguments"),
            ("maxmemory-clients 101%", "percentage argument must be less or equal to 100"),
            ("maxmemory-clients -1%", "argument must be a memory or percent value"),
            ("maxmemory-clients abc", "argument must be a memory or percent value"),
            ("maxclients -1", "argument must be between 1 and 4294967295 inclusive"),
            ("maxclients 0", "argument must be between 1 and 4294967295 inclusive"),
            ("slowlog-max-len -1", "argument must be between 0 and 9223372036854775807 inclusive"),
            ("proto-max-bulk-len 1", "argument must be between 1048576 and 9223372036854775807 inclusive"),
            ("client-query-buffer-limit 5", "argument must be between 1048576 and 9223372036854775807 inclusive"),
        ];
        for (line, msg) in cases {
            let expected = format!(
                "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> '{}'\n{}",
                line, msg
            );
            assert_eq!(err(line), expected, "{}", line);
        }
    }

    #[test]
    fn errors_after_the_last_line() {
        assert_eq!(
            err("cluster-enabled yes\nreplicaof 1.2.3.4 5"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"
        );
        assert_eq!(
            err("logfile /nonexistent/dir/x"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory"
        );
    }

    #[test]
    fn accepted_quirks_seen_on_redis() {
        let c =
            load("maxmemory \"\"\nunixsocketperm \" 77\"\nmaxmemory-clients 10%\nnotify-keyspace-events An").unwrap();
        assert_eq!(c.maxmemory, 0);
        assert_eq!(c.unixsocketperm, 0o77);
        assert_eq!(c.format_param(ParamId::MaxmemoryClients), "10%");
        assert_eq!(c.format_param(ParamId::NotifyKeyspaceEvents), "A");
        assert_eq!(c.notify_keyspace_events & notify::NEW, notify::NEW);
        assert_eq!(load("unixsocketperm +77").unwrap().unixsocketperm, 0o77);
        assert_eq!(load("unixsocketperm \"\"").unwrap().unixsocketperm, 0);
        assert_eq!(load("list-max-ziplist-entries 5").unwrap(), load("").unwrap());
    }

    #[test]
    fn directives_are_stored() {
        let mut c = Config { sentinel_mode: true, ..Config::default() };
        c.load_from(
            None,
            None,
            "rename-command CONFIG \"\"\nuser bob on >pw ~* +@all\nloadmodule /x.so a b\nmod.opt 1 2\nmod.opt 3\nsentinel monitor m 127.0.0.1 6379 2\nsentinel",
        )
        .unwrap();
        let d = &c.directives;
        assert_eq!(d.rename_commands[0].0, "CONFIG");
        assert_eq!(d.rename_commands[0].1, "");
        assert_eq!(d.rename_commands[0].2, ConfigLine { lineno: 2, text: "rename-command CONFIG \"\"".into() });
        assert_eq!(d.users[0].0, vec!["bob", "on", ">pw", "~*", "+@all"]);
        assert_eq!(d.loadmodules, vec![ModuleLoad { path: "/x.so".into(), args: vec!["a".into(), "b".into()] }]);
        assert_eq!(d.module_configs, vec![("mod.opt".to_string(), "3".to_string())]);
        assert_eq!(d.sentinel.len(), 1);
        assert_eq!(d.sentinel[0].0, vec!["monitor", "m", "127.0.0.1", "6379", "2"]);
    }

    #[test]
    fn file_stdin_and_options_are_one_text() {
        let dir = std::env::temp_dir().join(format!("vireo-config-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("main.conf");
        // No newline at the end of the file: stdin continues its last line, as in Redis.
        std::fs::write(&file, "port 1\ntimeout 5\nmaxmemory 1").unwrap();
        let mut c = Config::default();
        c.load_from(Some(&file), Some("00\nhz 20\n"), "port 2").unwrap();
        assert_eq!((c.port, c.timeout, c.maxmemory, c.hz), (2, 5, 100, 20));
        // Line numbers continue across the parts.
        let e = Config::default().load_from(Some(&file), Some("x y\n"), "").unwrap_err();
        assert!(e.to_string().contains("at line 3\n>>> 'maxmemory 1x y'"), "{}", e);
        let e = Config::default().load_from(Some(&dir.join("missing.conf")), None, "").unwrap_err();
        assert_eq!(
            e,
            LoadError::Log(format!(
                "Fatal error, can't open config file '{}': No such file or directory",
                dir.join("missing.conf").display()
            ))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn includes_relative_to_dir_nested_and_globbed() {
        let dir = std::env::temp_dir().join(format!("vireo-config-inc-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("conf.d")).unwrap();
        std::fs::write(dir.join("a.conf"), "port 11\ninclude b.conf\n").unwrap();
        std::fs::write(dir.join("b.conf"), "timeout 22\n").unwrap();
        std::fs::write(dir.join("conf.d/1.conf"), "hz 33\n").unwrap();
        std::fs::write(dir.join("conf.d/2.conf"), "hz 44\n").unwrap();
        let text = format!("dir {}\ninclude a.conf\ninclude conf.d/*.conf\ninclude empty.d/*.conf\n", dir.display());
        let c = load(&text).unwrap();
        assert_eq!((c.port, c.timeout, c.hz), (11, 22, 44));
        // Errors inside an included file count lines in that file.
        std::fs::write(dir.join("bad.conf"), "\nport x\n").unwrap();
        let e = load(&format!("include {}", dir.join("bad.conf").display())).unwrap_err();
        assert!(e.to_string().contains("at line 2\n>>> 'port x'"), "{}", e);
        let e = load(&format!("dir {}\ninclude nope.conf", dir.display())).unwrap_err();
        assert_eq!(
            e,
            LoadError::Log("Fatal error, can't open config file 'nope.conf': No such file or directory".into())
        );
        // Self-inclusion stops with an error instead of recursing forever.
        std::fs::write(dir.join("loop.conf"), format!("include {}\n", dir.join("loop.conf").display())).unwrap();
        assert!(load(&format!("include {}", dir.join("loop.conf").display())).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn save_after_include_replaces() {
        // Redis clears its "reading a file" flag at the end of an included text, so a `save`
        // line after an include replaces the rules instead of adding to them (seen on 7.0.15).
        let dir = std::env::temp_dir().join(format!("vireo-config-inc2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("inc.conf"), "# nothing\n").unwrap();
        let c =
            load(&format!("save 900 1\nsave 300 10\ninclude {}\nsave 60 100", dir.join("inc.conf").display())).unwrap();
        assert_eq!(c.save, vec![SaveRule { seconds: 60, changes: 100 }]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
