//! Links the `headroom` binary as a position-dependent executable.
//!
//! A PIE of this size carries ~69,000 relative relocations that the loader applies at every
//! start, and most commands finish in tens of milliseconds: measured with `scripts/ab-time
//! 100 "--version"`, start-up went from 4.9 ms to 2.7 ms (median). The binary loses load-address
//! randomization; it is a local planning tool that reads trusted files, not a service.
//! Only the binaries are linked this way (the library, tests and benches are unchanged), and
//! the code is still compiled position-independent, so no dependency is rebuilt.

fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
