//! The differential harness: runs one command script against two servers (vireo and the
//! reference redis-server) over the same sequence of connections and compares every reply byte
//! for byte, stopping at the first difference with the script name, line, command and both replies
//! in printable form. It knows scripts, connections and RESP framing, not what commands mean (the
//! one exception: HELLO replies are compared with the fields that name the server masked).
//!
//! # Script format (also in `crates/testkit/DIFF-FORMAT.md`)
//!
//! One item per line. Blank lines and lines whose first non-blank character is `#` are ignored.
//!
//! * A command: the line is split into arguments like redis-cli does (`"..."` with `\n \r \t \b
//!   \a \xHH \" \\` escapes, `'...'` with `\'`), sent as a RESP multibulk request, and one reply is
//!   read from each server; the reply bytes must be equal. Commands named `HELLO` are compared with
//!   the values of the `server`, `version` and `id` fields masked.
//! * `@resp3` / `@resp2`: sends `HELLO 3` / `HELLO 2` (compared as above).
//! * `@raw <bytes>`: sends the rest of the line as raw bytes (escapes as in `"..."`, blanks and
//!   quotes kept as they are; write a leading or trailing blank as `\x20`) and compares one reply.
//!   For inline commands and protocol errors: `@raw PING\r\n`, `@raw *1\r\n$4\r\nPIN\r\n`.
//! * `@rawnoreply <bytes>`: sends raw bytes and reads nothing.
//! * `@send <command>`: sends a command and reads nothing (blocking commands, pipelines).
//! * `@read`: reads one reply from each server and compares them (the reply of an earlier `@send`
//!   or `@rawnoreply`, the second reply of `SUBSCRIBE a b`, a pushed message).
//! * `@closed`: both servers must close the connection within 3 s (unread bytes must be equal
//!   too); the next use of the connection opens a new one.
//! * `@reconnect`: replaces the current connection by a fresh one on both servers.
//! * `@conn <name>`: makes the named connection current (the first is `main`), opening it on
//!   first use; for scripts with several clients.
//! * `@sleep <ms>`: waits.
//! * `@blocked <n>`: waits (up to 5 s) until both servers report `n` blocked clients in INFO
//!   clients, so that a write meant to serve a blocked command comes after it blocked.
//! * `@ignore <command>`: runs a command on both servers without comparing the replies (for
//!   replies that legitimately differ: ids, addresses, times).
//! * `@sorted <command>`: compares the replies after sorting the elements of a top-level array or
//!   set reply (the pairs of a map), for replies whose order is unspecified (KEYS, SMEMBERS).
//!
//! A reply that does not arrive within 10 s is a failure; so is a connection closed by one server
//! only. A connection closed by both without a reply counts as equal and is reopened on next use.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::conn::{RawConn, ReadError};
use crate::process::ServerProcess;
use crate::quote::{repr, split_args, unescape};
use crate::resp::{aggregate_elements, encode_cmd, try_parse_reply};

/// Set to a substring to make `diff_dir` run only the scripts whose file name contains it.
pub const FILTER_ENV: &str = "VIREO_DIFF_FILTER";

/// How long `@closed` waits for each server to close the connection.
const CLOSE_WAIT: Duration = Duration::from_secs(3);

/// Log lines shown for a server that died during a script.
const DEAD_LOG_LINES: usize = 15;

/// Longest reply shown whole in a failure message.
const SHOW_WHOLE: usize = 2000;

/// How replies of a command are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Compare {
    Exact,
    Hello,
    Sorted,
    Ignore,
}

#[derive(Clone, Debug, PartialEq)]
enum Action {
    /// Send these bytes, then read and compare one reply unless `compare` is `None`.
    Send {
        bytes: Vec<u8>,
        compare: Option<Compare>,
    },
    Read,
    Closed,
    Reconnect,
    Conn(String),
    Sleep(u64),
    /// Waits until both servers report this many blocked clients.
    Blocked(u64),
}

