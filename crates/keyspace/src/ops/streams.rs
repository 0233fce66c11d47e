//! Stream operations (XADD, XTRIM, XDEL, XLEN, XSETID, the XGROUP subcommands, XACK, XCLAIM,
//! XAUTOCLAIM, and the lookups XRANGE, XREAD, XREADGROUP, XPENDING and XINFO iterate over) as
//! data functions over a [`Db`]. Each does the lookups the Redis command does (read or write
//! lookups, so lazy expiry and hit/miss statistics match), checks in Redis's order, changes the
//! stream and returns what happened, including the effects the server must propagate (XCLAIM
//! and XGROUP SETID forms of consumer-group changes). Replies, error texts, dirty counts,
//! keyspace notifications and argument parsing are the server's business.

use super::OpError;
use crate::db::Db;
use crate::types::stream::{AppendError, ConsumerGroup, Entries, IdSpec, Stream, StreamId, Trim};
use crate::types::Limits;
use crate::value::Value;

/// The stream at `key` for reading (lookupKeyRead): `None` when missing.
pub fn read<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Stream>, OpError> {
    match db.lookup_read(key) {
        None => Ok(None),
        Some(e) => match &mut e.val {
            Value::Stream(s) => Ok(Some(&mut **s)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// The stream at `key` for writing (lookupKeyWrite): `None` when missing.
pub fn write<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Stream>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => match &mut e.val {
            Value::Stream(s) => Ok(Some(&mut **s)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// The stream at `key` without any side effect (no expiry, statistics or access time), for a
/// second look within the same command.
pub fn peek<'a>(db: &'a Db, key: &[u8]) -> Option<&'a Stream> {
    match &db.peek(key)?.val {
        Value::Stream(s) => Some(s),
        _ => None,
    }
}

/// Mutable [`peek`].
pub fn peek_mut<'a>(db: &'a mut Db, key: &[u8]) -> Option<&'a mut Stream> {
    match &mut db.peek_mut(key)?.val {
        Value::Stream(s) => Some(s),
        _ => None,
    }
}

/// XLEN.
pub fn xlen(db: &mut Db, key: &[u8]) -> Result<u64, OpError> {
    Ok(read(db, key)?.map_or(0, |s| s.entries().len()))
}

// ---------------------------------------------------------------------------------------------
// XADD / XTRIM / XDEL / XSETID

/// A trimming request (MAXLEN/MINID with `~` and LIMIT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrimArgs {
    pub how: Trim,
    pub approx: bool,
    /// Most entries to remove (0 = no limit).
    pub limit: i64,
}

/// The value an approximate trim is propagated with: the length after trimming (MAXLEN) or the
/// first id left, tombstones included (MINID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectiveTrim {
    MaxLen(u64),
    MinId(StreamId),
}

fn effective_trim(s: &Stream, how: Trim) -> EffectiveTrim {
    match how {
        Trim::MaxLen(_) => EffectiveTrim::MaxLen(s.entries().len()),
        Trim::MinId(_) => EffectiveTrim::MinId(s.entries().edge_id(true, false)),
    }
}

/// Why XADD failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddError {
    WrongType,
    /// NOMKSTREAM and no key: nothing done.
    NoStream,
    /// The stream's last id is the largest possible one.
    Exhausted,
    IdTooSmall,
    TooLarge,
}

/// What XADD did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Added {
    pub id: StreamId,
    /// Entries removed by the trimming option.
    pub trimmed: u64,
    /// For an approximate trim, the value to propagate instead of the one given.
    pub effective: Option<EffectiveTrim>,
}

