//! # rvirt-driver-lxc
//!
//! rvirt's LXC driver (libvirt's `lxc:///`): containers in Linux namespaces, one
//! controller process per container.
//!
//! * [`driver`]: `lxc:///system` and `lxc:///embed?root=/ABS`; [`register`] adds it to
//!   rvirt-core's registry.
//! * [`controller`]: the `rvirt-lxc-controller` process that creates the container
//!   ([`namespaces`]) and reports on it over a monitor socket ([`protocol`]).
//! * [`xml`]: what a container needs from the domain XML; [`state`]: status files and
//!   the EXIT → lifecycle mapping; [`paths`]: the root's layout; [`process`]: spawning
//!   and reaping controllers.
//!
//! ```no_run
//! use rvirt_core::Connect;
//! use rvirt_core::event::DefaultLoop;
//!
//! rvirt_driver_lxc::register()?;
//! let l = DefaultLoop::new()?;
//! let conn = Connect::open_with_loop("lxc:///embed?root=/tmp/lxc-root", l.shared())?;
//! let dom = conn.create_xml(
//!     "<domain type='lxc'><name>hello</name><memory unit='MiB'>64</memory>\
//!      <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg>\
//!      <initarg>echo hi; exit 0</initarg></os></domain>",
//!     0,
//! )?;
//! // STARTED/BOOTED, then STOPPED/SHUTDOWN arrive as callbacks while `l` runs;
//! // "hi" is in /tmp/lxc-root/log/lxc/hello.log.
//! # let _ = dom;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Domain XML comes from rvirt-conf, which models `<os><init>`/`<initarg>`/`<initdir>`
//! and `<filesystem type='mount'>`: the driver parses nothing by hand.

pub mod controller;
pub mod driver;
pub mod namespaces;
pub mod paths;
pub mod process;
pub mod protocol;
pub mod state;
pub mod xml;

pub use driver::{LxcConnection, register, set_system_root, system_root};
pub use process::set_controller_path;
