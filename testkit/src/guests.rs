//! Guests every test can boot: tiny real-mode boot sectors for real QEMU (TCG), a
//! domain XML around them, and the test driver's demo domains.

use std::path::{Path, PathBuf};

/// Powers off at once (ACPI PM1a_CNT, port 0x604).
pub const POWEROFF: &[u8] = &[0xBA, 0x04, 0x06, 0xB8, 0x00, 0x20, 0xEF, 0xF4, 0xEB, 0xFE];
/// Loops for ever.
pub const LOOP: &[u8] = &[0xEB, 0xFE];
/// Halts for ever with interrupts off (`cli; hlt; jmp` back to `hlt`): a running guest
/// that leaves the host's CPUs idle.
pub const HALT: &[u8] = &[0xFA, 0xF4, 0xEB, 0xFD];
/// Enables the ACPI power-button event (PM1a_EN bit 8, port 0x602), waits for its
/// status bit (PM1a_STS, port 0x600), then powers off: a guest that honours
/// `virDomainShutdown`/`virDomainReboot`'s ACPI request. Interrupts stay off: the
/// enabled event also raises the SCI, which nobody handles.
pub const ACPI_AWARE: &[u8] = &[
    0xFA, // cli
    0xBA, 0x02, 0x06, 0xB8, 0x00, 0x01, 0xEF, // out 0x602, 0x0100
    0xBA, 0x00, 0x06, 0xED, 0xF6, 0xC4, 0x01, 0x74, 0xFA, // poll in 0x600 until bit 8
    0xBA, 0x04, 0x06, 0xB8, 0x00, 0x20, 0xEF, 0xF4, 0xEB, 0xFE, // power off
];

/// Raises the QEMU events of a guest's own doing, one boot after another, counting
/// boots in CMOS byte 0x4F (which survives a reset): first boot sets the RTC (seconds
/// to 0: `RTC_CHANGE`) and resets through the keyboard controller (`RESET`); second
/// boot suspends to RAM (ACPI S3 through PM1a_CNT: `SUSPEND`); after a wake-up it
/// loops for ever.
pub const EVENT_TOUR: &[u8] = &[
    0xFA, // cli
    0xB0, 0x4F, 0xE6, 0x70, 0xE4, 0x71, // al = cmos[0x4F]
    0x3C, 0x00, 0x75, 0x17, // cmp al, 0; jne boot2
    0xB0, 0x4F, 0xE6, 0x70, 0xB0, 0x01, 0xE6, 0x71, // cmos[0x4F] = 1
    0xB0, 0x00, 0xE6, 0x70, 0xB0, 0x00, 0xE6, 0x71, // RTC seconds = 0
    0xB0, 0xFE, 0xE6, 0x64, // keyboard controller: reset
    0xF4, 0xEB, 0xFE, // hlt; jmp $
    0x3C, 0x01, 0x75, 0x12, // boot2: cmp al, 1; jne later
    0xB0, 0x4F, 0xE6, 0x70, 0xB0, 0x02, 0xE6, 0x71, // cmos[0x4F] = 2
    0xBA, 0x04, 0x06, 0xB8, 0x00, 0x24, 0xEF, // out 0x604, SLP_EN | SLP_TYP 1 (S3)
    0xF4, 0xEB, 0xFE, // hlt; jmp $
    0xEB, 0xFE, // later: jmp $
];

/// Writes `R` to COM1 (port 0x3F8) about every 1/16 s under TCG, for ever: output on
/// a serial line that a reader opening it late still sees.
pub const SERIAL_R: &[u8] = &[
    0xBA, 0xF8, 0x03, // mov dx, 0x3f8
    0xB0, b'R', // mov al, 'R'
    0xEE, // out dx, al
    0x66, 0xB9, 0x00, 0x00, 0x00, 0x01, // mov ecx, 0x01000000
    0x66, 0x49, 0x75, 0xFC, // dec ecx; jnz back
    0xEB, 0xEE, // jmp to the start
];

/// Echoes what arrives on COM1 back to it with the case of letters swapped (`xor
/// 0x20`), for ever: polls the line status register (port 0x3FD) for received data,
/// reads it from 0x3F8 and writes it back. A console session typing `hello` sees
/// `HELLO`: the guest's answer, not a local echo.
pub const SERIAL_SWAPCASE: &[u8] = &[
    0xBA, 0xFD, 0x03, // mov dx, 0x3fd
    0xEC, // in al, dx
    0xA8, 0x01, // test al, 1 (data ready)
    0x74, 0xFB, // jz back to the in
    0xBA, 0xF8, 0x03, // mov dx, 0x3f8
    0xEC, // in al, dx
    0x34, 0x20, // xor al, 0x20
    0xEE, // out dx, al
    0xEB, 0xEF, // jmp to the start
];

