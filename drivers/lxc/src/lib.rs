//! rvirt LXC driver: containers in Linux namespaces, one controller process per container
