//! Redis's resize policy while a forked child shares the parent's pages: the keyspace tables
//! grow only past a load factor of 5, and grow normally again once the child is gone.

use vireo_server::persist::{update_resize_policy, BgChild, ChildKind};
use vireo_server::testing::TestServer;

/// The main table's size from DEBUG HTSTATS 0.
fn table_size(t: &mut TestServer) -> usize {
    let r = t.cmd(&["DEBUG", "HTSTATS", "0"]);
    let text = String::from_utf8_lossy(&r).to_string();
    let at = text.find("table size: ").unwrap_or_else(|| panic!("{text}")) + "table size: ".len();
    text[at..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

#[test]
fn tables_do_not_grow_under_a_child_until_the_load_factor_passes_five() {
    let mut t = TestServer::new("enable-debug-command yes");
    assert!(t.cmd(&["DEBUG", "POPULATE", "16"]).starts_with(b"+OK"));
    let before = table_size(&mut t);
    assert_eq!(before, 16);
    // a child exists (never reaped here: no cron runs)
    t.srv.rdb.child = Some(BgChild { pid: -1, start_ms: 0, dirty_at_start: 0, keys_total: 16, kind: ChildKind::Plain });
    update_resize_policy(&mut t.srv);
    assert!(t.cmd(&["DEBUG", "POPULATE", "80"]).starts_with(b"+OK"));
    assert_eq!(table_size(&mut t), 16, "80 keys in 16 buckets: load factor 5, no grow");
    assert!(t.cmd(&["DEBUG", "POPULATE", "120"]).starts_with(b"+OK"));
    assert!(table_size(&mut t) > 16, "past a load factor of 5 the table grows anyway");
    // the child is gone: growth at load factor 1 again
    let grown = table_size(&mut t);
    t.srv.rdb.child = None;
    update_resize_policy(&mut t.srv);
    assert!(t.cmd(&["DEBUG", "POPULATE", "200"]).starts_with(b"+OK"));
    assert!(grown < 200 && table_size(&mut t) >= 200, "{grown} then {}", table_size(&mut t));
}
