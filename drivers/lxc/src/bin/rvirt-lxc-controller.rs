//! `rvirt-lxc-controller`: runs one container for the rvirt LXC driver (see
//! [`rvirt_driver_lxc::controller`]). Started by the driver, never by hand.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(rvirt_driver_lxc::controller::main(args));
}