#[derive(Clone, Debug, PartialEq)]
struct Step {
    line: usize,
    text: String,
    action: Action,
}

fn command(args: Vec<Vec<u8>>, compare: Compare) -> Action {
    let compare = if compare == Compare::Exact && args.first().is_some_and(|a| a.eq_ignore_ascii_case(b"HELLO")) {
        Compare::Hello
    } else {
        compare
    };
    Action::Send { bytes: encode_cmd(&args), compare: Some(compare) }
}

fn parse_line(text: &str) -> Result<Option<Action>, String> {
    let t = text.trim_start();
    if t.is_empty() || t.starts_with('#') {
        return Ok(None);
    }
    let Some(directive) = t.strip_prefix('@') else {
        let args = split_args(t)?;
        return Ok((!args.is_empty()).then(|| command(args, Compare::Exact)));
    };
    let (name, rest) = match directive.find(char::is_whitespace) {
        Some(i) => (&directive[..i], &directive[i..]),
        None => (directive, ""),
    };
    let arg_rest = rest.trim_start();
    let no_args = |action: Action| {
        if arg_rest.trim_end().is_empty() {
            Ok(Some(action))
        } else {
            Err(format!("@{name} takes no arguments"))
        }
    };
    let cmd_args = || -> Result<Vec<Vec<u8>>, String> {
        let args = split_args(arg_rest)?;
        if args.is_empty() {
            return Err(format!("@{name} needs a command"));
        }
        Ok(args)
    };
    let raw = || -> Result<Vec<u8>, String> {
        if arg_rest.is_empty() {
            return Err(format!("@{name} needs bytes to send"));
        }
        unescape(arg_rest)
    };
    match name {
        "resp3" => no_args(command(vec![b"HELLO".to_vec(), b"3".to_vec()], Compare::Exact)),
        "resp2" => no_args(command(vec![b"HELLO".to_vec(), b"2".to_vec()], Compare::Exact)),
        "read" => no_args(Action::Read),
        "closed" => no_args(Action::Closed),
        "reconnect" => no_args(Action::Reconnect),
        "raw" => Ok(Some(Action::Send { bytes: raw()?, compare: Some(Compare::Exact) })),
        "rawnoreply" => Ok(Some(Action::Send { bytes: raw()?, compare: None })),
        "send" => Ok(Some(Action::Send { bytes: encode_cmd(&cmd_args()?), compare: None })),
        "ignore" => Ok(Some(command(cmd_args()?, Compare::Ignore))),
        "sorted" => Ok(Some(command(cmd_args()?, Compare::Sorted))),
        "conn" => match split_args(arg_rest)?.as_slice() {
            [one] => Ok(Some(Action::Conn(String::from_utf8_lossy(one).into_owned()))),
            _ => Err("@conn takes one connection name".into()),
        },
        "sleep" => arg_rest
            .trim_end()
            .parse::<u64>()
            .map(|ms| Some(Action::Sleep(ms)))
            .map_err(|_| "@sleep takes a number of milliseconds".into()),
        "blocked" => arg_rest
            .trim_end()
            .parse::<u64>()
            .map(|n| Some(Action::Blocked(n)))
            .map_err(|_| "@blocked takes a number of clients".into()),
        _ => Err(format!("unknown directive @{name}")),
    }
}

/// Parses a whole script, reporting the first syntax error with its line.
fn parse_script(script: &str, name: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (i, text) in script.lines().enumerate() {
        match parse_line(text) {
            Ok(Some(action)) => steps.push(Step { line: i + 1, text: text.trim().to_string(), action }),
            Ok(None) => {}
            Err(e) => return Err(format!("{name}:{}: {e}: {text}", i + 1)),
        }
    }
    Ok(steps)
}

/// What one server did in answer to a step.
#[derive(Debug, PartialEq)]
enum Outcome {
    Reply(Vec<u8>),
    /// Closed without (the rest of) a reply; the bytes received of an unfinished reply.
    Closed(Vec<u8>),
    Failed(String),
}

