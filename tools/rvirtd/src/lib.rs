//! rvirtd: the rvirt daemon, serving libvirt's remote protocol on unix and TCP sockets