/// XADD: `pairs` are the field/value arguments.
pub fn xadd<B: AsRef<[u8]>>(
    db: &mut Db,
    key: &[u8],
    pairs: &[B],
    id: IdSpec,
    no_mkstream: bool,
    trim: Option<TrimArgs>,
    limits: &Limits,
) -> Result<Added, AddError> {
    let now = db.clock.now_ms;
    match write(db, key) {
        Err(_) => return Err(AddError::WrongType),
        Ok(None) if no_mkstream => return Err(AddError::NoStream),
        Ok(None) => db.add(key, Value::Stream(Box::default())),
        Ok(Some(_)) => {}
    }
    let s = peek_mut(db, key).ok_or(AddError::NoStream)?;
    if s.last_id() == StreamId::MAX {
        return Err(AddError::Exhausted);
    }
    let id = s.append(pairs, id, now, limits).map_err(|e| match e {
        AppendError::IdTooSmall => AddError::IdTooSmall,
        AppendError::TooLarge => AddError::TooLarge,
    })?;
    let mut out = Added { id, trimmed: 0, effective: None };
    if let Some(t) = trim {
        out.trimmed = s.trim(t.how, t.approx, t.limit);
        if t.approx {
            out.effective = Some(effective_trim(s, t.how));
        }
    }
    Ok(out)
}

/// XTRIM: the number of entries removed and, when some were removed by an approximate trim, the
/// value to propagate.
pub fn xtrim(db: &mut Db, key: &[u8], t: TrimArgs) -> Result<(u64, Option<EffectiveTrim>), OpError> {
    let Some(s) = write(db, key)? else { return Ok((0, None)) };
    let n = s.trim(t.how, t.approx, t.limit);
    let eff = (n > 0 && t.approx).then(|| effective_trim(s, t.how));
    Ok((n, eff))
}

/// XDEL: how many of `ids` were deleted.
pub fn xdel(db: &mut Db, key: &[u8], ids: &[StreamId]) -> Result<u64, OpError> {
    let Some(s) = write(db, key)? else { return Ok(0) };
    Ok(s.delete_ids(ids))
}

/// Why XSETID failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetIdError {
    WrongType,
    NoKey,
    /// The id is smaller than the last live entry's.
    SmallerThanTop,
    /// ENTRIESADDED is smaller than the length.
    EntriesAddedTooSmall,
}

/// XSETID: sets the last id, and optionally the added-entries counter and the largest deleted id
/// (a zero id means "leave it").
pub fn xsetid(
    db: &mut Db,
    key: &[u8],
    id: StreamId,
    entries_added: Option<u64>,
    max_deleted: StreamId,
) -> Result<(), SetIdError> {
    let s = match write(db, key) {
        Err(_) => return Err(SetIdError::WrongType),
        Ok(None) => return Err(SetIdError::NoKey),
        Ok(Some(s)) => s,
    };
    let e = s.entries_mut();
    if !e.is_empty() {
        let top = e.last_valid_id().unwrap_or(StreamId::MIN);
        if id < top {
            return Err(SetIdError::SmallerThanTop);
        }
        if entries_added.is_some_and(|n| e.len() > n) {
            return Err(SetIdError::EntriesAddedTooSmall);
        }
    }
    e.set_last_id(id);
    if let Some(n) = entries_added {
        e.set_entries_added(n);
    }
    if !max_deleted.is_zero() {
        e.set_max_deleted_id(max_deleted);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XGROUP

/// A group's starting id as XGROUP CREATE/SETID take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupStart {
    /// `$`: the stream's last id.
    Last,
    Id(StreamId),
    /// The argument is not a valid id (reported once the key checks passed).
    Invalid,
}

/// Why an XGROUP subcommand failed (in Redis's order of checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupError {
    WrongType,
    /// The key does not exist (and CREATE has no MKSTREAM).
    NoKey,
    /// The group does not exist (SETID, CREATECONSUMER, DELCONSUMER).
    NoGroup,
    InvalidId,
    /// CREATE: the group exists.
    BusyGroup,
}

/// The common checks of XGROUP subcommands: the key (written), its type, its existence unless
/// `mkstream`, and the group's existence when `need_group`.
fn group_target<'a>(
    db: &'a mut Db,
    key: &[u8],
    group: &[u8],
    mkstream: bool,
    need_group: bool,
) -> Result<Option<&'a mut Stream>, GroupError> {
    let s = write(db, key).map_err(|_| GroupError::WrongType)?;
    match s {
        None if mkstream => Ok(None),
        None => Err(GroupError::NoKey),
        Some(s) => {
            if need_group && s.group(group).is_none() {
                return Err(GroupError::NoGroup);
            }
            Ok(Some(s))
        }
    }
}

