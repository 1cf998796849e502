//! The smaller top-level parts: `<pm>`, `<perf>`, `<idmap>`, `<sysinfo>`,
//! `<resource>`, `<seclabel>`, `<keywrap>` and `<launchSecurity>`.

use crate::YesNo;
use crate::xml::Element;

xml_struct! {
    /// `<pm>`: guest power management (S3, S4).
    #[derive(Default)]
    pub struct Pm {
        /// `<suspend-to-mem enabled=…/>`.
        child suspend_to_mem: PmState = "suspend-to-mem",
        /// `<suspend-to-disk enabled=…/>`.
        child suspend_to_disk: PmState = "suspend-to-disk",
    }
}

xml_struct! {
    /// `<pm><suspend-to-…/>`.
    #[derive(Default)]
    pub struct PmState {
        /// `enabled`.
        attr enabled: YesNo = "enabled",
    }
}

xml_struct! {
    /// `<perf>`: perf events counted for the domain.
    #[derive(Default)]
    pub struct Perf {
        /// `<event>` elements.
        children events: PerfEvent = "event",
    }
}

xml_struct! {
    /// `<perf><event name=… enabled=…/>`.
    pub struct PerfEvent {
        /// `name` (`cmt`, `mbmt`, `cpu_cycles`, …).
        attr_req name: String = "name",
        /// `enabled`.
        attr_req enabled: YesNo = "enabled",
    }
}

xml_struct! {
    /// `<idmap>`: user and group id maps of a container (LXC).
    #[derive(Default)]
    pub struct Idmap {
        /// `<uid>` ranges.
        children uids: IdRange = "uid",
        /// `<gid>` ranges.
        children gids: IdRange = "gid",
    }
}

xml_struct! {
    /// `<idmap><uid|gid start=… target=… count=…/>`.
    #[derive(Default)]
    pub struct IdRange {
        /// `start`: first id in the container.
        attr_req start: u32 = "start",
        /// `target`: first id on the host.
        attr_req target: u32 = "target",
        /// `count`.
        attr_req count: u32 = "count",
    }
}

xml_struct! {
    /// `<sysinfo>`: SMBIOS tables or firmware configuration entries for the guest.
    #[derive(Default)]
    pub struct Sysinfo {
        /// `type` (`smbios`, `fwcfg`).
        attr_req sysinfo_type: String = "type",
        /// `<bios>`.
        child bios: Element = "bios",
        /// `<system>`.
        child system: Element = "system",
        /// `<baseBoard>` elements.
        children base_boards: Element = "baseBoard",
        /// `<chassis>`.
        child chassis: Element = "chassis",
        /// `<oemStrings>`.
        child oem_strings: Element = "oemStrings",
        /// `<entry>` elements (fwcfg).
        children entries: Element = "entry",
    }
}

xml_struct! {
    /// `<resource>`: the domain's cgroup partition and Fibre Channel app id.
    #[derive(Default)]
    pub struct Resource {
        /// `<partition>`.
        text_child partition: String = "partition",
        /// `<fibrechannel appid=…/>`.
        child fibrechannel: Element = "fibrechannel",
    }
}

xml_struct! {
    /// `<seclabel>`: a security label (SELinux, AppArmor, DAC).
    #[derive(Default)]
    pub struct Seclabel {
        /// `type` (`dynamic`, `static`, `none`).
        attr seclabel_type: String = "type",
        /// `model` (`selinux`, `apparmor`, `dac`).
        attr model: String = "model",
        /// `relabel`.
        attr relabel: YesNo = "relabel",
        /// `<label>`.
        text_child label: String = "label",
        /// `<imagelabel>`.
        text_child imagelabel: String = "imagelabel",
        /// `<baselabel>`.
        text_child baselabel: String = "baselabel",
    }
}

xml_struct! {
    /// `<keywrap>`: s390 key wrapping ciphers.
    #[derive(Default)]
    pub struct Keywrap {
        /// `<cipher name=… state=…/>` elements.
        children ciphers: Element = "cipher",
    }
}

xml_struct! {
    /// `<launchSecurity>`: memory encryption (AMD SEV, s390 PV).
    #[derive(Default)]
    pub struct LaunchSecurity {
        /// `type` (`sev`, `s390-pv`).
        attr_req security_type: String = "type",
    }
}
