//! rvirt's cross-crate scenarios live in this crate's `tests/`: real clients (Debian's
//! virsh, virt-admin, python3-libvirt) against rvirtd, with real QEMU guests. Each
//! crate keeps the tests of its own behaviour; what needs several crates together is
//! here. Shared fixtures come from `rvirt-testkit`.
