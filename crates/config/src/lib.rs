//! Configuration as one table: every directive of Redis 7.0 (name, aliases, type, bounds,
//! default, mutability), redis.conf parsing (quoting, include, units), the command-line to config
//! text conversion of redis-server, and the value logic of CONFIG GET/SET/REWRITE. It knows no
//! sockets and no server state: side effects of a change are applied by the server.
//!
//! Reading order: `table` (the parameter table and the generated `Config`), `types` (enums and
//! small value types), `value` (parsing, CONFIG GET form and rewrite lines per type), `load`
//! (redis.conf text), `args` (the command line), `ops` (CONFIG GET/SET), `rewrite` (CONFIG
//! REWRITE), `implemented` (what vireo honours), and the helpers `syntax`, `num`, `glob`.
//!
//! Typical use by the server:
//! ```no_run
//! let args: Vec<String> = std::env::args().skip(1).collect();
//! let parsed = vireo_config::parse_args(&args).unwrap();
//! let config = vireo_config::load(parsed.config_file.as_deref(), None, &parsed.options).unwrap();
//! println!("port {}", config.port);
//! ```

mod args;
pub mod glob;
mod implemented;
mod load;
mod num;
mod ops;
mod rewrite;
pub mod syntax;
mod table;
mod types;
mod value;

pub use args::{absolute_path, parse_args, parse_args_in, ArgAction, ParsedArgs, TEST_MEMORY_USAGE, USAGE};
pub use implemented::IMPLEMENTED;
pub use load::{LoadError, REDIS_VERSION};
pub use num::memtoull;
pub use ops::{apply_hooks, format_value, is_sensitive, set_failed, ChangeRecord, SetContext, LOADING_ERROR};
pub use rewrite::{RewriteExtras, REWRITE_SIGNATURE};
pub use table::{flags, lookup, param, ApplyHook, Config, IntUnit, Kind, Param, ParamId, ParamValue, Special, PARAMS};
pub use types::*;
pub use value::BIND_MAX;

use std::path::Path;

/// Where a stored directive came from, to report errors found later in Redis's format with
/// [`LoadError::at_line`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigLine {
    /// Line number in the text that held it (the included file for included lines).
    pub lineno: usize,
    /// The trimmed line.
    pub text: String,
}

/// A `loadmodule <path> [args...]` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleLoad {
    /// The module file.
    pub path: String,
    /// Its arguments.
    pub args: Vec<String>,
}

/// The config-file directives that are not parameters, stored in file order for the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directives {
    /// `rename-command <from> <to>` (`to` empty: remove the command). Redis fails with "No such
    /// command in rename-command" or "Target command name already exists" at that line.
    pub rename_commands: Vec<(String, String, ConfigLine)>,
    /// `user <name> <rules...>` (arguments after `user`). Redis fails with `Error in user
    /// declaration '<arg>': <error>` at that line.
    pub users: Vec<(Vec<String>, ConfigLine)>,
    /// `loadmodule` directives.
    pub loadmodules: Vec<ModuleLoad>,
    /// `<module>.<name> <value...>` module parameters (a later line replaces an earlier one).
    pub module_configs: Vec<(String, String)>,
    /// `sentinel ...` directives (arguments after `sentinel`), only accepted in Sentinel mode.
    pub sentinel: Vec<(Vec<String>, ConfigLine)>,
}

/// A redis.conf directive that is not a CONFIG parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Its name.
    pub name: &'static str,
    /// Accepted argument counts, the directive name not included (`None`: no upper bound).
    pub min_args: usize,
    /// Upper bound of the argument count.
    pub max_args: Option<usize>,
    /// What it does.
    pub doc: &'static str,
}

impl Directive {
    /// Whether vireo honours it (edit the list in `implemented.rs`).
    pub fn implemented(&self) -> bool {
        IMPLEMENTED.contains(&self.name)
    }
}

/// The redis.conf directives that are not CONFIG parameters.
pub static DIRECTIVES: &[Directive] = &[
    Directive {
        name: "include",
        min_args: 1,
        max_args: Some(1),
        doc: "load another file (glob patterns allowed) here",
    },
    Directive { name: "rename-command", min_args: 2, max_args: Some(2), doc: "rename or (with \"\") remove a command" },
    Directive { name: "user", min_args: 1, max_args: None, doc: "define an ACL user" },
    Directive { name: "loadmodule", min_args: 1, max_args: None, doc: "load a module with arguments" },
    Directive { name: "sentinel", min_args: 0, max_args: None, doc: "Sentinel state (Sentinel mode only)" },
    Directive {
        name: "<module>.<config>",
        min_args: 1,
        max_args: None,
        doc: "a module's parameter, applied when the module loads",
    },
    Directive { name: "list-max-ziplist-entries", min_args: 1, max_args: Some(1), doc: "deprecated, ignored" },
    Directive { name: "list-max-ziplist-value", min_args: 1, max_args: Some(1), doc: "deprecated, ignored" },
    Directive { name: "lua-replicate-commands", min_args: 1, max_args: Some(1), doc: "deprecated, ignored" },
];

/// Loads the configuration as redis-server does at startup: the defaults, then `file`, then
/// `stdin` (the text read from standard input when `-` was given), then "\n" and `options` (the
/// text built by [`parse_args`]). Relative paths are resolved against the process's current
/// directory, then against each `dir` seen; the server must chdir() to `config.dir` afterwards.
pub fn load(file: Option<&Path>, stdin: Option<&str>, options: &str) -> Result<Config, LoadError> {
    load_with_mode(file, stdin, options, false)
}

/// [`load`] for Sentinel mode when `sentinel_mode` (accepts `sentinel` directives).
pub fn load_with_mode(
    file: Option<&Path>,
    stdin: Option<&str>,
    options: &str,
    sentinel_mode: bool,
) -> Result<Config, LoadError> {
    let mut config = Config { sentinel_mode, ..Config::default() };
    config.load_from(file, stdin, options)?;
    Ok(config)
}
