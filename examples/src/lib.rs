//! rvirt examples (see the `examples/` binaries).
