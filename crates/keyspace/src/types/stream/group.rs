//! Consumer groups of a stream: the last delivered id, the read counter, the pending entries
//! list (PEL: every entry delivered and not yet acknowledged, with its last delivery time,
//! delivery count and owner) and the consumers, each with its seen time and its own view of the
//! PEL. Redis shares one NACK structure between the group's and the consumer's PEL; here the
//! group's PEL holds the NACK (naming its owner) and each consumer keeps the set of ids it owns.
//! Consumers are kept in name order, like Redis's radix tree. This module knows nothing of the
//! stream's entries, of commands or of propagation.

use super::StreamId;
use crate::sbytes::alloc_size_class;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A pending entry: delivered, not acknowledged.
#[derive(Clone, Debug)]
pub struct Nack {
    /// Last delivery time (ms).
    pub delivery_time: i64,
    /// How many times it was delivered.
    pub delivery_count: u64,
    /// The consumer it was last delivered to (none only while being created by XCLAIM FORCE).
    owner: Option<Arc<[u8]>>,
}

impl Nack {
    /// The owning consumer's name.
    pub fn owner(&self) -> &[u8] {
        self.owner.as_deref().unwrap_or(b"")
    }
}

/// A consumer of a group.
#[derive(Clone, Debug, Default)]
pub struct Consumer {
    /// Last time the consumer was active (ms).
    pub seen_time: i64,
    pel: BTreeSet<StreamId>,
}

impl Consumer {
    /// Number of entries pending for this consumer.
    pub fn pending(&self) -> usize {
        self.pel.len()
    }
    /// Its pending ids, in order.
    pub fn pending_ids(&self) -> impl DoubleEndedIterator<Item = StreamId> + '_ {
        self.pel.iter().copied()
    }
    /// Its pending ids from `start` on.
    pub fn pending_from(&self, start: StreamId) -> impl Iterator<Item = StreamId> + '_ {
        self.pel.range(start..).copied()
    }
}

