//! The CPU models libvirt's CPU map names per architecture
//! (`virConnectGetCPUModelNames`), shared by the drivers: x86 and 64-bit POWER have
//! models, ARM and s390 none, other known architectures no CPU driver.

use crate::{Error, ErrorDomain, Result};

/// x86's models, in the CPU map's order (libvirt 9.0).
const X86: [&str; 58] = [
    "486",
    "pentium",
    "pentium2",
    "pentium3",
    "pentiumpro",
    "coreduo",
    "n270",
    "core2duo",
    "qemu32",
    "kvm32",
    "cpu64-rhel5",
    "cpu64-rhel6",
    "qemu64",
    "kvm64",
    "Conroe",
    "Penryn",
    "Nehalem",
    "Nehalem-IBRS",
    "Westmere",
    "Westmere-IBRS",
    "SandyBridge",
    "SandyBridge-IBRS",
    "IvyBridge",
    "IvyBridge-IBRS",
    "Haswell-noTSX",
    "Haswell-noTSX-IBRS",
    "Haswell",
    "Haswell-IBRS",
    "Broadwell-noTSX",
    "Broadwell-noTSX-IBRS",
    "Broadwell",
    "Broadwell-IBRS",
    "Skylake-Client",
    "Skylake-Client-IBRS",
    "Skylake-Client-noTSX-IBRS",
    "Skylake-Server",
    "Skylake-Server-IBRS",
    "Skylake-Server-noTSX-IBRS",
    "Cascadelake-Server",
    "Cascadelake-Server-noTSX",
    "Icelake-Client",
    "Icelake-Client-noTSX",
    "Icelake-Server",
    "Icelake-Server-noTSX",
    "Cooperlake",
    "Snowridge",
    "athlon",
    "phenom",
    "Opteron_G1",
    "Opteron_G2",
    "Opteron_G3",
    "Opteron_G4",
    "Opteron_G5",
    "EPYC",
    "EPYC-IBPB",
    "EPYC-Rome",
    "EPYC-Milan",
    "Dhyana",
];

/// 64-bit POWER's models.
const PPC64: [&str; 7] = [
    "POWER6",
    "POWER7",
    "POWER8",
    "POWER9",
    "POWER10",
    "POWERPC_e5500",
    "POWERPC_e6500",
];

/// libvirt's architecture names (`virArch`).
const ARCHES: [&str; 37] = [
    "alpha",
    "armv6l",
    "armv7l",
    "armv7b",
    "aarch64",
    "cris",
    "i686",
    "ia64",
    "lm32",
    "loongarch64",
    "m68k",
    "microblaze",
    "microblazeel",
    "mips",
    "mipsel",
    "mips64",
    "mips64el",
    "openrisc",
    "parisc",
    "parisc64",
    "ppc",
    "ppcle",
    "ppc64",
    "ppc64le",
    "ppcemb",
    "riscv32",
    "riscv64",
    "s390",
    "s390x",
    "sh4",
    "sh4eb",
    "sparc",
    "sparc64",
    "unicore32",
    "x86_64",
    "xtensa",
    "xtensaeb",
];

/// The models of `arch`. An architecture libvirt does not know is refused with
/// `VIR_ERR_INVALID_ARG` in `domain` (the driver's); one without a CPU driver with
/// `VIR_ERR_NO_SUPPORT` in the CPU domain, as libvirt's.
///
/// ```
/// use rvirt_core::objects::cpu_model_names;
/// use rvirt_core::ErrorDomain;
///
/// let x86 = cpu_model_names("x86_64", ErrorDomain::Test).unwrap();
/// assert_eq!(x86[0], "486");
/// assert!(cpu_model_names("aarch64", ErrorDomain::Test).unwrap().is_empty());
/// assert!(cpu_model_names("riscv64", ErrorDomain::Test).is_err());
/// ```
pub fn cpu_model_names(arch: &str, domain: ErrorDomain) -> Result<Vec<String>> {
    if !ARCHES.contains(&arch) {
        return Err(Error::invalid_arg(
            domain,
            format!("cannot find architecture {arch}"),
        ));
    }
    let models: &[&str] = match arch {
        "i686" | "x86_64" => &X86,
        "ppc64" | "ppc64le" => &PPC64,
        "armv6l" | "armv7l" | "armv7b" | "aarch64" | "s390" | "s390x" => &[],
        _ => {
            return Err(Error::no_support(
                ErrorDomain::Cpu,
                format!("'{arch}' architecture is not supported by CPU driver"),
            ));
        }
    };
    Ok(models.iter().map(|m| (*m).to_string()).collect())
}
