//! rvirt remote driver: the Connect/Domain API over libvirt's remote protocol (qemu+unix://, test+unix://, +tcp, +tls)