#[derive(Clone, Debug)]
pub struct ConsumerGroup {
    /// Last delivered id.
    pub last_id: StreamId,
    /// Logical read counter ([`super::INVALID_ENTRIES_READ`] when unknown).
    pub entries_read: i64,
    pel: BTreeMap<StreamId, Nack>,
    consumers: BTreeMap<Arc<[u8]>, Consumer>,
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup { last_id, entries_read, pel: BTreeMap::new(), consumers: BTreeMap::new() }
    }

    // --- pending entries

    pub fn pel_len(&self) -> usize {
        self.pel.len()
    }
    /// The pending entries with ids in `start..=end`, in order.
    pub fn pel_range(&self, start: StreamId, end: StreamId) -> impl Iterator<Item = (StreamId, &Nack)> + '_ {
        let r = if start <= end { Some(self.pel.range(start..=end)) } else { None };
        r.into_iter().flatten().map(|(k, v)| (*k, v))
    }
    /// All pending entries, in order.
    pub fn pel(&self) -> impl DoubleEndedIterator<Item = (StreamId, &Nack)> + '_ {
        self.pel.iter().map(|(k, v)| (*k, v))
    }
    pub fn nack(&self, id: StreamId) -> Option<&Nack> {
        self.pel.get(&id)
    }
    /// The first pending id at or after `start`.
    pub fn pel_next(&self, start: StreamId) -> Option<StreamId> {
        self.pel.range(start..).next().map(|(k, _)| *k)
    }

    /// Removes a pending entry from the group and its owner; returns it.
    pub fn remove_nack(&mut self, id: StreamId) -> Option<Nack> {
        let nack = self.pel.remove(&id)?;
        if let Some(c) = nack.owner.as_deref().and_then(|o| self.consumers.get_mut(o)) {
            c.pel.remove(&id);
        }
        Some(nack)
    }

    /// XACK of one id: true when it was pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        self.remove_nack(id).is_some()
    }

    /// Records the delivery of a new entry to `consumer` (which must exist): a fresh pending
    /// entry, or one taken over from its previous owner with its count reset to 1.
    pub fn deliver(&mut self, id: StreamId, consumer: &[u8], now_ms: i64) -> Option<&Nack> {
        let name = Arc::clone(self.consumers.get_key_value(consumer)?.0);
        if let Some(old) = self.pel.get(&id).and_then(|n| n.owner.clone()) {
            if let Some(oc) = self.consumers.get_mut(&old) {
                oc.pel.remove(&id);
            }
        }
        self.pel.insert(id, Nack { delivery_time: now_ms, delivery_count: 1, owner: Some(Arc::clone(&name)) });
        self.consumers.get_mut(&name)?.pel.insert(id);
        self.pel.get(&id)
    }

    /// A consumer read its own pending entry again: delivery time and count move on.
    pub fn redeliver(&mut self, id: StreamId, now_ms: i64) {
        if let Some(n) = self.pel.get_mut(&id) {
            n.delivery_time = now_ms;
            n.delivery_count += 1;
        }
    }

    /// Creates an ownerless pending entry (XCLAIM FORCE) unless one exists.
    pub fn force_nack(&mut self, id: StreamId, now_ms: i64) {
        self.pel.entry(id).or_insert(Nack { delivery_time: now_ms, delivery_count: 1, owner: None });
    }

    /// Gives pending entry `id` to `consumer` (which must exist) with the given delivery time,
    /// setting the delivery count to `retry_count` or, without it, incrementing it unless
    /// `keep_count` (XCLAIM/XAUTOCLAIM with JUSTID). Returns the updated entry.
    pub fn claim(
        &mut self,
        id: StreamId,
        consumer: &[u8],
        delivery_time: i64,
        retry_count: Option<u64>,
        keep_count: bool,
    ) -> Option<&Nack> {
        let name = Arc::clone(self.consumers.get_key_value(consumer)?.0);
        let nack = self.pel.get_mut(&id)?;
        let old = nack.owner.clone();
        nack.delivery_time = delivery_time;
        match retry_count {
            Some(n) => nack.delivery_count = n,
            None if !keep_count => nack.delivery_count = nack.delivery_count.wrapping_add(1),
            None => {}
        }
        if old.as_deref() != Some(&name[..]) {
            nack.owner = Some(Arc::clone(&name));
            if let Some(o) = old {
                if let Some(oc) = self.consumers.get_mut(&o) {
                    oc.pel.remove(&id);
                }
            }
            self.consumers.get_mut(&name)?.pel.insert(id);
        }
        self.pel.get(&id)
    }

    // --- consumers

    pub fn consumer_count(&self) -> usize {
        self.consumers.len()
    }
    /// The consumers in name order.
    pub fn consumers(&self) -> impl Iterator<Item = (&[u8], &Consumer)> + '_ {
        self.consumers.iter().map(|(k, v)| (k.as_ref(), v))
    }
    pub fn consumer(&self, name: &[u8]) -> Option<&Consumer> {
        self.consumers.get(name)
    }
    /// Looks a consumer up, refreshing its seen time when `touch_ms` is given.
    pub fn touch_consumer(&mut self, name: &[u8], touch_ms: Option<i64>) -> bool {
        match self.consumers.get_mut(name) {
            Some(c) => {
                if let Some(t) = touch_ms {
                    c.seen_time = t;
                }
                true
            }
            None => false,
        }
    }
    /// Creates a consumer; false when it exists.
    pub fn create_consumer(&mut self, name: &[u8], now_ms: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(Arc::from(name), Consumer { seen_time: now_ms, pel: BTreeSet::new() });
        true
    }
    /// Deletes a consumer and its pending entries; returns how many it had.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Loading a dump, step 1: a pending entry of the group, not yet owned.
    pub fn restore_pending(&mut self, id: StreamId, delivery_time: i64, delivery_count: u64) -> bool {
        self.pel.insert(id, Nack { delivery_time, delivery_count, owner: None }).is_none()
    }

    /// Loading a dump, step 2: an existing consumer owns the (ownerless) pending entry `id`.
    pub fn restore_owner(&mut self, id: StreamId, consumer: &[u8]) -> bool {
        let Some((name, _)) = self.consumers.get_key_value(consumer) else { return false };
        let name = Arc::clone(name);
        let Some(nack) = self.pel.get_mut(&id) else { return false };
        if nack.owner.is_some() {
            return false;
        }
        nack.owner = Some(Arc::clone(&name));
        self.consumers.get_mut(&name).is_some_and(|c| c.pel.insert(id))
    }

    /// True when every pending entry has an owner (a loaded dump is consistent).
    pub fn all_owned(&self) -> bool {
        self.pel.values().all(|n| n.owner.is_some())
    }

    pub(super) fn heap_size(&self) -> usize {
        let nack = alloc_size_class(std::mem::size_of::<StreamId>() + std::mem::size_of::<Nack>());
        let id = alloc_size_class(std::mem::size_of::<StreamId>());
        self.pel.len() * (nack + id)
            + self
                .consumers
                .keys()
                .map(|k| alloc_size_class(k.len() + 16) + alloc_size_class(std::mem::size_of::<Consumer>() + 16))
                .sum::<usize>()
    }
}
