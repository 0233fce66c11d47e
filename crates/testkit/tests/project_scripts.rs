//! The project's differential scripts (`tests/diff/*.diff` of the workspace) run against two
//! reference redis-servers must pass: a line whose reply differs between two instances of the same
//! server is nondeterministic and would make the vireo comparison fail for reasons that are not
//! vireo's. It also exercises the harness on every real script.

use std::path::Path;

use vireo_testkit::{diff_dir, ServerBuilder};

#[test]
fn project_scripts_agree_between_two_reference_servers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diff");
    let start = || ServerBuilder::redis().arg("--enable-debug-command").arg("yes").start();
    let (a, b) = (start(), start());
    match diff_dir(&dir, &a, &b) {
        Ok(n) => assert!(n > 0),
        Err(e) => panic!("{e}"),
    }
}
