//! vireo's command table checked against the reference redis-server 7.0.15, command by command:
//! every name vireo declares exists in Redis; COMMAND INFO of every command and subcommand is the
//! reference's (compared as parsed RESP3 values, with subcommands as a set and key-spec notes
//! only for presence, since vireo words its notes itself); COMMAND DOCS has the reference's
//! argument structure (names, types, tokens, flags, nesting; summaries and history excluded);
//! wrong-arity and COMMAND GETKEYSANDFLAGS replies are byte-identical for every command.
//!
//! The list of commands comes from vireo's own `COMMAND LIST`, so a command added to the table
//! is checked without touching this file.

use std::collections::BTreeSet;
use vireo_testkit::{encode_cmd, parse_reply, repr, RawConn, Reply, ServerBuilder, ServerProcess};

/// Subcommands of Redis 7.0.15 that vireo does not implement yet (client-side caching). A
/// container's subcommands must equal the reference's minus exactly these, so the list has to
/// shrink when one of them arrives.
const NOT_YET: &[&str] = &["client|caching", "client|tracking", "client|trackinginfo"];

struct Pair {
    _vireo: ServerProcess,
    _redis: ServerProcess,
    v: RawConn,
    r: RawConn,
}

impl Pair {
    /// Both servers, each with one RESP3 connection (so that sets and maps keep their types).
    fn start() -> Pair {
        let vireo = ServerBuilder::with_binary(env!("CARGO_BIN_EXE_vireo-server")).name("vireo").start();
        let redis = ServerBuilder::redis().start();
        let mut v = vireo.connect();
        let mut r = redis.connect();
        for c in [&mut v, &mut r] {
            let hello = c.cmd_parsed(&["HELLO", "3"]);
            assert!(!hello.is_error(), "HELLO 3: {hello:?}");
        }
        Pair { _vireo: vireo, _redis: redis, v, r }
    }

    /// The raw replies of both servers to the same command.
    fn both(&mut self, args: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
        (self.v.cmd_bytes(args), self.r.cmd_bytes(args))
    }

    /// Every command and subcommand vireo declares ("get", "config|get"), sorted.
    fn vireo_commands(&mut self) -> Vec<String> {
        let list = self.v.cmd_parsed(&["COMMAND", "LIST"]);
        let mut names: Vec<String> = list
            .as_array()
            .expect("COMMAND LIST is an array")
            .iter()
            .map(|n| n.as_str().expect("command name").to_string())
            .collect();
        names.sort();
        assert!(names.len() > 20, "vireo declares only {} commands", names.len());
        names
    }

    /// The one entry of `COMMAND <sub> <name>` from each server.
    fn entries(&mut self, sub: &str, name: &str) -> (Reply, Reply) {
        let (a, b) = self.both(&[b"COMMAND", sub.as_bytes(), name.as_bytes()]);
        (first_entry(&parse_reply(&a)), first_entry(&parse_reply(&b)))
    }
}

/// The single element of a one-command COMMAND INFO (array) or COMMAND DOCS (map) reply; `Null`
/// when there is none.
fn first_entry(r: &Reply) -> Reply {
    match r {
        Reply::Array(Some(items)) if items.len() == 1 => items[0].clone(),
        Reply::Map(pairs) if pairs.len() == 1 => pairs[0].1.clone(),
        Reply::Map(pairs) if pairs.is_empty() => Reply::Null,
        other => panic!("unexpected COMMAND reply {other:?}"),
    }
}

fn text(r: &Reply) -> String {
    match r {
        Reply::Simple(s) => s.clone(),
        Reply::Bulk(Some(b)) => String::from_utf8_lossy(b).into_owned(),
        other => format!("{other:?}"),
    }
}

fn items(r: &Reply) -> Vec<Reply> {
    match r {
        Reply::Array(Some(v)) | Reply::Set(v) => v.clone(),
        _ => Vec::new(),
    }
}

