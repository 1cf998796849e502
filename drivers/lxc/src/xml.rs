//! What a container needs from its domain XML ([`ContainerSpec`]), and how the driver
//! hands it to the controller on the command line.
//!
//! rvirt-conf's [`DomainDef`] already models `<os><init>`, `<initarg>`, `<initdir>` and
//! `<filesystem type='mount'>`, so nothing is parsed by hand here.

use std::ffi::OsString;
use std::path::PathBuf;

use rvirt_core::conf::{
    ConfError, Device, DomainDef, DomainType, FilesystemType, OsType, Support, UnsupportedKind,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// libvirt's default container init when `<init>` is absent.
pub const DEFAULT_INIT: &str = "/sbin/init";

/// The container to run: root filesystem, init command, hostname, namespaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerSpec {
    /// Hostname inside the container (the domain name).
    pub hostname: String,
    /// Host directory that becomes `/` (`<filesystem type='mount'>` with target `/`),
    /// or the host's `/` when the XML has none.
    pub root: PathBuf,
    /// Mount the root read-only (`<readonly/>`, or always for the host's own root).
    pub read_only: bool,
    /// Give the container its own network namespace (the XML has an `<interface>`).
    pub private_net: bool,
    /// Init binary, inside the container.
    pub init: String,
    /// Init arguments (`<initarg>`), without argv\[0\].
    pub init_args: Vec<String>,
    /// Working directory of init (`<initdir>`), default `/`.
    pub init_dir: String,
    /// Domain UUID, exported to init's environment.
    pub uuid: String,
}

fn unsupported(msg: String) -> Error {
    Error::new(ErrorCode::ConfigUnsupported, ErrorDomain::Lxc, msg)
}

/// The parts of domain XML this driver carries out (or that need nothing from it), as
/// paths below `<domain>` (see [`Support`]).
const SUPPORTED: &[&str] = &[
    "@type",
    "@id",
    "name",
    "uuid",
    "title",
    "description",
    "metadata/**",
    "memory",
    "memory/@unit",
    "currentMemory",
    "currentMemory/@unit",
    "vcpu",
    "vcpu/@placement",
    "vcpu/@current",
    "os",
    "os/type",
    "os/type/@arch",
    "os/init",
    "os/initarg",
    "os/initdir",
    "features",
    "features/privnet",
    "clock",
    "clock/@offset",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "devices",
    "devices/emulator",
    "devices/filesystem",
    "devices/filesystem/@type",
    "devices/filesystem/@accessmode",
    "devices/filesystem/source",
    "devices/filesystem/source/@dir",
    "devices/filesystem/target",
    "devices/filesystem/target/@dir",
    "devices/filesystem/readonly",
    "devices/interface",
    "devices/interface/@type",
    "devices/interface/mac",
    "devices/interface/mac/@address",
];

/// Refuses what this driver would otherwise accept and ignore: any element or
/// attribute outside [`SUPPORTED`] (`VIR_ERR_CONFIG_UNSUPPORTED`, naming it).
pub fn check_supported(def: &DomainDef) -> Result<()> {
    static S: std::sync::OnceLock<Support> = std::sync::OnceLock::new();
    let support = S.get_or_init(|| Support::new(SUPPORTED));
    match def.unsupported_part(support) {
        Some(ConfError::Unsupported { path, kind }) => Err(unsupported(match kind {
            UnsupportedKind::Attribute(a) => {
                format!("attribute '{a}' of <{path}> is not supported by the LXC driver yet")
            }
            _ => format!("<{path}> is not supported by the LXC driver yet"),
        })),
        _ => Ok(()),
    }
}

impl ContainerSpec {
    /// Extracts the spec, rejecting what this driver cannot run
    /// (`VIR_ERR_CONFIG_UNSUPPORTED`).
    pub fn from_def(def: &DomainDef) -> Result<ContainerSpec> {
        if def.domain_type != DomainType::Lxc {
            return Err(unsupported(format!(
                "domain type '{}' is not supported by the LXC driver, use type='lxc'",
                def.domain_type.as_str()
            )));
        }
        if def.os.os_type.value != OsType::Exe {
            return Err(unsupported(format!(
                "os type '{}' is not supported by the LXC driver, use <type>exe</type>",
                def.os.os_type.value.as_str()
            )));
        }
        let mut root = None;
        let mut private_net = false;
        for dev in def.devices() {
            match dev {
                Device::Filesystem(fs) if fs.target.dir == "/" => {
                    let ty = fs.fs_type.unwrap_or(FilesystemType::Mount);
                    let dir = fs.source.as_ref().and_then(|s| s.dir.clone());
                    match (ty, dir) {
                        (FilesystemType::Mount, Some(dir)) if dir.starts_with('/') => {
                            root = Some((PathBuf::from(dir), fs.readonly));
                        }
                        _ => {
                            return Err(unsupported(
                                "the root filesystem must be <filesystem type='mount'> with an absolute <source dir=…/>".into(),
                            ));
                        }
                    }
                }
                Device::Filesystem(fs) => {
                    return Err(unsupported(format!(
                        "only the root filesystem is supported, not target '{}'",
                        fs.target.dir
                    )));
                }
                Device::Interface(_) => private_net = true,
                _ => {}
            }
        }
        let (root, read_only) = root.unwrap_or_else(|| (PathBuf::from("/"), true));
        let init = def.os.init.clone().unwrap_or_else(|| DEFAULT_INIT.into());
        if !init.starts_with('/') {
            return Err(unsupported(format!(
                "init '{init}' must be an absolute path"
            )));
        }
        Ok(ContainerSpec {
            hostname: def.name.clone(),
            root,
            read_only,
            private_net,
            init,
            init_args: def.os.init_args.clone(),
            init_dir: def.os.init_dir.clone().unwrap_or_else(|| "/".into()),
            uuid: def
                .uuid
                .map(|u| u.hyphenated().to_string())
                .unwrap_or_default(),
        })
    }