impl Outcome {
    fn describe(&self) -> String {
        match self {
            Outcome::Reply(r) => repr(r),
            Outcome::Closed(p) if p.is_empty() => "(connection closed, no reply)".into(),
            Outcome::Closed(p) => format!("(connection closed inside a reply) {}", repr(p)),
            Outcome::Failed(e) => format!("({e})"),
        }
    }
}

fn read_outcome(conn: &mut RawConn) -> Outcome {
    match conn.next_reply() {
        Ok(r) => Outcome::Reply(r),
        Err(ReadError::Closed { partial }) => Outcome::Closed(partial),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Replaces the values of the `server`, `version` and `id` fields of a HELLO reply (a map, or a
/// flat array of pairs in RESP2) by `+<masked>`.
fn mask_hello(reply: &[u8]) -> Vec<u8> {
    let Some((header, elements)) = aggregate_elements(reply) else { return reply.to_vec() };
    let mut out = reply[..header].to_vec();
    for pair in elements.chunks(2) {
        out.extend_from_slice(&reply[pair[0].clone()]);
        let Some(value) = pair.get(1) else { break };
        let key = try_parse_reply(&reply[pair[0].clone()]).ok();
        let masked = key.as_ref().and_then(|k| k.as_str()).is_some_and(|k| matches!(k, "server" | "version" | "id"));
        if masked {
            out.extend_from_slice(b"+<masked>\r\n");
        } else {
            out.extend_from_slice(&reply[value.clone()]);
        }
    }
    out
}

/// Sorts the elements of a top-level array/set/push reply (the key-value pairs of a map).
fn sort_reply(reply: &[u8]) -> Vec<u8> {
    let Some((header, elements)) = aggregate_elements(reply) else { return reply.to_vec() };
    let group = if reply[0] == b'%' { 2 } else { 1 };
    let mut items: Vec<Vec<u8>> =
        elements.chunks(group).map(|c| c.iter().flat_map(|r| reply[r.clone()].iter().copied()).collect()).collect();
    items.sort();
    let mut out = reply[..header].to_vec();
    items.iter().for_each(|i| out.extend_from_slice(i));
    out
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()))
}

/// A reply for a message: whole when short, else a window around `at`.
fn show(bytes: &[u8], at: usize) -> String {
    if bytes.len() <= SHOW_WHOLE {
        return repr(bytes);
    }
    let start = at.saturating_sub(SHOW_WHOLE / 4).min(bytes.len());
    let end = (start + SHOW_WHOLE / 2).min(bytes.len());
    format!("({} bytes, showing {start}..{end}) ...{}...", bytes.len(), repr(&bytes[start..end]))
}

/// One connection to each server.
struct Pair {
    a: RawConn,
    b: RawConn,
}

struct Run<'s> {
    name: &'s str,
    a: &'s ServerProcess,
    b: &'s ServerProcess,
    conns: HashMap<String, Pair>,
    current: String,
}

impl<'s> Run<'s> {
    fn label(s: &ServerProcess) -> String {
        format!("{} (port {})", s.name(), s.port())
    }

    /// A failure message; a server that has died is named, with the end of its log.
    fn fail(&self, step: &Step, detail: String) -> String {
        let mut msg = format!("{}:{}: {}\n{detail}", self.name, step.line, step.text);
        for s in [self.a, self.b] {
            // A crashing server closes its connections a moment before it can be reaped.
            if let Some(status) = s.wait_exit(Duration::from_millis(100)) {
                msg.push_str(&format!(
                    "\n  {} is no longer running ({status}); last log lines:\n{}",
                    Self::label(s),
                    s.log_tail(DEAD_LOG_LINES)
                ));
            }
        }
        msg
    }

    fn two(&self, a: &str, b: &str) -> String {
        format!("  {}: {a}\n  {}: {b}", Self::label(self.a), Self::label(self.b))
    }