/// A COMMAND INFO entry with key-spec notes reduced to their presence and the subcommands
/// (normalised the same way) sorted by name and restricted to `keep`.
fn normalize_info(info: &Reply, keep: &BTreeSet<String>) -> Reply {
    let Reply::Array(Some(fields)) = info else {
        return info.clone();
    };
    let mut fields = fields.clone();
    if let Some(specs) = fields.get_mut(8) {
        let mut out = Vec::new();
        for spec in items(specs) {
            match spec {
                Reply::Map(pairs) => {
                    out.push(Reply::Map(
                        pairs
                            .into_iter()
                            .map(|(k, v)| {
                                if text(&k) == "notes" {
                                    (k, Reply::Simple("<notes present>".into()))
                                } else {
                                    (k, v)
                                }
                            })
                            .collect(),
                    ))
                }
                other => out.push(other),
            }
        }
        *specs = Reply::Array(Some(out));
    }
    if let Some(subs) = fields.get_mut(9) {
        let mut list: Vec<Reply> = items(subs)
            .iter()
            .filter(|s| keep.contains(&text(&items(s)[0])))
            .map(|s| normalize_info(s, keep))
            .collect();
        list.sort_by_key(|s| text(&items(s)[0]));
        *subs = Reply::Array(Some(list));
    }
    Reply::Array(Some(fields))
}

/// Subcommand names of a COMMAND INFO entry.
fn info_subcommands(info: &Reply) -> BTreeSet<String> {
    items(info).get(9).map(|s| items(s).iter().map(|e| text(&items(e)[0])).collect()).unwrap_or_default()
}

/// A COMMAND DOCS entry without the prose (summaries, history), the arguments kept as they are
/// except their summaries, and the subcommands map sorted and restricted to `keep`.
fn normalize_docs(doc: &Reply, keep: &BTreeSet<String>) -> Reply {
    let Reply::Map(pairs) = doc else {
        return doc.clone();
    };
    let mut out = Vec::new();
    for (k, v) in pairs {
        match text(k).as_str() {
            "summary" | "history" => {}
            "arguments" => out.push((k.clone(), normalize_args(v))),
            "subcommands" => {
                let Reply::Map(subs) = v else {
                    out.push((k.clone(), v.clone()));
                    continue;
                };
                let mut subs: Vec<(Reply, Reply)> = subs
                    .iter()
                    .filter(|(name, _)| keep.contains(&text(name)))
                    .map(|(name, d)| (name.clone(), normalize_docs(d, keep)))
                    .collect();
                subs.sort_by_key(|(name, _)| text(name));
                out.push((k.clone(), Reply::Map(subs)));
            }
            _ => out.push((k.clone(), v.clone())),
        }
    }
    Reply::Map(out)
}

fn normalize_args(args: &Reply) -> Reply {
    Reply::Array(Some(
        items(args)
            .iter()
            .map(|a| match a {
                Reply::Map(pairs) => Reply::Map(
                    pairs
                        .iter()
                        .filter(|(k, _)| text(k) != "summary")
                        .map(|(k, v)| {
                            if text(k) == "arguments" {
                                (k.clone(), normalize_args(v))
                            } else {
                                (k.clone(), v.clone())
                            }
                        })
                        .collect(),
                ),
                other => other.clone(),
            })
            .collect(),
    ))
}

fn docs_subcommands(doc: &Reply) -> BTreeSet<String> {
    doc.get("subcommands")
        .and_then(|s| s.as_map())
        .map(|m| m.iter().map(|(k, _)| text(k)).collect())
        .unwrap_or_default()
}

fn fail_if_any(what: &str, failures: Vec<String>) {
    assert!(failures.is_empty(), "{} {what}:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn every_vireo_command_exists_in_redis() {
    let mut p = Pair::start();
    let names = p.vireo_commands();
    let invented: Vec<String> =
        names.iter().filter(|n| p.entries("INFO", n).1 == Reply::Null).map(|n| n.to_string()).collect();
    assert!(invented.is_empty(), "commands Redis 7.0.15 does not have: {invented:?}");
    // the not-yet list names real Redis subcommands that vireo lacks
    for n in NOT_YET {
        assert_ne!(p.entries("INFO", n).1, Reply::Null, "{n} is not a Redis command");
        assert_eq!(p.entries("INFO", n).0, Reply::Null, "{n} is implemented now: remove it from NOT_YET");
    }
}

#[test]
fn command_info_matches_redis() {
    let mut p = Pair::start();
    let names = p.vireo_commands();
    let keep: BTreeSet<String> = names.iter().cloned().collect();
    let mut failures = Vec::new();
    for name in &names {
        let (v, r) = p.entries("INFO", name);
        if r == Reply::Null {
            failures.push(format!("{name}: not in Redis"));
            continue;
        }
        let (vs, rs) = (info_subcommands(&v), info_subcommands(&r));
        let missing: Vec<&String> = rs.difference(&vs).filter(|s| !NOT_YET.contains(&s.as_str())).collect();
        let extra: Vec<&String> = vs.difference(&rs).collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!("{name}: subcommands missing {missing:?}, not in Redis {extra:?}"));
        }
        let (nv, nr) = (normalize_info(&v, &keep), normalize_info(&r, &keep));
        if nv != nr {
            failures.push(format!("{name}:\n  vireo {nv:?}\n  redis {nr:?}"));
        }
    }
    fail_if_any("COMMAND INFO differences", failures);
}

