//! `<on_poweroff>`, `<on_reboot>`, `<on_crash>` and `<on_lockfailure>`: what happens
//! when the guest stops.

string_enum! {
    /// Lifecycle action for `<on_poweroff>`, `<on_reboot>` and `<on_crash>`.
    pub enum LifecycleAction ("lifecycle action") {
        /// Tear the domain down.
        Destroy = "destroy",
        /// Start it again with the same configuration.
        Restart = "restart",
        /// Keep the stopped domain around for inspection.
        Preserve = "preserve",
        /// Rename the old domain and start a new one.
        RenameRestart = "rename-restart",
        /// Dump core, then destroy (`on_crash` only).
        CoredumpDestroy = "coredump-destroy",
        /// Dump core, then restart (`on_crash` only).
        CoredumpRestart = "coredump-restart",
    }
}
