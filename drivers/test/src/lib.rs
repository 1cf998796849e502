//! # rvirt-driver-test
//!
//! rvirt's equivalent of libvirt's `test:///` driver: an in-memory mock hypervisor.
//!
//! * `test:///default` starts with the same world as libvirt's (running domain `test`
//!   with id 1, network `default`, pool `default-pool`, interface `eth1`, node devices
//!   `computer`, `scsi_host1`, `scsi_host2` and `scsi_host11`, an i686 node with 16
//!   CPUs and 3 GiB). All connections to it in one process share one state,
//!   which is reset once the last of them closes (as in libvirt).
//! * `test:///ABSOLUTE/PATH.xml` loads a `<node>` description (see [`node file
//!   format`](#node-files)); every open gets a fresh world.
//!
//! Networks, pools and volumes, node devices and interfaces are managed in memory as
//! libvirt's test driver manages them (define, start, stop, undefine, autostart, network
//! updates, volume creation and cloning, vHBA creation, interface transactions), with
//! network, pool and node device events; there are no secrets and no network filters.
//!
//! Every state change emits libvirt's lifecycle event to every open connection, after the
//! driver lock is released. Illegal transitions fail with the error codes libvirt's test
//! driver uses (observed with libvirt 9.0).
//!
//! ```no_run
//! use rvirt_core::{Connect, event::DefaultLoop};
//! rvirt_driver_test::register()?;
//! let l = DefaultLoop::new().expect("epoll");
//! let conn = Connect::open_with_loop("test:///default", l.shared())?;
//! let dom = conn.lookup_domain_by_name("test")?;
//! assert_eq!(dom.id(), Some(1));
//! # Ok::<(), rvirt_core::Error>(())
//! ```
//!
//! ## Node files
//!
//! ```xml
//! <node xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
//!   <cpu><mhz>2000</mhz><model>x86_64</model><nodes>1</nodes><sockets>2</sockets>
//!        <cores>2</cores><threads>2</threads><active>6</active></cpu>
//!   <memory>1048576</memory>
//!   <domain type="test"><name>a</name><memory>8192</memory><os><type>hvm</type></os>
//!     <test:runstate>5</test:runstate></domain>
//!   <domain file="b.xml"/>
//!   <network file="net.xml"/>
//! </node>
//! ```

mod capabilities;
mod checkpoints;
mod configuration;
mod connection;
mod device_tuning;
mod errors;
mod guest_control;
mod iothreads;
mod monitoring;
mod node_file;
mod objects;
mod ops;
mod pinning;
mod save;
mod save_image;
mod shared;
mod snapshots;
mod state;
mod world_default;
mod xml;

use std::sync::{Arc, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::{Driver, DriverConnection, OpenContext, register_driver};
use rvirt_core::uri::Uri;

pub use connection::TestConnection;
pub use errors::conf_error;
pub use node_file::MAX_NODE_FILE_BYTES;
pub use world_default::DEFAULT_DOMAIN_UUID;
pub use xml::TEST_NS;

/// The test driver: accepts local `test:` URIs.
#[derive(Debug, Default)]
pub struct TestDriver;

impl Driver for TestDriver {
    fn name(&self) -> &'static str {
        "test"
    }

    fn accepts(&self, uri: &Uri) -> bool {
        uri.driver() == "test" && !uri.is_remote()
    }

    fn open(&self, uri: &Uri, ctx: OpenContext) -> Result<Box<dyn DriverConnection>> {
        Ok(Box::new(TestConnection::open(
            uri,
            ctx.events,
            ctx.object_events,
        )?))
    }
}

/// Registers the test driver with rvirt-core's registry. Calling it again is a no-op.
pub fn register() -> Result<()> {
    static DRIVER: OnceLock<Arc<TestDriver>> = OnceLock::new();
    let driver = DRIVER.get_or_init(|| Arc::new(TestDriver)).clone();
    register_driver(driver)
}
