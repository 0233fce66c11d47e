//! The vireo-server binary: installs the counting jemalloc allocator and hands the command line
//! to the server's startup code.

#[global_allocator]
static GLOBAL: vireo_server::alloc::VireoAlloc = vireo_server::alloc::VireoAlloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(vireo_server::startup::main_entry(args));
}
