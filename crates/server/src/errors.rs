//! Every error reply text the server sends that is shared by more than one command, in one place,
//! worded exactly as Redis 7.0 words them. Command-specific texts may live with their command,
//! but error *prefixes* (ERR, WRONGTYPE, NOAUTH, LOADING, OOM, ...) are only ever spelled here.

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const SYNTAX: &str = "ERR syntax error";
pub const MISCONF_RDB: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const NO_SUCH_KEY: &str = "ERR no such key";
pub const OUT_OF_RANGE: &str = "ERR index out of range";
pub const DB_INDEX: &str = "ERR DB index is out of range";
pub const INVALID_EXPIRE_PREFIX: &str = "ERR invalid expire time in";
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
pub const NOAUTH: &str = "NOAUTH Authentication required.";
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
pub const AUTH_NO_PASSWORD: &str = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
pub const LOADING: &str = "LOADING Redis is loading the dataset in memory";
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
pub const READONLY: &str = "READONLY You can't write against a read only replica.";
pub const MASTERDOWN: &str = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
pub const NO_MULTI: &str = "ERR Command not allowed inside a transaction";
pub const DEBUG_NOT_ALLOWED_PREFIX: &str = "ERR";
pub const SELECT_NOT_ALLOWED_CLUSTER: &str = "ERR SELECT is not allowed in cluster mode";

/// `ERR unknown command '<name>', with args beginning with: '<a1>' '<a2>' ...` — the argument
/// list stops once it reaches 128 characters, each argument is cut to what still fits, and (as
/// in C's `%s`) every text stops at a NUL byte.
pub fn unknown_command(argv: &[impl AsRef<[u8]>]) -> String {
    let mut args: Vec<u8> = Vec::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        let a = cstr(a.as_ref());
        args.push(b'\'');
        args.extend_from_slice(&a[..a.len().min(room)]);
        args.extend_from_slice(b"' ");
    }
    let name = cstr(argv[0].as_ref());
    let s = format!(
        "ERR unknown command '{}', with args beginning with: {}",
        String::from_utf8_lossy(&name[..name.len().min(128)]),
        String::from_utf8_lossy(&args)
    );
    s.replace(['\r', '\n'], " ")
}

/// The bytes up to the first NUL, as a C string would be printed.
pub fn cstr(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
pub fn unknown_subcommand(cmd: &str, sub: &[u8]) -> String {
    format!("ERR unknown subcommand '{}'. Try {} HELP.", sanitize(sub, 128), cmd.to_ascii_uppercase())
}

/// `ERR wrong number of arguments for '<name>' command` (name may be "config|get").
pub fn wrong_arity(full_name: &str) -> String {
    format!("ERR wrong number of arguments for '{}' command", full_name)
}

/// Redis prints user-supplied bytes in errors with non-printable characters replaced by spaces
/// (sdsmapchars of "\r\n" to "  "), truncated to `max` bytes.
pub fn sanitize(b: &[u8], max: usize) -> String {
    let b = cstr(b);
    let b = &b[..b.len().min(max)];
    String::from_utf8_lossy(b).replace(['\r', '\n'], " ")
}

/// The prefix of an error text as errorstats counts it: the first word, e.g. "ERR", "WRONGTYPE".
pub fn prefix(err: &str) -> &str {
    let e = err.strip_prefix('-').unwrap_or(err);
    match e.find(' ') {
        Some(i) => &e[..i],
        None => e,
    }
}
