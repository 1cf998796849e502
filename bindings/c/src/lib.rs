//! rvirt-ffi: C bindings (librvirt) in libvirt's shape with an rvir prefix
