//! The keyspace: databases of binary-safe keys mapped to typed values, their compact encodings,
//! and expiry metadata. Everything here is synchronous and free of I/O: no sockets, no clients,
//! no replication or persistence. Operations are plain functions over `&mut Db` that return a
//! result; the server turns results into replies and decides what to propagate.

pub mod db;
pub mod dict;
pub mod evict;
pub mod expire;
pub mod intset;
pub mod listpack;
pub mod ops;
pub mod rng;
pub mod sbytes;
pub mod types;
pub mod value;

pub use db::{Db, DbEvent, Keyspace};
pub use dict::Dict;
pub use rng::Rng;
pub use sbytes::SBytes;
pub use value::{Entry, Kind, Value};
