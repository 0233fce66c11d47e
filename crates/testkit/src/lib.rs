//! Test helpers: start vireo and the reference redis-server on free loopback ports and stop them,
//! a raw RESP connection that returns each reply's exact bytes, and the differential harness that
//! runs one command script against both servers and compares the replies byte for byte.
//!
//! This crate is for tests only: it panics with readable messages where a test would fail, and it
//! knows nothing of vireo's internals (it drives binaries over TCP, like any client).
//!
//! ```no_run
//! use vireo_testkit::{parse_reply, run_diff_script, Reply, ServerBuilder};
//!
//! let vireo = ServerBuilder::vireo().arg("--hz").arg("100").start();
//! let redis = ServerBuilder::redis().start();
//! let mut c = vireo.connect();
//! assert_eq!(c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
//! assert_eq!(parse_reply(&c.cmd(&["GET", "k"])).as_str(), Some("v"));
//! run_diff_script("SET k v\nGET k\n@sorted KEYS *\n", "inline", &vireo, &redis).unwrap();
//! ```

pub mod conn;
pub mod diff;
pub mod process;
pub mod quote;
pub mod resp;

pub use conn::{RawConn, ReadError, DEFAULT_TIMEOUT};
pub use diff::{diff_dir, diff_files, flush_server, run_diff_file, run_diff_script};
pub use process::{
    redis_available, redis_binary, try_redis_binary, try_vireo_binary, vireo_binary, Exited, ServerBuilder,
    ServerProcess,
};
pub use quote::{repr, split_args, unescape};
pub use resp::{encode_cmd, parse_reply, reply_len, try_parse_reply, Reply};
