//! The vireo-server binary: installs the counting jemalloc allocator and hands the command line
//! to the server's startup code.

#[global_allocator]
static GLOBAL: vireo_server::alloc::VireoAlloc = vireo_server::alloc::VireoAlloc;

/// jemalloc's compile-time options (read before `main`; the MALLOC_CONF environment variable
/// still overrides them): every extent is advised for transparent huge pages. Whether the
/// process keeps them is decided at startup by `vireo_server::alloc::apply_huge_page_policy`.
#[no_mangle]
pub static malloc_conf: &[u8; 11] = b"thp:always\0";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(vireo_server::startup::main_entry(args));
}
