//! The QEMU argv for a domain definition (libvirt's `qemu_command.c`, modern form:
//! `-blockdev`/JSON `-device`, a pre-opened monitor socket passed by fd).
//!
//! Only a subset of the domain model is supported; everything else is rejected with
//! `VIR_ERR_CONFIG_UNSUPPORTED` rather than silently ignored.

mod accel;
mod chardev;
mod cpu;
mod custom_argv;
mod disk;
mod disk_encryption;
mod disk_tuning;
mod display;
mod firmware;
mod iothreads;
pub(crate) mod machine;
mod memory;
mod net;
mod pci;
mod smbios;
pub(crate) use pci::PciBuses;
mod sound;
mod support;
mod usb;
mod virtio_misc;

pub use accel::{Accel, KVM_DEVICE, choose_accel, kvm_usable};
pub use custom_argv::{CustomArgv, QEMU_NS, custom_argv, normalize_prefix};
pub use disk::{DiskNames, disk_name_index, disk_names};
pub(crate) use disk::{disk_alias, disk_bus, push_disk};
pub use disk_encryption::{DiskEncryption, DiskSecret, disk_encryption, secret_id};
pub use display::{VNC_DEFAULT_LISTEN, VNC_PORT_MIN, vnc_listen, wants_autoport};
pub use memory::HostMemory;
pub use net::NicFds;
pub(crate) use net::push_interface;
pub(crate) use sound::add_default_audio;
pub use support::check_supported;

use std::path::PathBuf;

use serde_json::json;

use rvirt_core::conf::{
    ClockOffset, ControllerType, Device, DomainDef, DomainType, InputBus, LifecycleAction, OsType,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// The emulator used when `<devices><emulator>` is absent.
pub const DEFAULT_EMULATOR: &str = "/usr/bin/qemu-system-x86_64";

/// The binary of `<type arch='i686'>` guests without `<emulator>` (libvirt's
/// capabilities give i686 guests `qemu-system-i386`).
pub const I686_EMULATOR: &str = "/usr/bin/qemu-system-i386";

/// The default binary of guests of `arch` (`None`: x86_64).
pub fn default_emulator(arch: Option<&str>) -> &'static str {
    match arch {
        Some("i686") => I686_EMULATOR,
        _ => DEFAULT_EMULATOR,
    }
}

/// The machine type used when `<os><type machine=…>` is absent and no default was
/// supplied (QEMU's alias for the newest i440FX machine).
pub const DEFAULT_MACHINE: &str = "pc";

/// Runtime facts the argv needs besides the definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeOptions {
    /// Number of the inherited, listening monitor socket in the QEMU process.
    pub monitor_fd: i32,
    /// Where QEMU writes its pid (`-pidfile`), if anywhere.
    pub pidfile: Option<PathBuf>,
    /// The accelerator (see [`choose_accel`]).
    pub accel: Accel,
    /// Machine type used when the definition has none (e.g. from capabilities).
    pub default_machine: Option<String>,
    /// The inherited tap (or macvtap) and vhost-net fds of each `<interface>` (by
    /// position among the interfaces) of type `network`, `bridge` or `direct`; one
    /// without fds gets a tap QEMU opens itself.
    pub tap_fds: Vec<NicFds>,
    /// The domain's private directory, where sockets without a path (the guest
    /// agent's channel) are created.
    pub private_dir: Option<PathBuf>,
    /// `-sandbox` argument (seccomp; libvirt's `seccomp_sandbox`), if any.
    pub sandbox: Option<String>,
    /// The host's memory facts for RAM backing and NUMA; `None` when unknown (a
    /// definition checked at define: placeholder paths, host nodes unchecked).
    pub host_memory: Option<HostMemory>,
    /// QEMU's CPU models (probed under TCG) that `<cpu mode='custom'>` is checked
    /// against; `None`: not checked (define time).
    pub cpu_models: Option<Vec<crate::capabilities::CpuDefinition>>,
    /// TCG's host-model CPU (probed), for `<cpu mode='host-model'>` under TCG; `-cpu
    /// max` stands in when unknown.
    pub host_model: Option<crate::capabilities::host_model::HostModel>,
    /// The `<vsock>`'s inherited `/dev/vhost-vsock` fd and the guest CID set on it;
    /// `None` at define (the CID shown is then the definition's, or 3).
    pub vsock: Option<(i32, u32)>,
    /// How each disk (by position among the disks) with `<encryption>` gets its
    /// passphrase; an encrypted disk without one only has its definition checked.
    pub disk_secrets: Vec<Option<DiskSecret>>,
}