    fn pair(&mut self, step: &Step) -> Result<&mut Pair, String> {
        if !self.conns.contains_key(&self.current) {
            let open =
                |s: &ServerProcess| s.try_connect().map_err(|e| format!("connecting to {}: {e}", Self::label(s)));
            let pair = match (open(self.a), open(self.b)) {
                (Ok(a), Ok(b)) => Pair { a, b },
                (Err(e), _) | (_, Err(e)) => return Err(self.fail(step, format!("  {e}"))),
            };
            self.conns.insert(self.current.clone(), pair);
        }
        Ok(self.conns.get_mut(&self.current).expect("inserted above"))
    }

    /// Reads one reply from each side and compares them as `compare` says.
    fn compare(&mut self, step: &Step, compare: Compare) -> Result<(), String> {
        let pair = self.pair(step)?;
        let (ra, rb) = (read_outcome(&mut pair.a), read_outcome(&mut pair.b));
        match (&ra, &rb) {
            (Outcome::Reply(x), Outcome::Reply(y)) => {
                let (nx, ny) = match compare {
                    Compare::Ignore => return Ok(()),
                    Compare::Exact => (x.clone(), y.clone()),
                    Compare::Hello => (mask_hello(x), mask_hello(y)),
                    Compare::Sorted => (sort_reply(x), sort_reply(y)),
                };
                if nx == ny {
                    return Ok(());
                }
                let at = first_difference(&nx, &ny);
                let mut detail = self.two(&show(x, at), &show(y, at));
                match compare {
                    Compare::Hello => detail.push_str("\n  (compared with server, version and id masked)"),
                    Compare::Sorted => detail.push_str("\n  (compared after sorting the elements)"),
                    _ => detail.push_str(&format!("\n  first difference at byte {at}")),
                }
                Err(self.fail(step, detail))
            }
            (Outcome::Closed(x), Outcome::Closed(y)) if x == y => {
                self.conns.remove(&self.current);
                Ok(())
            }
            _ => Err(self.fail(step, self.two(&ra.describe(), &rb.describe()))),
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), String> {
        match &step.action {
            Action::Send { bytes, compare } => {
                let pair = self.pair(step)?;
                // A failed write shows up as a closed connection when reading; without a read,
                // the next step sees it.
                let _ = pair.a.try_send(bytes);
                let _ = pair.b.try_send(bytes);
                match compare {
                    Some(c) => self.compare(step, *c),
                    None => Ok(()),
                }
            }
            Action::Read => self.compare(step, Compare::Exact),
            Action::Closed => {
                let pair = self.pair(step)?;
                let (ca, cb) = (pair.a.wait_closed(CLOSE_WAIT), pair.b.wait_closed(CLOSE_WAIT));
                let (ba, bb) = (pair.a.buffered().to_vec(), pair.b.buffered().to_vec());
                self.conns.remove(&self.current);
                let state = |closed: bool, unread: &[u8]| {
                    let c = if closed { "closed" } else { "still open" };
                    if unread.is_empty() {
                        c.to_string()
                    } else {
                        format!("{c}, unread {}", repr(unread))
                    }
                };
                if ca && cb && ba == bb {
                    Ok(())
                } else {
                    Err(self.fail(step, self.two(&state(ca, &ba), &state(cb, &bb))))
                }
            }
            Action::Reconnect => {
                self.conns.remove(&self.current);
                self.pair(step).map(|_| ())
            }
            Action::Conn(name) => {
                self.current = name.clone();
                Ok(())
            }
            Action::Sleep(ms) => {
                std::thread::sleep(Duration::from_millis(*ms));
                Ok(())
            }
            Action::Blocked(n) => {
                let want = format!("blocked_clients:{n}\r\n");
                let mut seen = Vec::new();
                for s in [self.a, self.b] {
                    let mut c = s.try_connect().map_err(|e| self.fail(step, format!("  connecting: {e}")))?;
                    let deadline = std::time::Instant::now() + BLOCKED_WAIT;
                    loop {
                        let info = c.cmd(&["INFO", "clients"]);
                        let text = String::from_utf8_lossy(&info).into_owned();
                        if text.contains(&want) {
                            break;
                        }
                        if std::time::Instant::now() > deadline {
                            let line = text.lines().find(|l| l.starts_with("blocked_clients:")).unwrap_or("none");
                            seen.push(format!("  {}: {line}", Self::label(s)));
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                if seen.is_empty() {
                    Ok(())
                } else {
                    Err(self.fail(step, format!("  waited for {want}{}", seen.join("\n"))))
                }
            }
        }
    }
}

/// How long `@blocked` waits for the servers to report the blocked clients.
const BLOCKED_WAIT: Duration = Duration::from_secs(5);

/// Runs `script` (see the module documentation for the format) against servers `a` and `b` on
/// fresh connections and compares the replies; `name` labels failure messages. Stops at the first
/// difference or error and returns it, naming the script line, the command and both replies.
pub fn run_diff_script(script: &str, name: &str, a: &ServerProcess, b: &ServerProcess) -> Result<(), String> {
    let steps = parse_script(script, name)?;
    let mut run = Run { name, a, b, conns: HashMap::new(), current: "main".to_string() };
    steps.iter().try_for_each(|s| run.step(s))
}

/// Empties a server with FLUSHALL on a fresh connection.
pub fn flush_server(server: &ServerProcess) -> Result<(), String> {
    let mut c = server.try_connect().map_err(|e| format!("connecting to {} for FLUSHALL: {e}", server.name()))?;
    c.try_send(&encode_cmd(&["FLUSHALL"])).map_err(|e| format!("FLUSHALL on {}: {e}", server.name()))?;
    match c.next_reply() {
        Ok(r) if r == b"+OK\r\n" => Ok(()),
        Ok(r) => Err(format!("FLUSHALL on {} replied {}", server.name(), repr(&r))),
        Err(e) => Err(format!("FLUSHALL on {}: {e}", server.name())),
    }
}

/// Empties both servers, then runs the script file at `path` (named by its file name).
pub fn run_diff_file(path: &Path, a: &ServerProcess, b: &ServerProcess) -> Result<(), String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let script = std::fs::read_to_string(path).map_err(|e| format!("{name}: reading {}: {e}", path.display()))?;
    flush_server(a).and_then(|()| flush_server(b)).map_err(|e| format!("{name}: {e}"))?;
    run_diff_script(&script, &name, a, b)
}

/// The `*.diff` files of `dir`, sorted by name, filtered by `$VIREO_DIFF_FILTER` if set.
pub fn diff_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let filter = std::env::var(FILTER_ENV).ok();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "diff") && p.is_file())
        .filter(|p| filter.as_deref().is_none_or(|f| p.file_name().is_some_and(|n| n.to_string_lossy().contains(f))))
        .collect();
    files.sort();
    Ok(files)
}