    /// The controller's arguments describing this spec (see [`ContainerSpec::from_args`]).
    pub fn to_args(&self) -> Vec<OsString> {
        let mut a: Vec<OsString> = vec![
            "--hostname".into(),
            self.hostname.clone().into(),
            "--rootfs".into(),
            self.root.clone().into(),
            "--init-dir".into(),
            self.init_dir.clone().into(),
            "--uuid".into(),
            self.uuid.clone().into(),
        ];
        if self.read_only {
            a.push("--read-only".into());
        }
        if self.private_net {
            a.push("--private-net".into());
        }
        a.push("--".into());
        a.push(self.init.clone().into());
        a.extend(self.init_args.iter().map(OsString::from));
        a
    }

    /// Parses what [`ContainerSpec::to_args`] wrote; unknown options are returned
    /// for the caller (the controller) to interpret.
    pub fn from_args(
        args: impl IntoIterator<Item = String>,
    ) -> std::result::Result<(ContainerSpec, Vec<(String, String)>), String> {
        let mut spec = ContainerSpec {
            hostname: String::new(),
            root: PathBuf::from("/"),
            read_only: false,
            private_net: false,
            init: String::new(),
            init_args: Vec::new(),
            init_dir: "/".into(),
            uuid: String::new(),
        };
        let mut rest = Vec::new();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--read-only" => spec.read_only = true,
                "--private-net" => spec.private_net = true,
                "--" => {
                    spec.init = it.next().ok_or("missing init after --")?;
                    spec.init_args = it.by_ref().collect();
                }
                opt if opt.starts_with("--") => {
                    let v = it
                        .next()
                        .ok_or_else(|| format!("missing value for {opt}"))?;
                    match opt {
                        "--hostname" => spec.hostname = v,
                        "--rootfs" => spec.root = PathBuf::from(v),
                        "--init-dir" => spec.init_dir = v,
                        "--uuid" => spec.uuid = v,
                        _ => rest.push((opt.to_owned(), v)),
                    }
                }
                other => return Err(format!("unexpected argument '{other}'")),
            }
        }
        if spec.init.is_empty() {
            return Err("no init command given".into());
        }
        Ok((spec, rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(body: &str) -> DomainDef {
        let xml = format!(
            "<domain type='lxc'><name>c1</name><memory>1024</memory><os><type>exe</type>{body}</os></domain>"
        );
        DomainDef::from_xml(&xml).unwrap()
    }

    #[test]
    fn init_and_args_come_from_os() {
        let d = def("<init>/bin/sh</init><initarg>-c</initarg><initarg>echo hi; exit 0</initarg>");
        let s = ContainerSpec::from_def(&d).unwrap();
        assert_eq!(s.init, "/bin/sh");
        assert_eq!(s.init_args, ["-c", "echo hi; exit 0"]);
        assert_eq!((s.root.to_str(), s.read_only), (Some("/"), true));
        assert_eq!(s.hostname, "c1");
        let mut args: Vec<String> = s
            .to_args()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        args.extend(["--name".into(), "x".into()]);
        // Options after `--` belong to init.
        let (back, rest) = ContainerSpec::from_args(args).unwrap();
        assert!(rest.is_empty());
        assert_eq!(back.init_args, ["-c", "echo hi; exit 0", "--name", "x"]);
    }

    #[test]
    fn root_filesystem_and_rejections() {
        let xml = "<domain type='lxc'><name>c2</name><memory>1024</memory><os><type>exe</type><init>/bin/true</init></os>\
                   <devices><filesystem type='mount'><source dir='/srv/c2'/><target dir='/'/></filesystem></devices></domain>";
        let s = ContainerSpec::from_def(&DomainDef::from_xml(xml).unwrap()).unwrap();
        assert_eq!((s.root.to_str(), s.read_only), (Some("/srv/c2"), false));
        let mut args: Vec<String> = vec!["--name".into(), "c2".into()];
        args.extend(s.to_args().into_iter().map(|a| a.into_string().unwrap()));
        let (back, rest) = ContainerSpec::from_args(args).unwrap();
        assert_eq!(back, s);
        assert_eq!(rest, [("--name".to_string(), "c2".to_string())]);

        let hvm = DomainDef::from_xml(
            "<domain type='lxc'><name>h</name><memory>1</memory><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        let e = ContainerSpec::from_def(&hvm).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        let kvm = DomainDef::from_xml(
            "<domain type='kvm'><name>h</name><memory>1</memory><os><type>exe</type></os></domain>",
        )
        .unwrap();
        assert!(ContainerSpec::from_def(&kvm).is_err());
        assert_eq!(
            ContainerSpec::from_def(&def("")).unwrap().init,
            DEFAULT_INIT
        );
    }
}

#[cfg(test)]
mod support_tests {
    use super::*;

    #[test]
    fn unsupported_parts_are_named() {
        let def = DomainDef::from_xml(
            "<domain type='lxc'><name>c</name><memory>1024</memory>\
             <os><type>exe</type><init>/bin/sh</init></os>\
             <idmap><uid start='0' target='1000' count='10'/></idmap></domain>",
        )
        .unwrap();
        let e = check_supported(&def).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        assert!(e.message().contains("<domain/idmap>"), "{e}");
    }
}
