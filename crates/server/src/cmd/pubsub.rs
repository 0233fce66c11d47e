//! Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the shard-channel
//! variants (the same as plain channels outside cluster mode) and PUBSUB introspection; also
//! the delivery of keyspace notifications. Messages are written straight into subscribers'
//! reply buffers (RESP2 arrays or RESP3 pushes). The registry of channels and patterns lives
//! here; the RESP2 "subscriber context" rule is enforced by the gate.

use crate::client::{cflags, Client, Reply, ReplyMode};
use crate::command::*;
use crate::exec::Ctx;
use crate::server::Server;
use bytes::Bytes;
use std::collections::HashMap;

const S_SUBSCRIBE: &str = "Listens for messages published to channels.";
const S_UNSUBSCRIBE: &str = "Stops listening to channels.";
const S_PSUBSCRIBE: &str = "Listens for messages published to channels matching patterns.";
const S_PUNSUBSCRIBE: &str = "Stops listening to patterns.";
const S_PUBLISH: &str = "Sends a message to a channel.";
const S_SSUBSCRIBE: &str = "Listens for messages published to shard channels.";
const S_SUNSUBSCRIBE: &str = "Stops listening to shard channels.";
const S_SPUBLISH: &str = "Sends a message to a shard channel.";
const S_PUBSUB: &str = "Commands about the state of Pub/Sub.";
const S_PUBSUB_CHANNELS: &str = "Lists the channels with subscribers.";
const S_PUBSUB_HELP: &str = "Lists the PUBSUB subcommands.";
const S_PUBSUB_NUMPAT: &str = "Returns the number of pattern subscriptions.";
const S_PUBSUB_NUMSUB: &str = "Returns the number of subscribers of channels.";
const S_PUBSUB_SHARDCHANNELS: &str = "Lists the shard channels with subscribers.";
const S_PUBSUB_SHARDNUMSUB: &str = "Returns the number of subscribers of shard channels.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "subscribe",
        arity: -2,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: acl::PUBSUB | acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_SUBSCRIBE, since: "2.0.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of channels to subscribe to."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "channel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(subscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "unsubscribe",
        arity: -1,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: acl::PUBSUB | acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_UNSUBSCRIBE, since: "2.0.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of clients already subscribed to a channel."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "channel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(unsubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "psubscribe",
        arity: -2,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: acl::PUBSUB | acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_PSUBSCRIBE, since: "2.0.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of patterns the client is already subscribed to."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "pattern", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(psubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "punsubscribe",
        arity: -1,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: acl::PUBSUB | acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_PUNSUBSCRIBE, since: "2.0.0", group: Group::Pubsub, complexity: Some("O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(punsubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "publish",
        arity: 3,
        flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::PUBSUB | acl::FAST,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_PUBLISH, since: "2.0.0", group: Group::Pubsub, complexity: Some("O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "channel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "message", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(publish_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "ssubscribe",
        arity: -2,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: acl::PUBSUB | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::NOT_KEY, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SSUBSCRIBE, since: "7.0.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of shard channels to subscribe to."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "shardchannel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(ssubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "sunsubscribe",
        arity: -1,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: acl::PUBSUB | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::NOT_KEY, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SUNSUBSCRIBE, since: "7.0.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of clients already subscribed to a shard channel."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "shardchannel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sunsubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "spublish",
        arity: 3,
        flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::PUBSUB | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::NOT_KEY, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SPUBLISH, since: "7.0.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of clients subscribed to the receiving shard channel."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "shardchannel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "message", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(spublish),
        subcommands: &[],
    },
    CommandSpec {
        name: "pubsub",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_PUBSUB, since: "2.8.0", group: Group::Pubsub, complexity: Some("Depends on subcommand."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: None,
        subcommands: &[
            CommandSpec {
                name: "channels",
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                acl: acl::PUBSUB | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_PUBSUB_CHANNELS, since: "2.8.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(pubsub_channels),
                subcommands: &[],
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_PUBSUB_HELP, since: "6.2.0", group: Group::Pubsub, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
                handler: Some(pubsub_help),
                subcommands: &[],
            },
            CommandSpec {
                name: "numpat",
                arity: 2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                acl: acl::PUBSUB | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_PUBSUB_NUMPAT, since: "2.8.0", group: Group::Pubsub, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
                handler: Some(pubsub_numpat),
                subcommands: &[],
            },
            CommandSpec {
                name: "numsub",
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                acl: acl::PUBSUB | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_PUBSUB_NUMSUB, since: "2.8.0", group: Group::Pubsub, complexity: Some("O(N) for the NUMSUB subcommand, where N is the number of requested channels"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "channel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(pubsub_numsub),
                subcommands: &[],
            },
            CommandSpec {
                name: "shardchannels",
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                acl: acl::PUBSUB | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_PUBSUB_SHARDCHANNELS, since: "7.0.0", group: Group::Pubsub, complexity: Some("O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(pubsub_shardchannels),
                subcommands: &[],
            },
            CommandSpec {
                name: "shardnumsub",
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                acl: acl::PUBSUB | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_PUBSUB_SHARDNUMSUB, since: "7.0.0", group: Group::Pubsub, complexity: Some("O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "shardchannel", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(pubsub_shardnumsub),
                subcommands: &[],
            },
        ],
    },
];

/// Subscriptions of all clients.
#[derive(Debug, Default)]
pub struct PubSub {
    /// Channel -> subscribed client ids, in subscription order.
    channels: HashMap<Bytes, Vec<u64>>,
    /// Pattern -> subscribed client ids; patterns in first-subscription order.
    patterns: Vec<(Bytes, Vec<u64>)>,
    shard_channels: HashMap<Bytes, Vec<u64>>,
}

impl PubSub {
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }
    pub fn shard_channel_count(&self) -> usize {
        self.shard_channels.len()
    }
}

/// A client's subscriptions (in subscription order).
#[derive(Debug, Default, Clone)]
pub struct ClientSubs {
    pub channels: Vec<Bytes>,
    pub patterns: Vec<Bytes>,
    pub shard: Vec<Bytes>,
}

impl ClientSubs {
    fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }
    fn total(&self) -> usize {
        self.count() + self.shard.len()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Shard,
}

fn header(out: &mut Reply, n: usize) {
    if out.is_resp3() {
        out.push(n);
    } else {
        out.array(n);
    }
}

/// Writes a push to the client running a command, recording it as one that CLIENT REPLY
/// OFF/SKIP must not drop.
fn pushing(c: &mut Client, write: impl FnOnce(&mut Reply)) {
    let start = c.reply.len();
    write(&mut c.reply);
    if c.reply_mode != ReplyMode::On {
        let end = c.reply.len();
        c.kept_pushes.push(start..end);
    }
}

fn subscribed_reply(c: &mut Client, kind: Kind, channel: &[u8]) {
    let count = match kind {
        Kind::Plain => c.subs.count(),
        Kind::Shard => c.subs.shard.len(),
    };
    pushing(c, |out| {
        header(out, 3);
        out.bulk(if kind == Kind::Plain { b"subscribe" } else { b"ssubscribe" });
        out.bulk(channel);
        out.int(count as i64);
    });
}

fn unsubscribed_reply(c: &mut Client, kind: Kind, channel: Option<&[u8]>) {
    let count = match kind {
        Kind::Plain => c.subs.count(),
        Kind::Shard => c.subs.shard.len(),
    };
    pushing(c, |out| {
        header(out, 3);
        out.bulk(if kind == Kind::Plain { b"unsubscribe" } else { b"sunsubscribe" });
        match channel {
            Some(ch) => out.bulk(ch),
            None => out.null(),
        }
        out.int(count as i64);
    });
}

fn pattern_reply(c: &mut Client, verb: &[u8], pattern: Option<&[u8]>) {
    let count = c.subs.count();
    pushing(c, |out| {
        header(out, 3);
        out.bulk(verb);
        match pattern {
            Some(p) => out.bulk(p),
            None => out.null(),
        }
        out.int(count as i64);
    });
}

fn update_flag(c: &mut Client) {
    if c.subs.total() > 0 {
        c.flags |= cflags::PUBSUB;
    } else {
        c.flags &= !cflags::PUBSUB;
    }
}

fn subscribe_channel(srv: &mut Server, c: &mut Client, ch: &Bytes, kind: Kind) {
    let (mine, table) = match kind {
        Kind::Plain => (&mut c.subs.channels, &mut srv.pubsub.channels),
        Kind::Shard => (&mut c.subs.shard, &mut srv.pubsub.shard_channels),
    };
    if !mine.contains(ch) {
        mine.push(ch.clone());
        table.entry(ch.clone()).or_default().push(c.id);
    }
    subscribed_reply(c, kind, ch);
}

/// Returns true when the client was subscribed.
fn unsubscribe_channel(srv: &mut Server, c: &mut Client, ch: &[u8], kind: Kind, notify: bool) -> bool {
    let (mine, table) = match kind {
        Kind::Plain => (&mut c.subs.channels, &mut srv.pubsub.channels),
        Kind::Shard => (&mut c.subs.shard, &mut srv.pubsub.shard_channels),
    };
    let mut was = false;
    if let Some(i) = mine.iter().position(|x| &x[..] == ch) {
        mine.remove(i);
        was = true;
        if let Some(v) = table.get_mut(ch) {
            v.retain(|&id| id != c.id);
            if v.is_empty() {
                table.remove(ch);
            }
        }
    }
    if notify {
        unsubscribed_reply(c, kind, Some(ch));
    }
    was
}

fn unsubscribe_all_channels(srv: &mut Server, c: &mut Client, kind: Kind, notify: bool) -> usize {
    let list = match kind {
        Kind::Plain => c.subs.channels.clone(),
        Kind::Shard => c.subs.shard.clone(),
    };
    let mut n = 0;
    for ch in &list {
        if unsubscribe_channel(srv, c, ch, kind, notify) {
            n += 1;
        }
    }
    if notify && n == 0 {
        unsubscribed_reply(c, kind, None);
    }
    n
}

fn subscribe_pattern(srv: &mut Server, c: &mut Client, p: &Bytes) {
    if !c.subs.patterns.contains(p) {
        c.subs.patterns.push(p.clone());
        match srv.pubsub.patterns.iter_mut().find(|(q, _)| q == p) {
            Some((_, ids)) => ids.push(c.id),
            None => srv.pubsub.patterns.push((p.clone(), vec![c.id])),
        }
    }
    pattern_reply(c, b"psubscribe", Some(p));
}

fn unsubscribe_pattern(srv: &mut Server, c: &mut Client, p: &[u8], notify: bool) -> bool {
    let mut was = false;
    if let Some(i) = c.subs.patterns.iter().position(|x| &x[..] == p) {
        c.subs.patterns.remove(i);
        was = true;
        if let Some(j) = srv.pubsub.patterns.iter().position(|(q, _)| &q[..] == p) {
            srv.pubsub.patterns[j].1.retain(|&id| id != c.id);
            if srv.pubsub.patterns[j].1.is_empty() {
                srv.pubsub.patterns.remove(j);
            }
        }
    }
    if notify {
        pattern_reply(c, b"punsubscribe", Some(p));
    }
    was
}

fn unsubscribe_all_patterns(srv: &mut Server, c: &mut Client, notify: bool) -> usize {
    let list = c.subs.patterns.clone();
    let mut n = 0;
    for p in &list {
        if unsubscribe_pattern(srv, c, p, notify) {
            n += 1;
        }
    }
    if notify && n == 0 {
        pattern_reply(c, b"punsubscribe", None);
    }
    n
}

/// Drops every subscription of a client (disconnect, RESET).
pub fn unsubscribe_all(srv: &mut Server, c: &mut Client) {
    unsubscribe_all_channels(srv, c, Kind::Plain, false);
    unsubscribe_all_channels(srv, c, Kind::Shard, false);
    unsubscribe_all_patterns(srv, c, false);
    update_flag(c);
}

/// Writes into the reply buffer of client `id` (the running client `cur` is not in the table).
fn deliver(srv: &mut Server, cur: &mut Option<&mut Client>, id: u64, write: &dyn Fn(&mut Reply)) {
    if let Some(c) = cur.as_deref_mut() {
        if c.id == id {
            pushing(c, |out| write(out));
            return;
        }
    }
    let Some(&t) = srv.client_order.get(&id) else { return };
    if let Some(mut c) = crate::net::take_client(srv, t) {
        write(&mut c.reply);
        srv.schedule_write(&mut c);
        crate::net::put_client(srv, c);
    }
}

fn publish_impl(srv: &mut Server, mut cur: Option<&mut Client>, channel: &[u8], msg: &[u8], kind: Kind) -> usize {
    let mut receivers = 0;
    let table = match kind {
        Kind::Plain => &srv.pubsub.channels,
        Kind::Shard => &srv.pubsub.shard_channels,
    };
    if let Some(ids) = table.get(channel).cloned() {
        let verb: &[u8] = if kind == Kind::Plain { b"message" } else { b"smessage" };
        for id in ids {
            deliver(srv, &mut cur, id, &|out: &mut Reply| {
                header(out, 3);
                out.bulk(verb);
                out.bulk(channel);
                out.bulk(msg);
            });
            receivers += 1;
        }
    }
    if kind == Kind::Shard {
        return receivers;
    }
    let matching: Vec<(Bytes, Vec<u64>)> = srv
        .pubsub
        .patterns
        .iter()
        .filter(|(p, _)| vireo_config::glob::glob_match(p, channel, false))
        .cloned()
        .collect();
    for (p, ids) in matching {
        for id in ids {
            deliver(srv, &mut cur, id, &|out: &mut Reply| {
                header(out, 4);
                out.bulk(b"pmessage");
                out.bulk(&p);
                out.bulk(channel);
                out.bulk(msg);
            });
            receivers += 1;
        }
    }
    receivers
}

/// PUBLISH from inside the server (keyspace notifications).
pub fn publish(srv: &mut Server, cur: Option<&mut Client>, channel: &[u8], msg: &[u8]) -> usize {
    if srv.pubsub.channels.is_empty() && srv.pubsub.patterns.is_empty() {
        return 0;
    }
    publish_impl(srv, cur, channel, msg, Kind::Plain)
}

/// Publishes a keyspace notification on __keyspace@<db>__:<key> and/or __keyevent@<db>__:<event>.
pub fn notify_keyspace_event(
    srv: &mut Server,
    mut cur: Option<&mut Client>,
    class: u32,
    event: &str,
    key: &[u8],
    db: usize,
) {
    let flags = srv.config.notify_keyspace_events;
    if flags & class == 0 {
        return;
    }
    if flags & crate::exec::notify::KEYSPACE != 0 {
        let mut ch = format!("__keyspace@{}__:", db).into_bytes();
        ch.extend_from_slice(key);
        publish(srv, cur.as_deref_mut(), &ch, event.as_bytes());
    }
    if flags & crate::exec::notify::KEYEVENT != 0 {
        let ch = format!("__keyevent@{}__:{}", db, event).into_bytes();
        publish(srv, cur, &ch, key);
    }
}

fn subscribe(ctx: &mut Ctx) {
    for ch in &ctx.argv[1..] {
        subscribe_channel(ctx.srv, ctx.c, ch, Kind::Plain);
    }
    update_flag(ctx.c);
}

fn ssubscribe(ctx: &mut Ctx) {
    for ch in &ctx.argv[1..] {
        subscribe_channel(ctx.srv, ctx.c, ch, Kind::Shard);
    }
    update_flag(ctx.c);
}

fn unsubscribe_generic(ctx: &mut Ctx, kind: Kind) {
    if ctx.argc() == 1 {
        unsubscribe_all_channels(ctx.srv, ctx.c, kind, true);
    } else {
        for ch in &ctx.argv[1..] {
            unsubscribe_channel(ctx.srv, ctx.c, ch, kind, true);
        }
    }
    update_flag(ctx.c);
}

fn unsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Kind::Plain)
}

fn sunsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Kind::Shard)
}

fn psubscribe(ctx: &mut Ctx) {
    for p in &ctx.argv[1..] {
        subscribe_pattern(ctx.srv, ctx.c, p);
    }
    update_flag(ctx.c);
}

fn punsubscribe(ctx: &mut Ctx) {
    if ctx.argc() == 1 {
        unsubscribe_all_patterns(ctx.srv, ctx.c, true);
    } else {
        for p in &ctx.argv[1..] {
            unsubscribe_pattern(ctx.srv, ctx.c, p, true);
        }
    }
    update_flag(ctx.c);
}

fn publish_cmd(ctx: &mut Ctx, kind: Kind) {
    let (ch, msg) = (ctx.argv[1].clone(), ctx.argv[2].clone());
    let n = publish_impl(ctx.srv, Some(&mut *ctx.c), &ch, &msg, kind);
    ctx.int(n as i64);
}

fn publish_command(ctx: &mut Ctx) {
    publish_cmd(ctx, Kind::Plain)
}

fn spublish(ctx: &mut Ctx) {
    publish_cmd(ctx, Kind::Shard)
}

fn channel_list(ctx: &mut Ctx, kind: Kind) {
    if ctx.argc() > 3 {
        crate::cmd::debug::subcommand_syntax_error(ctx);
        return;
    }
    let pat = if ctx.argc() == 3 { Some(ctx.argv[2].clone()) } else { None };
    let table = match kind {
        Kind::Plain => &ctx.srv.pubsub.channels,
        Kind::Shard => &ctx.srv.pubsub.shard_channels,
    };
    let names: Vec<Bytes> = table
        .keys()
        .filter(|ch| pat.as_ref().is_none_or(|p| vireo_config::glob::glob_match(p, ch, false)))
        .cloned()
        .collect();
    let out = ctx.out();
    out.array(names.len());
    for n in names {
        out.bulk(&n);
    }
}

fn pubsub_channels(ctx: &mut Ctx) {
    channel_list(ctx, Kind::Plain)
}

fn pubsub_shardchannels(ctx: &mut Ctx) {
    channel_list(ctx, Kind::Shard)
}

fn numsub(ctx: &mut Ctx, kind: Kind) {
    let counts: Vec<(Bytes, usize)> = ctx.argv[2..]
        .iter()
        .map(|ch| {
            let table = match kind {
                Kind::Plain => &ctx.srv.pubsub.channels,
                Kind::Shard => &ctx.srv.pubsub.shard_channels,
            };
            (ch.clone(), table.get(&ch[..]).map_or(0, |v| v.len()))
        })
        .collect();
    let out = ctx.out();
    out.array(counts.len() * 2);
    for (ch, n) in counts {
        out.bulk(&ch);
        out.int(n as i64);
    }
}

fn pubsub_numsub(ctx: &mut Ctx) {
    numsub(ctx, Kind::Plain)
}

fn pubsub_shardnumsub(ctx: &mut Ctx) {
    numsub(ctx, Kind::Shard)
}

fn pubsub_numpat(ctx: &mut Ctx) {
    let n = ctx.srv.pubsub.patterns.len();
    ctx.int(n as i64);
}

fn pubsub_help(ctx: &mut Ctx) {
    let lines: &[&str] = &[
        "CHANNELS [<pattern>]",
        "    Return the channels with at least one subscriber, matching <pattern> (default: '*').",
        "NUMPAT",
        "    Return the number of pattern subscriptions.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers of the channels (pattern subscriptions not counted).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the shard channels with at least one subscriber, matching <pattern>.",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers of the shard channels.",
    ];
    crate::cmd::reply_help(ctx, "PUBSUB", lines);
}
