//! Choosing keys to evict under maxmemory. Policies that rank keys (LRU, LFU, TTL) sample a few
//! keys of each database (maxmemory-samples) and keep the best candidates seen so far in an
//! [`EvictionPool`] of 16 entries that lives across eviction rounds, so that every round starts
//! from the best keys of earlier samples; the random policies pick one key from the next
//! database in turn. This module only picks keys: deleting them, freeing memory, notifying,
//! propagating and counting is the server's business, and it knows nothing of configuration.

use crate::db::{idle_ms, lfu_decr_and_return, Db};
use crate::rng::Rng;
use crate::sbytes::SBytes;

/// Number of candidates the pool keeps (Redis's EVPOOL_SIZE).
pub const POOL_SIZE: usize = 16;

/// How sampled keys are ranked; a higher score means a better key to evict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rank {
    /// Idle time in milliseconds (the LRU policies).
    Idle,
    /// 255 minus the decayed LFU counter (the LFU policies).
    Rarity,
    /// The sooner the key expires the better (volatile-ttl).
    Ttl,
}

#[derive(Clone, Debug)]
struct Candidate {
    score: u64,
    db: usize,
    key: SBytes,
}

/// The best eviction candidates sampled so far, kept in ascending score order.
#[derive(Debug, Default, Clone)]
pub struct EvictionPool {
    entries: Vec<Candidate>,
}

impl EvictionPool {
    pub fn new() -> EvictionPool {
        EvictionPool { entries: Vec::with_capacity(POOL_SIZE) }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets every candidate (FLUSHALL, a policy change).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Samples up to `samples` keys of `db` — among all keys when `allkeys`, else among keys
    /// with a TTL — and merges them into the pool by `rank`. A sample worse than every pooled
    /// candidate is dropped when the pool is full; otherwise it goes in order, pushing the
    /// worst candidate out when there is no room.
    pub fn populate(&mut self, db: &Db, allkeys: bool, rank: Rank, samples: usize, rng: &mut Rng) {
        let clock = db.clock;
        let mut picked: Vec<(u64, SBytes)> = Vec::with_capacity(samples);
        if allkeys {
            db.main.sample(rng, samples, |k, e| {
                let score = match rank {
                    Rank::Idle => idle_ms(e.lru, clock.lru),
                    Rank::Rarity => 255 - lfu_decr_and_return(e.lru, &clock) as u64,
                    Rank::Ttl => u64::MAX - db.expires.get(k).copied().unwrap_or(i64::MAX) as u64,
                };
                picked.push((score, k.clone()));
            });
        } else {
            db.expires.sample(rng, samples, |k, &when| {
                let score = match rank {
                    Rank::Ttl => u64::MAX - when as u64,
                    _ => match db.main.get(k) {
                        Some(e) if rank == Rank::Idle => idle_ms(e.lru, clock.lru),
                        Some(e) => 255 - lfu_decr_and_return(e.lru, &clock) as u64,
                        None => return,
                    },
                };
                picked.push((score, k.clone()));
            });
        }
        for (score, key) in picked {
            self.offer(Candidate { score, db: db.id, key });
        }
    }

    fn offer(&mut self, c: Candidate) {
        // first position whose candidate is not better than the new one
        let k = self.entries.iter().position(|e| e.score >= c.score).unwrap_or(self.entries.len());
        if self.entries.len() < POOL_SIZE {
            self.entries.insert(k, c);
        } else if k > 0 {
            // full: the worst candidate (at the front) makes room
            self.entries.remove(0);
            self.entries.insert(k - 1, c);
        }
    }

    /// Takes the best candidate that still exists in its database (in the main dict when
    /// `allkeys`, else among the keys with a TTL); stale candidates are discarded on the way.
    pub fn pop_best(&mut self, dbs: &[Db], allkeys: bool) -> Option<(usize, SBytes)> {
        while let Some(c) = self.entries.pop() {
            let Some(db) = dbs.get(c.db) else { continue };
            let exists = if allkeys { db.main.contains_key(&c.key) } else { db.expires.contains_key(&c.key) };
            if exists {
                return Some((c.db, c.key));
            }
        }
        None
    }
}

/// Number of keys a policy may choose from in `db`.
pub fn candidates_in(db: &Db, allkeys: bool) -> usize {
    if allkeys {
        db.main.len()
    } else {
        db.expires.len()
    }
}

/// A random key of `db` (any key when `allkeys`, else one with a TTL), for the random policies.
pub fn random_candidate(db: &Db, allkeys: bool, rng: &mut Rng) -> Option<SBytes> {
    if allkeys {
        db.main.random(rng).map(|(k, _)| k.clone())
    } else {
        db.expires.random(rng).map(|(k, _)| k.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn db_with(n: usize) -> Db {
        let mut db = Db::new(0);
        for i in 0..n {
            db.clock.lru = i as u32;
            db.add(format!("k{}", i).as_bytes(), Value::Int(i as i64));
        }
        db.clock.lru = n as u32 + 10;
        db
    }

    #[test]
    fn pool_keeps_best_in_order_and_bounded() {
        let db = db_with(200);
        let mut pool = EvictionPool::new();
        let mut rng = Rng::from_seed(7);
        for _ in 0..50 {
            pool.populate(&db, true, Rank::Idle, 5, &mut rng);
            assert!(pool.len() <= POOL_SIZE);
            let scores: Vec<u64> = pool.entries.iter().map(|c| c.score).collect();
            let mut sorted = scores.clone();
            sorted.sort();
            assert_eq!(scores, sorted);
        }
        // after many samples the best candidate is among the oldest keys
        let (_, key) = pool.pop_best(std::slice::from_ref(&db), true).unwrap();
        let n: usize = std::str::from_utf8(&key[1..]).unwrap().parse().unwrap();
        assert!(n < 40, "picked k{}", n);
    }

    #[test]
    fn volatile_sampling_only_sees_keys_with_ttl() {
        let mut db = db_with(100);
        for i in (0..100).step_by(10) {
            db.set_expire(format!("k{}", i).as_bytes(), 1_000_000 + i as i64);
        }
        let mut pool = EvictionPool::new();
        let mut rng = Rng::from_seed(3);
        for _ in 0..20 {
            pool.populate(&db, false, Rank::Ttl, 5, &mut rng);
        }
        while let Some((_, k)) = pool.pop_best(std::slice::from_ref(&db), false) {
            assert!(db.get_expire(&k).is_some());
        }
        // the shortest TTL wins
        let mut pool = EvictionPool::new();
        for _ in 0..20 {
            pool.populate(&db, false, Rank::Ttl, 10, &mut rng);
        }
        assert_eq!(&pool.pop_best(std::slice::from_ref(&db), false).unwrap().1[..], b"k0");
    }

    #[test]
    fn stale_candidates_are_skipped() {
        let mut db = db_with(10);
        let mut pool = EvictionPool::new();
        let mut rng = Rng::from_seed(1);
        pool.populate(&db, true, Rank::Idle, 10, &mut rng);
        let keys: Vec<SBytes> = pool.entries.iter().map(|c| c.key.clone()).collect();
        for k in &keys[1..] {
            db.delete(k);
        }
        let got = pool.pop_best(std::slice::from_ref(&db), true).map(|(_, k)| k);
        assert_eq!(got.as_deref(), Some(&keys[0][..]));
        assert!(pool.pop_best(std::slice::from_ref(&db), true).is_none());
    }
}
