//! The redis-server command line, as Redis 7.0.15's main() reads it: `-v`/`--version`,
//! `-h`/`--help`, `--test-memory <mb>`, `--check-system` as the first argument; then an optional
//! config file (first argument not starting with `-`), `-` for "read config from stdin" (first
//! or last argument only), and `--name value...` options turned into config lines appended after
//! the file ("name "value" "value""), where an argument starting with `--` begins a new line
//! unless the previous option still waits for its first value. Knows no parameter semantics.

use crate::num::atoi;
use crate::syntax::{split_args, trim};
use std::path::PathBuf;

/// Redis's usage text (printed to stderr, exit status 1).
pub const USAGE: &str = "Usage: ./redis-server [/path/to/redis.conf] [options] [-]
       ./redis-server - (read config from stdin)
       ./redis-server -v or --version
       ./redis-server -h or --help
       ./redis-server --test-memory <megabytes>
       ./redis-server --check-system

Examples:
       ./redis-server (run the server with default conf)
       echo 'maxmemory 128mb' | ./redis-server -
       ./redis-server /etc/redis/6379.conf
       ./redis-server --port 7777
       ./redis-server --port 7777 --replicaof 127.0.0.1 8888
       ./redis-server /etc/myredis.conf --loglevel verbose -
       ./redis-server /etc/myredis.conf --loglevel verbose

Sentinel mode:
       ./redis-server /etc/sentinel.conf --sentinel
";

/// Redis's reply to `--test-memory` without an amount (stderr, exit status 1); printed with a
/// trailing newline this is byte-identical.
pub const TEST_MEMORY_USAGE: &str =
    "Please specify the amount of memory to test in megabytes.\nExample: ./redis-server --test-memory 4096\n";

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgAction {
    /// Start the server with the configuration described by [`ParsedArgs`].
    Run,
    /// Print the version line and exit 0.
    Version,
    /// Print [`USAGE`] to stderr and exit 1.
    Help,
    /// Run the memory test on this many megabytes and exit 0 (Redis's atoi() of the argument).
    TestMemory {
        /// Megabytes to test.
        megabytes: i32,
    },
    /// Run the system checks and exit (0 if fine, 1 otherwise).
    CheckSystem,
}

/// The parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedArgs {
    /// What to do.
    pub action: ArgAction,
    /// The config file, made absolute like Redis's getAbsolutePath() (also the file CONFIG
    /// REWRITE writes).
    pub config_file: Option<PathBuf>,
    /// `-` was given: the config continues with standard input (read it and pass it to
    /// [`crate::load`]; Redis logs "Reading config from stdin" first).
    pub config_from_stdin: bool,
    /// The options as config text, to load after the file and stdin.
    pub options: String,
    /// `--sentinel` appears among the arguments (the server also checks its executable name).
    pub sentinel_mode: bool,
}

/// Parses the arguments after the program name (`std::env::args().skip(1)`). The error is
/// Redis's text for `--test-memory` without an amount ([`TEST_MEMORY_USAGE`]).
pub fn parse_args(args: &[String]) -> Result<ParsedArgs, String> {
    let cwd = std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).ok();
    parse_args_in(args, cwd.as_deref())
}

