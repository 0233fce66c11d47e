//! Compiles the small C shim that does long double arithmetic (INCRBYFLOAT's precision).

fn main() {
    println!("cargo:rerun-if-changed=c/longdouble.c");
    cc::Build::new().file("c/longdouble.c").warnings(true).compile("vireo_longdouble");
}
