//! The command registry built once at startup from the declarations in `cmd/*.rs`: name lookup
//! (case-insensitive, containers and their subcommands), a dense id per command and subcommand
//! for statistics, and the full names ("config|get") INFO and errors print.

use crate::command::CommandSpec;
use std::collections::HashMap;

/// Dense index of a command or subcommand in the registry.
pub type CmdId = usize;

pub struct Entry {
    pub spec: &'static CommandSpec,
    pub parent: Option<CmdId>,
    /// "get", or "config|get" for subcommands.
    pub full_name: String,
    /// Subcommands by lowercase name.
    pub subs: HashMap<&'static str, CmdId>,
}

pub struct Registry {
    pub entries: Vec<Entry>,
    /// Top-level commands by lowercase name.
    by_name: HashMap<&'static str, CmdId>,
}

/// What looking up argv found.
pub enum Lookup {
    Found(CmdId),
    /// No such command.
    Unknown,
    /// argv[0] is a container but argv[1] is not one of its subcommands.
    UnknownSub,
}

impl Registry {
    pub fn new(specs: &[&'static CommandSpec]) -> Registry {
        let mut r = Registry { entries: Vec::new(), by_name: HashMap::new() };
        for &spec in specs {
            let id = r.entries.len();
            r.entries.push(Entry { spec, parent: None, full_name: spec.name.to_string(), subs: HashMap::new() });
            let prev = r.by_name.insert(spec.name, id);
            assert!(prev.is_none(), "command {} declared twice", spec.name);
            for sub in spec.subcommands {
                let sid = r.entries.len();
                r.entries.push(Entry {
                    spec: sub,
                    parent: Some(id),
                    full_name: format!("{}|{}", spec.name, sub.name),
                    subs: HashMap::new(),
                });
                r.entries[id].subs.insert(sub.name, sid);
            }
        }
        r
    }

    pub fn spec(&self, id: CmdId) -> &'static CommandSpec {
        self.entries[id].spec
    }

    pub fn get(&self, id: CmdId) -> &Entry {
        &self.entries[id]
    }

    /// Top-level command by name (any case).
    pub fn by_name(&self, name: &[u8]) -> Option<CmdId> {
        let mut buf = [0u8; 48];
        if name.len() > buf.len() {
            return None;
        }
        let lower = &mut buf[..name.len()];
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        let s = std::str::from_utf8(lower).ok()?;
        self.by_name.get(s).copied()
    }

    /// A command or "container|sub" full name (any case).
    pub fn by_full_name(&self, name: &[u8]) -> Option<CmdId> {
        match name.iter().position(|&b| b == b'|') {
            None => self.by_name(name),
            Some(i) => {
                let parent = self.by_name(&name[..i])?;
                self.sub(parent, &name[i + 1..])
            }
        }
    }

    pub fn sub(&self, parent: CmdId, name: &[u8]) -> Option<CmdId> {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        self.entries[parent].subs.get(lower.as_str()).copied()
    }

    /// Redis's lookupCommand: a container with at least one argument resolves to the
    /// subcommand named by argv[1]; alone it resolves to itself (and fails the arity check).
    pub fn lookup(&self, argv: &[impl AsRef<[u8]>]) -> Lookup {
        let Some(id) = self.by_name(argv[0].as_ref()) else {
            return Lookup::Unknown;
        };
        let e = &self.entries[id];
        if !e.spec.is_container() || argv.len() == 1 {
            return Lookup::Found(id);
        }
        match self.sub(id, argv[1].as_ref()) {
            Some(s) => Lookup::Found(s),
            None => Lookup::UnknownSub,
        }
    }

    /// Top-level commands in declaration order.
    pub fn top_level(&self) -> impl Iterator<Item = CmdId> + '_ {
        (0..self.entries.len()).filter(|&i| self.entries[i].parent.is_none())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