#[test]
fn command_docs_structure_matches_redis() {
    let mut p = Pair::start();
    let names = p.vireo_commands();
    let keep: BTreeSet<String> = names.iter().cloned().collect();
    let mut failures = Vec::new();
    for name in &names {
        let (v, r) = p.entries("DOCS", name);
        if r == Reply::Null || v == Reply::Null {
            failures.push(format!("{name}: COMMAND DOCS vireo {v:?} redis {r:?}"));
            continue;
        }
        let (vs, rs) = (docs_subcommands(&v), docs_subcommands(&r));
        let missing: Vec<&String> = rs.difference(&vs).filter(|s| !NOT_YET.contains(&s.as_str())).collect();
        if !missing.is_empty() || vs.difference(&rs).next().is_some() {
            failures.push(format!("{name}: docs subcommands vireo {vs:?} redis {rs:?}"));
        }
        let (nv, nr) = (normalize_docs(&v, &keep), normalize_docs(&r, &keep));
        if nv != nr {
            failures.push(format!("{name}:\n  vireo {nv:?}\n  redis {nr:?}"));
        }
    }
    fail_if_any("COMMAND DOCS differences", failures);
}

/// The argument counts around a command's arity that the arity check must reject.
fn wrong_counts(arity: i64) -> Vec<usize> {
    if arity > 0 {
        vec![arity as usize - 1, arity as usize + 1]
    } else {
        vec![(-arity) as usize - 1]
    }
}

#[test]
fn wrong_arity_replies_match_redis() {
    let mut p = Pair::start();
    let names = p.vireo_commands();
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in &names {
        let (info, _) = p.entries("INFO", name);
        let fields = items(&info);
        let arity = fields[1].as_int().expect("arity");
        let words: Vec<&str> = name.split('|').collect();
        if !info_subcommands(&info).is_empty() && words.len() == 1 {
            // a container named alone: only "CONFIG" by itself can be of the wrong arity
            if arity < -1 {
                let (a, b) = p.both(&[words[0].as_bytes()]);
                if a != b {
                    failures.push(format!("{name}: vireo {} redis {}", repr(&a), repr(&b)));
                }
                checked += 1;
            }
            continue;
        }
        for argc in wrong_counts(arity) {
            if argc < words.len() {
                continue;
            }
            let mut argv: Vec<Vec<u8>> = words.iter().map(|w| w.to_ascii_uppercase().into_bytes()).collect();
            argv.extend((argv.len()..argc).map(|i| format!("arg{i}").into_bytes()));
            let args: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
            let (a, b) = p.both(&args);
            if a != b {
                failures.push(format!("{}: vireo {} redis {}", repr(&encode_cmd(&args)), repr(&a), repr(&b)));
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} wrong-arity cases");
    fail_if_any("wrong-arity replies differ", failures);
}

#[test]
fn getkeys_replies_match_redis() {
    let mut p = Pair::start();
    let names = p.vireo_commands();
    let mut failures = Vec::new();
    for name in &names {
        let (info, _) = p.entries("INFO", name);
        if !info_subcommands(&info).is_empty() {
            continue;
        }
        let arity = items(&info)[1].as_int().expect("arity");
        let words: Vec<&str> = name.split('|').collect();
        let min = arity.unsigned_abs() as usize;
        // placeholder arguments: key-like names, then numbers (numkeys-style arguments), at the
        // minimum count and with extra arguments for variadic commands
        let mut counts = vec![min];
        if arity < 0 {
            counts.extend([min + 1, min + 3]);
        }
        for count in counts {
            for style in ["name", "number"] {
                let mut argv: Vec<Vec<u8>> = vec![b"COMMAND".to_vec(), b"GETKEYSANDFLAGS".to_vec()];
                argv.extend(words.iter().map(|w| w.as_bytes().to_vec()));
                for i in words.len()..count.max(words.len()) {
                    argv.push(if style == "name" { format!("k{i}").into_bytes() } else { b"2".to_vec() });
                }
                let args: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
                let (a, b) = p.both(&args);
                if a != b {
                    failures.push(format!("{}: vireo {} redis {}", repr(&encode_cmd(&args)), repr(&a), repr(&b)));
                }
            }
        }
    }
    fail_if_any("COMMAND GETKEYSANDFLAGS replies differ", failures);
}
