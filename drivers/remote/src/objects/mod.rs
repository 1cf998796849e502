//! [`RemoteObjects`]: every secondary driver family of a remote connection, each call
//! one REMOTE procedure (networks and ports in [`network`], pools and volumes in
//! [`storage`], node devices in [`nodedev`], interfaces, secrets and network filters in
//! [`host`]). Events are subscribed on the daemon once per family and event id, when
//! the connection's first callback for them is registered (with no object filter: the
//! connection's sink filters), and the subscription dropped with the last.

mod host;
mod network;
mod nodedev;
mod storage;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::Secondary;
use rvirt_rpc::types::{
    CallbackIdMsg, ConnectSupportsFeatureArgs, ConnectSupportsFeatureRet, EventRegisterArgs,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;

/// The secondary drivers of one remote connection.
#[derive(Debug)]
pub(crate) struct RemoteObjects {
    client: Arc<Client>,
    /// Daemon-side subscriptions: (register procedure, event id) → callbackID.
    subscriptions: Mutex<HashMap<(i32, i32), i32>>,
    /// The daemon takes NETWORK_UPDATE's command and section in name order
    /// (`VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER`), asked once.
    update_order: OnceLock<bool>,
}

impl RemoteObjects {
    /// Every family, forwarded over `client`.
    pub(crate) fn secondary(client: Arc<Client>) -> Secondary {
        let me = Arc::new(RemoteObjects {
            client,
            subscriptions: Mutex::new(HashMap::new()),
            update_order: OnceLock::new(),
        });
        Secondary {
            network: Some(me.clone()),
            storage: Some(me.clone()),
            node_device: Some(me.clone()),
            interface: Some(me.clone()),
            secret: Some(me.clone()),
            nwfilter: Some(me),
        }
    }

    fn call<A: Serialize + ?Sized, R: DeserializeOwned>(&self, proc_: i32, args: &A) -> Result<R> {
        self.client.call(proc_, args)
    }

    /// Whether the daemon takes NETWORK_UPDATE in name order (feature 16); older
    /// daemons take the section first, as libvirt's client then sends it.
    fn update_in_order(&self) -> bool {
        *self.update_order.get_or_init(|| {
            self.call::<_, ConnectSupportsFeatureRet>(
                rvirt_rpc::procs::CONNECT_SUPPORTS_FEATURE,
                &ConnectSupportsFeatureArgs { feature: 16 },
            )
            .is_ok_and(|r| r.supported != 0)
        })
    }

    /// Subscribes (`wanted`) or unsubscribes event `event_id` with the register and
    /// deregister procedures of a family.
    fn interest<T: Serialize>(
        &self,
        register: i32,
        deregister: i32,
        event_id: i32,
        wanted: bool,
    ) -> Result<()> {
        let mut subs = self.subscriptions.lock().unwrap_or_else(|p| p.into_inner());
        if wanted {
            if subs.contains_key(&(register, event_id)) {
                return Ok(());
            }
            let args: EventRegisterArgs<T> = EventRegisterArgs {
                event_id,
                obj: None,
            };
            let r: CallbackIdMsg = self.call(register, &args)?;
            subs.insert((register, event_id), r.callback_id);
            return Ok(());
        }
        let Some(callback_id) = subs.remove(&(register, event_id)) else {
            return Ok(());
        };
        if self.client.is_dead() {
            return Ok(());
        }
        self.call(deregister, &CallbackIdMsg { callback_id })
    }
}
