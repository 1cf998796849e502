//! The `rvirtd` binary: parses flags and runs the daemon.

fn main() {
    std::process::exit(rvirtd::main_with_args(std::env::args().skip(1).collect()));
}