/// [`parse_args`] with an explicit current directory (for relative config file names).
pub fn parse_args_in(args: &[String], cwd: Option<&str>) -> Result<ParsedArgs, String> {
    let mut parsed = ParsedArgs {
        action: ArgAction::Run,
        config_file: None,
        config_from_stdin: false,
        options: String::new(),
        sentinel_mode: args.iter().any(|a| a == "--sentinel"),
    };
    let Some(first) = args.first() else {
        return Ok(parsed);
    };
    match first.as_str() {
        "-v" | "--version" => {
            parsed.action = ArgAction::Version;
            return Ok(parsed);
        }
        "--help" | "-h" => {
            parsed.action = ArgAction::Help;
            return Ok(parsed);
        }
        "--test-memory" => {
            if args.len() == 2 {
                parsed.action = ArgAction::TestMemory { megabytes: atoi(&args[1]) };
                return Ok(parsed);
            }
            return Err(TEST_MEMORY_USAGE.to_string());
        }
        "--check-system" => {
            parsed.action = ArgAction::CheckSystem;
            return Ok(parsed);
        }
        _ => {}
    }

    let mut j = 0;
    if !first.starts_with('-') {
        parsed.config_file = Some(absolute_path(first, cwd));
        j = 1;
    }
    let n = args.len();
    let options = &mut parsed.options;
    // Whether the last option name already has at least one value.
    let mut handled_last = true;
    while j < n {
        let a = args[j].as_str();
        let next_is_option = j + 1 < n && args[j + 1].starts_with("--");
        if a == "-" && (j == 0 || j == n - 1) {
            parsed.config_from_stdin = true;
        } else if handled_last && a.starts_with("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&a[2..]);
            options.push(' ');
            // "--port 6380" as one argument already carries its value.
            let words = split_args(a.as_bytes()).map_or(0, |w| w.len());
            if words == 1 {
                handled_last = false;
                if a.eq_ignore_ascii_case("--save") && (next_is_option || j == n - 1) {
                    // `--save` with no value means `save ""` (pre-7.0 compatibility).
                    options.push_str("\"\"");
                    handled_last = true;
                } else if a.eq_ignore_ascii_case("--sentinel") && next_is_option {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            options.push_str(&crate::syntax::repr(a.as_bytes()));
            options.push(' ');
            handled_last = true;
        }
        j += 1;
    }
    Ok(parsed)
}

/// Redis's getAbsolutePath(): trims blanks, keeps absolute paths, joins relative ones to the
/// current directory after folding leading `../` parts.
pub fn absolute_path(name: &str, cwd: Option<&str>) -> PathBuf {
    let rel = String::from_utf8_lossy(trim(name.as_bytes(), b" \r\n\t")).into_owned();
    if rel.starts_with('/') {
        return PathBuf::from(rel);
    }
    let Some(cwd) = cwd else { return PathBuf::from(rel) };
    let mut base = cwd.to_string();
    if !base.is_empty() && !base.ends_with('/') {
        base.push('/');
    }
    let mut rel = rel.as_str();
    while let Some(rest) = rel.strip_prefix("../") {
        rel = rest;
        if base.len() > 1 {
            // Drop the last directory of the base (which ends with '/').
            let trimmed = &base[..base.len() - 1];
            let cut = trimmed.rfind('/').map_or(0, |i| i + 1);
            base.truncate(cut);
        }
    }
    PathBuf::from(format!("{}{}", base, rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> ParsedArgs {
        let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_args_in(&v, Some("/home/u")).unwrap()
    }

    #[test]
    fn special_first_arguments() {
        assert_eq!(parse(&["-v"]).action, ArgAction::Version);
        assert_eq!(parse(&["--version", "x"]).action, ArgAction::Version);
        assert_eq!(parse(&["-h"]).action, ArgAction::Help);
        assert_eq!(parse(&["--help"]).action, ArgAction::Help);
        assert_eq!(parse(&["--test-memory", "64"]).action, ArgAction::TestMemory { megabytes: 64 });
        assert_eq!(parse(&["--check-system"]).action, ArgAction::CheckSystem);
        let v = vec!["--test-memory".to_string()];
        assert_eq!(parse_args_in(&v, None).unwrap_err(), TEST_MEMORY_USAGE);
        // Only the first argument is special: elsewhere "-h" is a value.
        assert_eq!(parse(&["--port", "0", "-h"]).options, "port \"0\" \"-h\" ");
        // --usage is not special in 7.0.15: it becomes a "usage" line.
        assert_eq!(parse(&["--usage"]).options, "usage ");
        assert_eq!(parse(&[]).action, ArgAction::Run);
    }

    #[test]
    fn config_file_and_stdin() {
        let p = parse(&["redis.conf", "--port", "7777"]);
        assert_eq!(p.config_file, Some(PathBuf::from("/home/u/redis.conf")));
        assert_eq!(p.options, "port \"7777\" ");
        let p = parse(&["/etc/r.conf", "--loglevel", "verbose", "-"]);
        assert_eq!(p.config_file, Some(PathBuf::from("/etc/r.conf")));
        assert!(p.config_from_stdin);
        assert_eq!(p.options, "loglevel \"verbose\" ");
        assert!(parse(&["-"]).config_from_stdin);
        // A lone "-" in the middle is a value.
        let p = parse(&["--a", "-", "--b", "1"]);
        assert!(!p.config_from_stdin);
        assert_eq!(p.options, "a \"-\" \nb \"1\" ");
    }

    #[test]
    fn options_become_lines() {
        let p = parse(&["--port", "7777", "--replicaof", "127.0.0.1", "8888"]);
        assert_eq!(p.options, "port \"7777\" \nreplicaof \"127.0.0.1\" \"8888\" ");
        // A value starting with "--" right after an option name is a value.
        assert_eq!(parse(&["--maxmemory", "--x", "--port", "1"]).options, "maxmemory \"--x\" \nport \"1\" ");
        // Name and value in one argument.
        assert_eq!(parse(&["--port 6380", "--hz", "5"]).options, "port 6380 \nhz \"5\" ");
        // Values are quoted with escapes.
        assert_eq!(parse(&["--requirepass", "a\"b c"]).options, "requirepass \"a\\\"b c\" ");
    }

    #[test]
    fn save_and_sentinel_special_cases() {
        assert_eq!(parse(&["--save", "--port", "1"]).options, "save \"\"\nport \"1\" ");
        assert_eq!(parse(&["--port", "1", "--save"]).options, "port \"1\" \nsave \"\"");
        assert_eq!(parse(&["--save", ""]).options, "save \"\" ");
        assert_eq!(parse(&["--save", "900", "1"]).options, "save \"900\" \"1\" ");
        let p = parse(&["s.conf", "--sentinel", "--port", "26379"]);
        assert!(p.sentinel_mode);
        assert_eq!(p.options, "sentinel \nport \"26379\" ");
        assert_eq!(parse(&["s.conf", "--sentinel"]).options, "sentinel ");
    }

    #[test]
    fn absolute_paths_like_redis() {
        assert_eq!(absolute_path(" /a/b ", Some("/x")), PathBuf::from("/a/b"));
        assert_eq!(absolute_path("c.conf", Some("/x/y")), PathBuf::from("/x/y/c.conf"));
        assert_eq!(absolute_path("../c.conf", Some("/x/y")), PathBuf::from("/x/c.conf"));
        assert_eq!(absolute_path("../../../c.conf", Some("/x/y")), PathBuf::from("/c.conf"));
        assert_eq!(absolute_path("./c.conf", Some("/")), PathBuf::from("/./c.conf"));
    }
}
