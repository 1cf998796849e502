//! rvirsh: a small virsh-like command line over the rvirt API

fn main() {
    eprintln!("rvirsh: not implemented yet");
    std::process::exit(1);
}