impl RuntimeOptions {
    /// Options with the monitor on `monitor_fd`, no pidfile and TCG.
    pub fn new(monitor_fd: i32) -> RuntimeOptions {
        RuntimeOptions {
            monitor_fd,
            pidfile: None,
            accel: Accel::Tcg,
            default_machine: None,
            tap_fds: Vec::new(),
            private_dir: None,
            sandbox: None,
            host_memory: None,
            cpu_models: None,
            host_model: None,
            vsock: None,
            disk_secrets: Vec::new(),
        }
    }
}

/// The emulator binary for `def`: `<emulator>`, or the default of its architecture
/// ([`default_emulator`]).
pub fn emulator(def: &DomainDef) -> PathBuf {
    def.devices()
        .iter()
        .find_map(|d| match d {
            Device::Emulator(p) => Some(PathBuf::from(p.trim())),
            _ => None,
        })
        .unwrap_or_else(|| PathBuf::from(default_emulator(def.os.os_type.arch.as_deref())))
}

/// A `VIR_ERR_CONFIG_UNSUPPORTED` error in the QEMU domain.
pub(crate) fn unsupported(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ConfigUnsupported, ErrorDomain::Qemu, message)
}

/// Escapes a value for QEMU's `key=value,…` option syntax (`,` becomes `,,`).
pub fn escape_opt(value: &str) -> String {
    value.replace(',', ",,")
}