/// What XGROUP CREATE did besides creating the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupCreated {
    /// MKSTREAM created the key.
    pub key_created: bool,
}

/// XGROUP CREATE.
pub fn xgroup_create(
    db: &mut Db,
    key: &[u8],
    group: &[u8],
    start: GroupStart,
    mkstream: bool,
    entries_read: i64,
) -> Result<GroupCreated, GroupError> {
    let exists = group_target(db, key, group, mkstream, false)?.is_some();
    let id = match start {
        GroupStart::Invalid => return Err(GroupError::InvalidId),
        GroupStart::Last => peek(db, key).map_or(StreamId::MIN, |s| s.last_id()),
        GroupStart::Id(id) => id,
    };
    if !exists {
        db.add(key, Value::Stream(Box::default()));
    }
    let s = peek_mut(db, key).ok_or(GroupError::NoKey)?;
    if !s.create_group(group, id, entries_read) {
        return Err(GroupError::BusyGroup);
    }
    Ok(GroupCreated { key_created: !exists })
}

/// XGROUP SETID.
pub fn xgroup_setid(
    db: &mut Db,
    key: &[u8],
    group: &[u8],
    start: GroupStart,
    entries_read: i64,
) -> Result<(), GroupError> {
    let s = group_target(db, key, group, false, true)?.ok_or(GroupError::NoKey)?;
    let id = match start {
        GroupStart::Invalid => return Err(GroupError::InvalidId),
        GroupStart::Last => s.last_id(),
        GroupStart::Id(id) => id,
    };
    let g = s.group_mut(group).ok_or(GroupError::NoGroup)?;
    g.last_id = id;
    g.entries_read = entries_read;
    Ok(())
}

/// XGROUP DESTROY: true when the group existed.
pub fn xgroup_destroy(db: &mut Db, key: &[u8], group: &[u8]) -> Result<bool, GroupError> {
    let s = group_target(db, key, group, false, false)?.ok_or(GroupError::NoKey)?;
    Ok(s.destroy_group(group))
}

/// XGROUP CREATECONSUMER: true when the consumer was created.
pub fn xgroup_createconsumer(db: &mut Db, key: &[u8], group: &[u8], consumer: &[u8]) -> Result<bool, GroupError> {
    let now = db.clock.now_ms;
    let s = group_target(db, key, group, false, true)?.ok_or(GroupError::NoKey)?;
    let g = s.group_mut(group).ok_or(GroupError::NoGroup)?;
    Ok(g.create_consumer(consumer, now))
}

/// XGROUP DELCONSUMER: the number of entries the consumer had pending, `None` when there was
/// no such consumer.
pub fn xgroup_delconsumer(db: &mut Db, key: &[u8], group: &[u8], consumer: &[u8]) -> Result<Option<usize>, GroupError> {
    let s = group_target(db, key, group, false, true)?.ok_or(GroupError::NoKey)?;
    let g = s.group_mut(group).ok_or(GroupError::NoGroup)?;
    Ok(g.delete_consumer(consumer))
}

/// XGROUP's key checks alone, for a subcommand that fails after them (bad option count).
pub fn xgroup_check(db: &mut Db, key: &[u8], group: &[u8], mkstream: bool, need_group: bool) -> Result<(), GroupError> {
    group_target(db, key, group, mkstream, need_group).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// XACK

/// XACK: how many of `ids` were pending (0 when the key or the group is missing). The ids are
/// given as parse results: an invalid one (`None`) is an error only once the group was found.
pub fn xack(db: &mut Db, key: &[u8], group: &[u8], ids: &[Option<StreamId>]) -> Result<Option<u64>, OpError> {
    let Some(s) = read(db, key)? else { return Ok(Some(0)) };
    let Some(g) = s.group_mut(group) else { return Ok(Some(0)) };
    if ids.iter().any(|i| i.is_none()) {
        return Ok(None);
    }
    Ok(Some(ids.iter().flatten().filter(|&&id| g.ack(id)).count() as u64))
}

// ---------------------------------------------------------------------------------------------
// Consumers for XREADGROUP

/// Finds the consumer (refreshing its seen time) or creates it; true when created.
pub fn touch_or_create_consumer(g: &mut ConsumerGroup, name: &[u8], now_ms: i64) -> bool {
    if g.touch_consumer(name, Some(now_ms)) {
        false
    } else {
        g.create_consumer(name, now_ms)
    }
}

// ---------------------------------------------------------------------------------------------
// XCLAIM / XAUTOCLAIM

/// The state of a pending entry to propagate as an XCLAIM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimState {
    pub consumer: Vec<u8>,
    pub delivery_time: i64,
    pub delivery_count: u64,
    /// The group's last delivered id at that moment.
    pub group_last_id: StreamId,
}

