//! An in-process server for tests: the real registry, gate and `call()`, without sockets.
//! Commands are run as a fake client; replies come back as RESP bytes, and the propagation
//! stream can be captured. Used by unit and integration tests; never by the binary.

use crate::client::Client;
use crate::exec::process_command;
use crate::registry::Registry;
use crate::server::Server;
use bytes::Bytes;

pub struct TestServer {
    pub srv: Server,
    pub client: Box<Client>,
}

impl TestServer {
    /// A server with the default configuration plus `config_text` (redis.conf syntax).
    pub fn new(config_text: &str) -> TestServer {
        let config = vireo_config::load(None, None, config_text).expect("test config");
        let mut srv = Server::new(config, Registry::new(&crate::cmd::table()));
        crate::info::record_startup_memory();
        let id = srv.next_client_id;
        srv.next_client_id += 1;
        let mut client = Box::new(Client::fake(id));
        client.flags &= !crate::client::cflags::FAKE;
        client.addr = "127.0.0.1:1".into();
        client.laddr = "127.0.0.1:6379".into();
        client.authenticated = !srv.auth_required();
        TestServer { srv, client }
    }

    /// Starts capturing the replication stream.
    pub fn capture(&mut self) {
        self.srv.prop.capture = Some(Vec::new());
    }

    /// The captured stream so far (drained).
    pub fn take_captured(&mut self) -> Vec<u8> {
        self.srv.prop.capture.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Runs one command through the gate and returns the reply bytes.
    pub fn exec(&mut self, argv: &[&[u8]]) -> Vec<u8> {
        self.client.argv = argv.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        let start = self.client.reply.rb.buf.len();
        process_command(&mut self.srv, &mut self.client);
        self.run_loop_jobs();
        let out = self.client.reply.rb.buf.split_off(start);
        self.client.reply.rb.buf.clear();
        out
    }

    /// Runs the jobs commands handed to the event loop (DEBUG RELOAD...), with no one else to
    /// serve meanwhile, answering the main client's.
    fn run_loop_jobs(&mut self) {
        while let Some(job) = self.srv.loop_jobs.pop_front() {
            let start = std::time::Instant::now();
            let out = crate::loop_job::run(&mut self.srv, job.kind, &mut |_| {});
            if job.client == self.client.id {
                crate::loop_job::finish(&mut self.srv, &mut self.client, &job, out, start.elapsed());
            } else if let Some(&t) = self.srv.client_order.get(&job.client) {
                if let Some(mut c) = crate::net::take_client(&mut self.srv, t) {
                    crate::loop_job::finish(&mut self.srv, &mut c, &job, out, start.elapsed());
                    crate::net::put_client(&mut self.srv, c);
                }
            }
        }
    }

    /// Adds another client without a socket, registered in the server's client table like a
    /// network client, so that it can block on keys and be woken by the others' writes.
    /// Returns its token, for [`exec_as`](Self::exec_as) and [`take_reply`](Self::take_reply).
    pub fn add_client(&mut self) -> usize {
        let id = self.srv.next_client_id;
        self.srv.next_client_id += 1;
        let authenticated = !self.srv.auth_required();
        let entry = self.srv.clients.vacant_entry();
        let token = entry.key();
        let mut c = Box::new(Client::fake(id));
        c.flags &= !crate::client::cflags::FAKE;
        c.token = token;
        c.addr = format!("127.0.0.1:{}", 2 + token);
        c.laddr = "127.0.0.1:6379".into();
        c.authenticated = authenticated;
        entry.insert(Some(c));
        self.srv.client_order.insert(id, token);
        token
    }

    /// Runs one command as the added client `token` and returns what its reply buffer then
    /// holds (nothing when the command blocked).
    pub fn exec_as(&mut self, token: usize, argv: &[&[u8]]) -> Vec<u8> {
        let mut c = crate::net::take_client(&mut self.srv, token).expect("an added client");
        c.argv = argv.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        process_command(&mut self.srv, &mut c);
        let out = std::mem::take(&mut c.reply.rb.buf);
        crate::net::put_client(&mut self.srv, c);
        out
    }

    /// What the added client `token` received since its last command (the reply of a blocked
    /// command once another client's write served it).
    pub fn take_reply(&mut self, token: usize) -> Vec<u8> {
        let mut c = crate::net::take_client(&mut self.srv, token).expect("an added client");
        let out = std::mem::take(&mut c.reply.rb.buf);
        crate::net::put_client(&mut self.srv, c);
        out
    }

    /// `exec` with string arguments.
    pub fn cmd(&mut self, argv: &[&str]) -> Vec<u8> {
        let v: Vec<&[u8]> = argv.iter().map(|s| s.as_bytes()).collect();
        self.exec(&v)
    }

    /// Runs the active expiry cycle once (as the cron would).
    pub fn active_expire(&mut self) {
        crate::cron::active_expire(&mut self.srv, vireo_keyspace::expire::CycleKind::Slow);
    }
}