/// Builds the QEMU arguments (without the binary itself) for `def`.
///
/// Errors: `VIR_ERR_CONFIG_UNSUPPORTED` for domain types other than `qemu`/`kvm`,
/// non-`hvm` OS types, non-x86_64 architectures, and devices or options not supported
/// yet; `VIR_ERR_INTERNAL_ERROR` for a malformed disk target name.
pub fn build_args(def: &DomainDef, rt: &RuntimeOptions) -> Result<Vec<String>> {
    check_guest(def)?;
    let mut a = Args::default();

    a.push2(
        "-name",
        format!("guest={},debug-threads=on", escape_opt(&def.name)),
    );
    a.push("-S");

    let machine = def
        .os
        .os_type
        .machine
        .clone()
        .or_else(|| rt.default_machine.clone())
        .unwrap_or_else(|| DEFAULT_MACHINE.to_owned());
    let acpi = def.features.as_ref().is_some_and(|f| f.acpi);
    let timers = machine::timers(def, rt.accel)?;
    let fw = firmware::firmware_args(def, &machine)?;
    let mem = memory::memory_args(def, rt.host_memory.as_ref())?;
    for b in &fw.blockdevs {
        a.push2("-blockdev", b);
    }
    a.push2(
        "-machine",
        format!(
            "{},usb=off{},dump-guest-core=off{}{},acpi={}{}{}",
            escape_opt(&machine),
            fw.smm,
            mem.machine,
            fw.pflash,
            if acpi { "on" } else { "off" },
            timers.machine,
            machine::vmport(def)
        ),
    );
    a.push2("-accel", rt.accel.as_str());
    if let Some(cpu) = cpu::cpu_arg(def, rt)? {
        a.push2("-cpu", cpu);
    }

    if let Some(bios) = &fw.bios {
        a.push2("-bios", bios);
    }
    if let Some(kernel) = &def.os.kernel {
        a.push2("-kernel", kernel);
    }
    if let Some(initrd) = &def.os.initrd {
        a.push2("-initrd", initrd);
    }
    if let Some(cmdline) = &def.os.cmdline {
        a.push2("-append", cmdline);
    }

    a.push2("-m", mem.size);
    if let Some(b) = mem.default_backend {
        a.push2("-object", b);
    }
    if let Some(o) = mem.overcommit {
        a.push2("-overcommit", o);
    }
    a.push2("-smp", smp(def)?);
    iothreads::push_iothreads(def, &mut a.0)?;
    for (opt, value) in mem.numa {
        a.push2(opt, value);
    }
    if let Some(uuid) = def.uuid {
        a.push2("-uuid", uuid.hyphenated().to_string());
    }
    smbios::push_sysinfo(def, &mut a.0)?;
    a.push("-no-user-config");
    a.push("-nodefaults");
    a.push2("-display", "none");
    a.push2(
        "-chardev",
        format!(
            "socket,id=charmonitor,fd={},server=on,wait=off",
            rt.monitor_fd
        ),
    );
    a.push2("-mon", "chardev=charmonitor,id=monitor,mode=control");
    a.push2("-rtc", format!("{}{}", rtc(def)?, timers.rtc));
    for global in timers.globals.into_iter().chain(fw.globals) {
        a.push2("-global", global);
    }
    a.push(if reboot_allowed(def) {
        "-no-shutdown"
    } else {
        "-no-reboot"
    });
    for global in machine::pm_globals(def, &machine)? {
        a.push2("-global", global);
    }
    a.push2("-boot", "strict=on");

    pci::push_pci_controllers(def, &machine, &mut a.0)?;
    usb::push_usb(def, &machine, &mut a.0)?;

    disk::push_disks(def, &machine, &rt.disk_secrets, &mut a.0)?;
    net::push_interfaces(def, &machine, &rt.tap_fds, &mut a.0)?;
    chardev::push_serials(def, &mut a.0)?;
    virtio_misc::push_channels(def, &machine, rt.private_dir.as_deref(), &mut a.0)?;
    display::push_display(def, &machine, &mut a.0)?;
    sound::push_sound(def, &machine, &mut a.0)?;
    push_other_devices(def, &machine, rt.vsock, &mut a.0)?;
    if def
        .features
        .as_ref()
        .and_then(|f| f.vmcoreinfo.as_ref())
        .is_some_and(|v| v.is_on())
    {
        a.push2("-device", r#"{"driver":"vmcoreinfo"}"#);
    }
    virtio_misc::push_rngs(def, &machine, &mut a.0)?;

    if let Some(pidfile) = &rt.pidfile {
        a.push2("-pidfile", pidfile.to_string_lossy());
    }
    if let Some(sandbox) = &rt.sandbox {
        a.push2("-sandbox", sandbox);
    }
    a.push2("-msg", "timestamp=on");
    // <qemu:commandline>: last, as libvirt appends it.
    a.0.extend(custom_argv(def)?.args);
    Ok(a.0)
}

#[derive(Default)]
struct Args(Vec<String>);

impl Args {
    fn push(&mut self, s: impl Into<String>) {
        self.0.push(s.into());
    }

    fn push2(&mut self, opt: &str, value: impl Into<String>) {
        self.0.push(opt.to_owned());
        self.0.push(value.into());
    }
}

fn check_guest(def: &DomainDef) -> Result<()> {
    if !matches!(def.domain_type, DomainType::Qemu | DomainType::Kvm) {
        return Err(unsupported(format!(
            "emulator does not support virt type '{}'",
            def.domain_type
        )));
    }
    if def.os.os_type.value != OsType::Hvm {
        return Err(unsupported(format!(
            "os type '{}' is not supported by the QEMU driver",
            def.os.os_type.value
        )));
    }
    match def.os.os_type.arch.as_deref() {
        None | Some("x86_64" | "i686") => {}
        Some(other) => {
            return Err(unsupported(format!(
                "architecture '{other}' is not supported yet"
            )));
        }
    }
    Ok(())
}

/// `-smp CUR[,maxcpus=MAX],sockets=S,[dies=D,]cores=C,threads=T`.
fn smp(def: &DomainDef) -> Result<String> {
    let max = def.max_vcpus();
    let cur = def.current_vcpus();
    if max == 0 || cur == 0 || cur > max {
        return Err(unsupported(format!(
            "invalid vCPU count: current {cur}, maximum {max}"
        )));
    }
    let mut s = cur.to_string();
    if cur != max {
        s.push_str(&format!(",maxcpus={max}"));
    }
    match def.cpu.as_ref().and_then(|c| c.topology.as_ref()) {
        Some(t) => {
            let dies = t.dies.unwrap_or(1);
            let clusters = t.clusters.unwrap_or(1);
            if u64::from(t.sockets)
                * u64::from(dies)
                * u64::from(clusters)
                * u64::from(t.cores)
                * u64::from(t.threads)
                != u64::from(max)
            {
                return Err(unsupported(format!(
                    "CPU topology doesn't match maximum vcpu count {max}"
                )));
            }
            s.push_str(&format!(",sockets={}", t.sockets));
            if dies != 1 {
                s.push_str(&format!(",dies={dies}"));
            }
            if clusters != 1 {
                s.push_str(&format!(",clusters={clusters}"));
            }
            s.push_str(&format!(",cores={},threads={}", t.cores, t.threads));
        }
        None => s.push_str(&format!(",sockets={max},cores=1,threads=1")),
    }
    Ok(s)
}

fn rtc(def: &DomainDef) -> Result<String> {
    let Some(clock) = &def.clock else {
        return Ok("base=utc".into());
    };
    let base = match clock.offset {
        ClockOffset::Utc => "base=utc",
        ClockOffset::Localtime => "base=localtime",
        other => {
            return Err(unsupported(format!(
                "clock offset '{other}' is not supported yet"
            )));
        }
    };
    Ok(base.into())
}

/// libvirt's `allowReboot`: reboots are disallowed (and `-no-reboot` used) only when
/// every lifecycle action destroys the domain.
fn reboot_allowed(def: &DomainDef) -> bool {
    let destroy = |a: Option<LifecycleAction>, default: LifecycleAction| {
        matches!(
            a.unwrap_or(default),
            LifecycleAction::Destroy | LifecycleAction::CoredumpDestroy
        )
    };
    !(destroy(def.on_reboot, LifecycleAction::Restart)
        && destroy(def.on_poweroff, LifecycleAction::Destroy)
        && destroy(def.on_crash, LifecycleAction::Destroy))
}

fn push_other_devices(
    def: &DomainDef,
    machine: &str,
    vsock: Option<(i32, u32)>,
    args: &mut Vec<String>,
) -> Result<()> {
    for dev in def.devices() {
        match dev {
            // Handled elsewhere.
            Device::Emulator(_)
            | Device::Disk(_)
            | Device::Serial(_)
            | Device::Console(_)
            | Device::Interface(_)
            | Device::Graphics(_)
            | Device::Video(_)
            | Device::Channel(_)
            | Device::Sound(_)
            | Device::Audio(_)
            | Device::Redirdev(_)
            | Device::Rng(_) => {}
            Device::Memballoon(b) => match b.model.as_str() {
                "none" => {}
                "virtio" => {
                    let mut dev = json!({"driver": "virtio-balloon-pci", "id": "balloon0"});
                    PciBuses::new(def, machine).place(b.address.as_ref(), &mut dev)?;
                    args.push("-device".into());
                    args.push(dev.to_string());
                }
                other => {
                    return Err(unsupported(format!(
                        "memballoon model '{other}' is not supported"
                    )));
                }
            },
            Device::Watchdog(w) => push_watchdog(w, def, machine, args)?,
            Device::Vsock(v) => push_vsock(v, def, machine, vsock, args)?,
            // Built by the pci, usb and virtio_misc modules.
            Device::Controller(c)
                if matches!(
                    c.controller_type,
                    ControllerType::Pci | ControllerType::Usb | ControllerType::VirtioSerial
                ) => {}
            // The IDE controller of i440FX, the AHCI (SATA) controller of Q35.
            Device::Controller(c)
                if c.index.unwrap_or(0) == 0
                    && (c.controller_type == ControllerType::Ide
                        && machine::is_i440fx(machine)
                        || c.controller_type == ControllerType::Sata
                            && machine::is_q35(machine)) => {}
            // PS/2 keyboard and mouse are part of the PC machine; USB ones are built
            // by the usb module.
            Device::Input(i) if matches!(i.bus, Some(InputBus::Ps2 | InputBus::Usb)) => {}
            other => {
                return Err(unsupported(format!(
                    "device {} is not supported by the QEMU driver yet",
                    device_kind(other)
                )));
            }
        }
    }
    Ok(())
}

/// `<watchdog model='i6300esb|ib700' action=…>` → its `-device` and `-action
/// watchdog=…` (libvirt's default action: reset).
fn push_watchdog(
    w: &rvirt_core::conf::Watchdog,
    def: &DomainDef,
    machine: &str,
    args: &mut Vec<String>,
) -> Result<()> {
    let mut dev = match w.model.as_str() {
        "i6300esb" => json!({"driver": "i6300esb", "id": "watchdog0"}),
        "ib700" => json!({"driver": "ib700", "id": "watchdog0"}),
        other => {
            return Err(unsupported(format!(
                "watchdog model '{other}' is not supported yet"
            )));
        }
    };
    let action = match w.action.as_deref().unwrap_or("reset") {
        a @ ("reset" | "shutdown" | "poweroff" | "pause" | "none" | "inject-nmi") => a,
        other => {
            return Err(unsupported(format!(
                "watchdog action '{other}' is not supported yet"
            )));
        }
    };
    if w.model == "i6300esb" {
        PciBuses::new(def, machine).place(w.address.as_ref(), &mut dev)?;
    }
    args.push("-device".into());
    args.push(dev.to_string());
    args.push("-action".into());
    args.push(format!("watchdog={action}"));
    Ok(())
}

/// `<vsock model='virtio'><cid auto=… address=…/>` → `vhost-vsock-pci` with the CID
/// the driver claimed and its vhost fd (libvirt's `qemuBuildVsockDevProps`).
fn push_vsock(
    v: &rvirt_core::conf::Vsock,
    def: &DomainDef,
    machine: &str,
    claimed: Option<(i32, u32)>,
    args: &mut Vec<String>,
) -> Result<()> {
    if v.model.as_deref().is_some_and(|m| m != "virtio") {
        return Err(unsupported(format!(
            "vsock model '{}' is not supported",
            v.model.as_deref().unwrap_or_default()
        )));
    }
    let cid = match claimed {
        Some((_, cid)) => cid,
        None => vsock_cid(v)?.unwrap_or(crate::host::vsock::FIRST_GUEST_CID),
    };
    let mut dev = json!({"driver": "vhost-vsock-pci", "id": "vsock0", "guest-cid": cid});
    if let Some((fd, _)) = claimed {
        dev["vhostfd"] = fd.to_string().into();
    }
    PciBuses::new(def, machine).place(v.address.as_ref(), &mut dev)?;
    args.push("-device".into());
    args.push(dev.to_string());
    Ok(())
}

/// The CID a `<vsock>` asks for: `None` for `<cid auto='yes'/>` (or none at all),
/// `address` otherwise.
///
/// Errors: `VIR_ERR_CONFIG_UNSUPPORTED` for a fixed CID below 3 or not a number.
pub fn vsock_cid(v: &rvirt_core::conf::Vsock) -> Result<Option<u32>> {
    let cid = v.cid.as_ref();
    let auto = cid.and_then(|c| c.attr("auto")).unwrap_or("no") == "yes";
    match cid.and_then(|c| c.attr("address")) {
        Some(a) if !auto => {
            let n: u32 = a
                .parse()
                .map_err(|_| unsupported(format!("invalid vsock cid '{a}'")))?;
            if n < crate::host::vsock::FIRST_GUEST_CID {
                return Err(unsupported(format!(
                    "guest CID {n} is reserved (guest CIDs start at 3)"
                )));
            }
            Ok(Some(n))
        }
        _ if auto => Ok(None),
        _ => Err(unsupported(
            "vsock needs <cid auto='yes'/> or a cid address",
        )),
    }
}

fn device_kind(dev: &Device) -> String {
    match dev {
        Device::Interface(i) => format!("<interface type='{}'>", i.interface_type),
        Device::Graphics(g) => format!("<graphics type='{}'>", g.graphics_type),
        Device::Controller(c) => format!("<controller type='{}'>", c.controller_type),
        Device::Input(i) => format!("<input type='{}'>", i.input_type),
        other => format!("<{}>", other.element_name()),
    }
}

#[cfg(test)]
mod refusals_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod virt_install_tests;