/// One effect of XCLAIM/XAUTOCLAIM on a pending entry, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimStep {
    /// Index of the id among those given (XCLAIM; XAUTOCLAIM numbers them as it meets them).
    pub index: usize,
    pub id: StreamId,
    /// True when the entry is no longer in the stream and its pending entry was dropped (the
    /// state is the one it had); false when it was claimed (the new state).
    pub dropped: bool,
    pub state: ClaimState,
}

/// XCLAIM's options, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimOpts {
    pub min_idle: i64,
    /// Delivery time to set (IDLE/TIME resolved and sanitized).
    pub delivery_time: i64,
    /// RETRYCOUNT (negative = not given).
    pub retry_count: i64,
    pub force: bool,
    pub justid: bool,
    /// LASTID (0-0 when not given).
    pub last_id: StreamId,
}

/// What XCLAIM/XAUTOCLAIM did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claimed {
    /// The ids claimed, in order (the reply).
    pub ids: Vec<StreamId>,
    pub steps: Vec<ClaimStep>,
    /// The consumer was created.
    pub consumer_created: bool,
    /// The group's last id moved because of LASTID and no XCLAIM carries it: propagate XGROUP
    /// SETID with these values.
    pub set_id: Option<(StreamId, i64)>,
    /// server.dirty increments.
    pub dirty: u64,
    /// XAUTOCLAIM: where the next call should start (0-0 when the PEL was scanned to its end).
    pub next: StreamId,
    /// XAUTOCLAIM: ids dropped because their entries no longer exist.
    pub deleted: Vec<StreamId>,
}

/// Why XCLAIM/XAUTOCLAIM could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimError {
    WrongType,
    /// No such key or group.
    NoGroup,
}

/// Finds the stream and group for XCLAIM/XAUTOCLAIM (read lookup, as Redis does).
pub fn claim_target(db: &mut Db, key: &[u8], group: &[u8]) -> Result<(), ClaimError> {
    let s = read(db, key).map_err(|_| ClaimError::WrongType)?.ok_or(ClaimError::NoGroup)?;
    s.group(group).map(|_| ()).ok_or(ClaimError::NoGroup)
}

fn state_of(g: &ConsumerGroup, id: StreamId) -> Option<ClaimState> {
    let n = g.nack(id)?;
    Some(ClaimState {
        consumer: n.owner().to_vec(),
        delivery_time: n.delivery_time,
        delivery_count: n.delivery_count,
        group_last_id: g.last_id,
    })
}

/// Claims one pending entry for `consumer` (creating the consumer on first use).
#[allow(clippy::too_many_arguments)]
fn claim_one(
    g: &mut ConsumerGroup,
    out: &mut Claimed,
    consumer: &[u8],
    id: StreamId,
    delivery_time: i64,
    retry: Option<u64>,
    keep_count: bool,
    now: i64,
    consumer_done: &mut bool,
) {
    if !*consumer_done {
        if !g.touch_consumer(consumer, Some(now)) && g.create_consumer(consumer, now) {
            out.consumer_created = true;
            out.dirty += 1;
        }
        *consumer_done = true;
    }
    g.claim(id, consumer, delivery_time, retry, keep_count);
}