/// Copies every byte the keyboard controller delivers (i8042 data port 0x60, once
/// status port 0x64 says it is there) to COM1, for ever, interrupts off: the scan
/// codes of keys sent to the guest (`virsh send-key`) come out of its serial line
/// (KEY_A: `0x1e` pressed, `0x9e` released).
pub const KEYBOARD_ECHO: &[u8] = &[
    0xFA, // cli
    0xE4, 0x64, // in al, 0x64
    0xA8, 0x01, // test al, 1 (output buffer full)
    0x74, 0xFA, // jz back to the in
    0xE4, 0x60, // in al, 0x60
    0xBA, 0xF8, 0x03, // mov dx, 0x3f8
    0xEE, // out dx, al
    0xEB, 0xF2, // jmp back to the first in
];

/// [`domain_xml`] plus the devices virt-install writes for a desktop guest: a user
/// NIC (virtio), VNC with an automatic port, a virtio video adapter, and a pty serial
/// with its console.
pub fn desktop_domain_xml(name: &str, disk: &Path) -> String {
    domain_xml(name, disk).replace(
        "<memballoon model='none'/>",
        "<interface type='user'><model type='virtio'/></interface>
             <graphics type='vnc' port='-1'/>
             <video><model type='virtio'/></video>
             <serial type='pty'><target port='0'/></serial>
             <console type='pty'><target type='serial' port='0'/></console>
             <memballoon model='none'/>",
    )
}

/// Counts `iterations` down, then powers off: about 1 s per 2^28 iterations under TCG
/// on the machines this project runs on.
pub fn delayed_poweroff(iterations: u32) -> Vec<u8> {
    let mut code = vec![0x66, 0xB9]; // mov ecx, imm32
    code.extend_from_slice(&iterations.to_le_bytes());
    code.extend_from_slice(&[0x66, 0x49, 0x75, 0xFC]); // dec ecx; jnz back
    code.extend_from_slice(POWEROFF);
    code
}

/// Writes a 512-byte boot sector holding `code` to `path`.
pub fn boot_disk(path: &Path, code: &[u8]) -> PathBuf {
    let mut sector = [0u8; 512];
    sector[..code.len()].copy_from_slice(code);
    sector[510] = 0x55;
    sector[511] = 0xAA;
    std::fs::write(path, sector).unwrap();
    path.to_path_buf()
}

/// Creates an empty qcow2 image of virtual size `size` (`qemu-img`'s notation, e.g.
/// `64M`) at `path`, panicking if qemu-img fails; returns the path.
pub fn qcow2_image(path: &Path, size: &str) -> PathBuf {
    let st = std::process::Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2"])
        .arg(path)
        .arg(size)
        .status()
        .expect("qemu-img runs");
    assert!(st.success(), "qemu-img create {} {size}", path.display());
    path.to_path_buf()
}

/// Writes the guest `name` booting `code` into `dir`: its disk `NAME.img` and its
/// domain XML ([`domain_xml`]) `NAME.xml`; returns the XML's path.
pub fn write_guest(dir: &Path, name: &str, code: &[u8]) -> PathBuf {
    let disk = boot_disk(&dir.join(format!("{name}.img")), code);
    let xml = dir.join(format!("{name}.xml"));
    std::fs::write(&xml, domain_xml(name, &disk)).unwrap();
    xml
}

/// A QEMU domain (64 MiB, one vCPU, ACPI) booting the raw disk `disk` on IDE.
pub fn domain_xml(name: &str, disk: &Path) -> String {
    format!(
        "<domain type='qemu'>
           <name>{name}</name>
           <memory unit='MiB'>64</memory>
           <vcpu>1</vcpu>
           <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
           <features><acpi/></features>
           <devices>
             <emulator>/usr/bin/qemu-system-x86_64</emulator>
             <disk type='file' device='disk'>
               <driver name='qemu' type='raw'/>
               <source file='{}'/>
               <target dev='hda' bus='ide'/>
             </disk>
             <memballoon model='none'/>
           </devices>
         </domain>",
        disk.display()
    )
}

/// A small test-driver domain that virsh and the remote driver define and run.
pub const DEMO_XML: &str = "<domain type='test'>
  <name>demo</name>
  <uuid>12345678-9abc-def0-1234-56789abcdef0</uuid>
  <memory>8192</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
";

/// A persistent test-driver domain, `rvirt-demo` (1 GiB, i686), that the remote driver
/// and rvirsh define on a private libvirtd.
pub const RVIRT_DEMO_XML: &str = "<domain type='test'>
  <name>rvirt-demo</name>
  <uuid>12345678-9abc-def0-1234-56789abcdef0</uuid>
  <memory unit='KiB'>1048576</memory>
  <vcpu>1</vcpu>
  <os><type arch='i686'>hvm</type></os>
</domain>
";
