//! Every script in tests/diff/ sent to vireo and to the reference redis-server 7.0.15 at once,
//! replies compared byte for byte (see crates/testkit/DIFF-FORMAT.md). Both servers run with the
//! same arguments; one server pair serves all scripts, emptied between files.

use std::path::Path;
use vireo_testkit::{diff_dir, ServerBuilder};

fn pair(args: &[&str]) -> (vireo_testkit::ServerProcess, vireo_testkit::ServerProcess) {
    let vireo = ServerBuilder::with_binary(env!("CARGO_BIN_EXE_vireo-server")).args(args.iter().copied()).start();
    let redis = ServerBuilder::redis().args(args.iter().copied()).start();
    (vireo, redis)
}

#[test]
fn diff_scripts_match_redis() {
    let (vireo, redis) = pair(&["--enable-debug-command", "yes"]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    match diff_dir(&dir, &vireo, &redis) {
        Ok(n) => assert!(n > 0, "no scripts ran"),
        Err(e) => panic!("{e}"),
    }
}
