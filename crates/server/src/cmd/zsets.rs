//! Sorted-set commands (being built: the family's commands are declared here, next to their handlers).

use crate::command::CommandSpec;

pub static COMMANDS: &[CommandSpec] = &[];