/// XCLAIM of `ids` (called after [`claim_target`] succeeded). Entries gone from the stream
/// lose their pending entry; the others, when idle long enough (or created by FORCE), go to
/// `consumer`.
pub fn xclaim(
    db: &mut Db,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    ids: &[StreamId],
    o: &ClaimOpts,
) -> Result<Claimed, ClaimError> {
    let now = db.clock.now_ms;
    let s = peek_mut(db, key).ok_or(ClaimError::NoGroup)?;
    let (entries, g) = s.group_with_entries(group).ok_or(ClaimError::NoGroup)?;
    let mut out = Claimed::default();
    let mut propagate_last_id = false;
    if o.last_id > g.last_id {
        g.last_id = o.last_id;
        propagate_last_id = true;
    }
    let retry = (o.retry_count >= 0).then_some(o.retry_count as u64);
    let mut consumer_done = false;
    for (index, &id) in ids.iter().enumerate() {
        let pending = g.nack(id).is_some();
        if !entries.contains(id) {
            if pending {
                let state = state_of(g, id).expect("pending");
                out.steps.push(ClaimStep { index, id, dropped: true, state });
                propagate_last_id = false;
                out.dirty += 1;
                g.remove_nack(id);
            }
            continue;
        }
        let mut fresh = false;
        if o.force && !pending {
            g.force_nack(id, now);
            fresh = true;
        }
        if !pending && !fresh {
            continue;
        }
        if !fresh && o.min_idle != 0 {
            let idle = now.wrapping_sub(g.nack(id).map_or(now, |n| n.delivery_time));
            if idle < o.min_idle {
                continue;
            }
        }
        claim_one(g, &mut out, consumer, id, o.delivery_time, retry, o.justid, now, &mut consumer_done);
        out.ids.push(id);
        let state = state_of(g, id).expect("claimed");
        out.steps.push(ClaimStep { index, id, dropped: false, state });
        propagate_last_id = false;
        out.dirty += 1;
    }
    if propagate_last_id {
        out.set_id = Some((g.last_id, g.entries_read));
        out.dirty += 1;
    }
    Ok(out)
}

/// XAUTOCLAIM from `start`, claiming at most `count` entries idle for at least `min_idle` and
/// looking at no more than `count * 10` pending entries (called after [`claim_target`]).
#[allow(clippy::too_many_arguments)]
pub fn xautoclaim(
    db: &mut Db,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    min_idle: i64,
    start: StreamId,
    count: u64,
    justid: bool,
) -> Result<Claimed, ClaimError> {
    let now = db.clock.now_ms;
    let s = peek_mut(db, key).ok_or(ClaimError::NoGroup)?;
    let (entries, g) = s.group_with_entries(group).ok_or(ClaimError::NoGroup)?;
    let mut out = Claimed::default();
    let mut attempts = count.saturating_mul(10);
    let mut count = count;
    let mut cursor = Some(start);
    let mut exhausted = false;
    let mut consumer_done = false;
    let mut index = 0;
    loop {
        if attempts == 0 {
            break;
        }
        attempts -= 1;
        if count == 0 {
            break;
        }
        let Some(id) = cursor.and_then(|c| g.pel_next(c)) else {
            exhausted = true;
            break;
        };
        cursor = id.incr();
        if !entries.contains(id) {
            let state = state_of(g, id).expect("pending");
            out.steps.push(ClaimStep { index, id, dropped: true, state });
            index += 1;
            out.dirty += 1;
            g.remove_nack(id);
            out.deleted.push(id);
            count -= 1;
            continue;
        }
        if min_idle != 0 {
            let idle = now.wrapping_sub(g.nack(id).map_or(now, |n| n.delivery_time));
            if idle < min_idle {
                continue;
            }
        }
        claim_one(g, &mut out, consumer, id, now, None, justid, now, &mut consumer_done);
        out.ids.push(id);
        let state = state_of(g, id).expect("claimed");
        out.steps.push(ClaimStep { index, id, dropped: false, state });
        index += 1;
        count -= 1;
        out.dirty += 1;
    }
    out.next = if exhausted { StreamId::MIN } else { cursor.and_then(|c| g.pel_next(c)).unwrap_or(StreamId::MIN) };
    Ok(out)
}

/// The entries of a stream, for replies that follow a mutation in the same command.
pub fn entries_of<'a>(db: &'a Db, key: &[u8]) -> Option<&'a Entries> {
    peek(db, key).map(|s| s.entries())
}