/// Runs every `*.diff` script of `dir` (in name order; each on empty servers and fresh
/// connections) against `vireo` and `redis`. Returns how many scripts ran, or all failures
/// together. A directory without scripts is an error, so a misplaced directory cannot pass.
pub fn diff_dir(dir: &Path, vireo: &ServerProcess, redis: &ServerProcess) -> Result<usize, String> {
    let files = diff_files(dir)?;
    if files.is_empty() {
        return Err(format!("no *.diff scripts in {}", dir.display()));
    }
    let failures: Vec<String> = files.iter().filter_map(|f| run_diff_file(f, vireo, redis).err()).collect();
    if failures.is_empty() {
        Ok(files.len())
    } else {
        Err(format!("{} of {} diff scripts failed:\n\n{}", failures.len(), files.len(), failures.join("\n\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(line: &str) -> Action {
        parse_line(line).unwrap().unwrap()
    }

    #[test]
    fn parses_lines() {
        assert_eq!(parse_line("   # note").unwrap(), None);
        assert_eq!(parse_line("   ").unwrap(), None);
        assert_eq!(
            action("SET a \"b c\""),
            Action::Send { bytes: encode_cmd(&["SET", "a", "b c"]), compare: Some(Compare::Exact) }
        );
        assert_eq!(
            action("hello 3"),
            Action::Send { bytes: encode_cmd(&["hello", "3"]), compare: Some(Compare::Hello) }
        );
        assert_eq!(
            action("@resp3"),
            Action::Send { bytes: encode_cmd(&["HELLO", "3"]), compare: Some(Compare::Hello) }
        );
        assert_eq!(
            action("@raw PING\\r\\n"),
            Action::Send { bytes: b"PING\r\n".to_vec(), compare: Some(Compare::Exact) }
        );
        assert_eq!(action("@raw  a b \\x20"), Action::Send { bytes: b"a b  ".to_vec(), compare: Some(Compare::Exact) });
        assert_eq!(action("@rawnoreply *1\\r\\n"), Action::Send { bytes: b"*1\r\n".to_vec(), compare: None });
        assert_eq!(action("@send BLPOP l 0"), Action::Send { bytes: encode_cmd(&["BLPOP", "l", "0"]), compare: None });
        assert_eq!(
            action("@ignore CLIENT ID"),
            Action::Send { bytes: encode_cmd(&["CLIENT", "ID"]), compare: Some(Compare::Ignore) }
        );
        assert_eq!(
            action("@sorted KEYS *"),
            Action::Send { bytes: encode_cmd(&["KEYS", "*"]), compare: Some(Compare::Sorted) }
        );
        assert_eq!(action("@conn other"), Action::Conn("other".into()));
        assert_eq!(action("@sleep 15"), Action::Sleep(15));
        assert_eq!(action("@blocked 2"), Action::Blocked(2));
        assert_eq!(action("@read"), Action::Read);
        assert_eq!(action("@closed"), Action::Closed);
        assert_eq!(action("@reconnect "), Action::Reconnect);
        for bad in ["@nosuch", "@raw", "@sleep x", "@conn", "@conn a b", "@read 1", "@ignore", "SET \"a", "@sorted '"] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
        let err = parse_script("PING\n\n@bogus\n", "t.diff").unwrap_err();
        assert!(err.starts_with("t.diff:3: "), "{err}");
    }

    #[test]
    fn masks_hello_fields() {
        let r3 = b"%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n";
        assert_eq!(
            mask_hello(r3),
            b"%3\r\n$6\r\nserver\r\n+<masked>\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n+<masked>\r\n"
        );
        let r2 = b"*4\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n";
        assert_eq!(mask_hello(r2), b"*4\r\n$7\r\nversion\r\n+<masked>\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n");
        assert_eq!(mask_hello(b"-NOPROTO x\r\n"), b"-NOPROTO x\r\n");
    }

    #[test]
    fn sorts_aggregates() {
        assert_eq!(sort_reply(b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"), b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
        assert_eq!(sort_reply(b"%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n"), b"%2\r\n+a\r\n:2\r\n+b\r\n:1\r\n");
        assert_eq!(sort_reply(b"$1\r\nx\r\n"), b"$1\r\nx\r\n");
    }

    #[test]
    fn describes_outcomes() {
        assert_eq!(Outcome::Reply(b"+OK\r\n".to_vec()).describe(), r#""+OK\r\n""#);
        assert_eq!(Outcome::Closed(vec![]).describe(), "(connection closed, no reply)");
        assert_eq!(
            Outcome::Closed(b"$3\r\nab".to_vec()).describe(),
            r#"(connection closed inside a reply) "$3\r\nab""#
        );
        assert_eq!(
            Outcome::Failed("timed out waiting for a reply".into()).describe(),
            "(timed out waiting for a reply)"
        );
    }

    #[test]
    fn shows_long_replies_around_the_difference() {
        let long = vec![b'a'; 10_000];
        let s = show(&long, 5000);
        assert!(s.contains("10000 bytes"), "{s}");
        assert!(s.len() < SHOW_WHOLE + 100);
        assert_eq!(first_difference(b"abc", b"abd"), 2);
        assert_eq!(first_difference(b"ab", b"abc"), 2);
    }
}
