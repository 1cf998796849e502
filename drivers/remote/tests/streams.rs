//! Streams over rvirt's remote driver: against a real rvirtd hosting real TCG guests,
//! a domain console (the guest's serial output read, a line typed and echoed back by
//! the guest, a second session refused without force and taking over with it, an
//! aborted session freeing the console, a stream event callback on the default loop),
//! a screenshot (a PPM of the guest's resolution), and volume upload/download in a
//! `dir` pool; against a private libvirtd 9.0 (test driver), its screenshot (PNG).

use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rvirt_core::driver::{CONSOLE_FORCE, StreamEvents};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, ErrorCode, Stream};
use rvirt_testkit::libvirtd::Libvirtd;
use rvirt_testkit::{
    Daemon, QemuReaper, SERIAL_R, SERIAL_SWAPCASE, TempDir, boot_disk, desktop_domain_xml,
    domain_xml, have_qemu,
};

/// A default loop running on its own thread until dropped.
struct LoopThread {
    ev: DefaultLoop,
    thread: Option<JoinHandle<()>>,
}

impl LoopThread {
    fn start() -> LoopThread {
        let ev = DefaultLoop::new().unwrap();
        let runner = ev.clone();
        let thread = std::thread::spawn(move || runner.run().unwrap());
        LoopThread {
            ev,
            thread: Some(thread),
        }
    }
}

impl Drop for LoopThread {
    fn drop(&mut self) {
        self.ev.quit();
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

/// Reads `st` without blocking until `done` holds for what came, the end of the
/// stream, or `secs`: what came, and whether the stream ended.
fn read_until(st: &Stream, secs: u64, done: impl Fn(&[u8]) -> bool) -> (Vec<u8>, bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < end && !done(&got) {
        match st.try_recv(&mut buf).unwrap() {
            Some(0) => return (got, true),
            Some(n) => got.extend_from_slice(&buf[..n]),
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    (got, false)
}

/// Receives from a console session a forced open took over until it fails: the error.
fn taken_over(st: &Stream) -> rvirt_core::Error {
    let mut buf = [0u8; 256];
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        match st.try_recv(&mut buf) {
            Err(e) => return e,
            Ok(Some(0)) => panic!("the taken-over session ended without libvirt's error"),
            Ok(_) if Instant::now() < end => std::thread::sleep(Duration::from_millis(20)),
            Ok(_) => panic!("the taken-over session did not end"),
        }
    }
}

fn count_r(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'R').count()
}

fn ppm_size(data: &[u8]) -> (usize, usize) {
    let header = String::from_utf8_lossy(&data[..data.len().min(20)]).into_owned();
    let mut fields = header.split_ascii_whitespace();
    assert_eq!(fields.next(), Some("P6"), "{header:?}");
    let w = fields.next().unwrap().parse().unwrap();
    let h = fields.next().unwrap().parse().unwrap();
    (w, h)
}

#[test]
fn console_screenshot_and_volumes_against_rvirtd() {
    if !have_qemu() {
        return;
    }
    let root = TempDir::new("remote-streams");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with(
        "remote-streams",
        &["--qemu-root", root.0.join("qemu").to_str().unwrap()],
    );
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.qemu_uri()).unwrap();

    let disk = boot_disk(&root.join("scons.img"), SERIAL_R);
    let mut vcons = conn
        .define_xml(&desktop_domain_xml("scons", &disk))
        .unwrap();
    vcons.create().unwrap();
    let disk = boot_disk(&root.join("secho.img"), SERIAL_SWAPCASE);
    let echo_xml = domain_xml("secho", &disk).replace(
        "<memballoon model='none'/>",
        "<serial type='pty'><target port='0'/></serial>
         <console type='pty'><target type='serial' port='0'/></console>
         <memballoon model='none'/>",
    );
    let mut vecho = conn.define_xml(&echo_xml).unwrap();
    vecho.create().unwrap();

    // The guest's serial output comes through the stream (no event loop: the
    // non-blocking receive reads the socket itself).
    let first = vcons.open_console(None, 0).unwrap();
    let (got, ended) = read_until(&first, 30, |b| count_r(b) >= 3);
    assert!(count_r(&got) >= 3 && !ended, "{got:?}");

    // A second session without force: libvirt's error; with force it takes over and
    // the first one sees the end of its stream.
    let e = vcons.open_console(None, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationFailed, "{e}");
    assert_eq!(
        e.to_string(),
        "operation failed: Active console session exists for this domain"
    );
    let second = vcons.open_console(None, CONSOLE_FORCE).unwrap();
    let e = taken_over(&first);
    assert_eq!(e.code(), ErrorCode::Rpc, "{e:?}");
    assert_eq!(e.message(), "stream had I/O failure");
    assert_eq!(
        first.finish().unwrap_err().message(),
        "stream had I/O failure"
    );
    let (got, _) = read_until(&second, 30, |b| count_r(b) >= 3);
    assert!(count_r(&got) >= 3, "{got:?}");
    // Aborted mid-way, the session frees the console: a plain open succeeds.
    second.abort().unwrap();
    assert_eq!(
        second.abort().unwrap_err().code(),
        ErrorCode::InvalidStream,
        "an ended stream is not open"
    );
    let third = vcons.open_console(None, 0).unwrap();
    // Dropped while open, it is aborted: the console is free again.
    drop(third);
    let fourth = vcons.open_console(None, 0).unwrap();
    fourth.finish().unwrap();

    // What is sent reaches the guest, whose swapped-case echo comes back (blocking
    // send, blocking receive).
    let echo = vecho.open_console(Some("serial0"), 0).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(echo.send(b"typedintorvirt").unwrap(), 14);
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    let end = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&got).contains("TYPEDINTORVIRT") && Instant::now() < end {
        let n = echo.recv(&mut buf).unwrap();
        assert_ne!(n, 0, "stream ended early: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    assert!(
        String::from_utf8_lossy(&got).contains("TYPEDINTORVIRT"),
        "{got:?}"
    );
    echo.finish().unwrap();

    // The screenshot: a PPM whose size is the guest's VGA resolution.
    let (mime, shot) = vcons.screenshot(0, 0).unwrap();
    assert_eq!(mime, "image/x-portable-pixmap");
    let mut data = Vec::new();
    shot.recv_all(&mut data).unwrap();
    shot.finish().unwrap();
    let (w, h) = ppm_size(&data);
    // QEMU's standard VGA in text mode: 720x400.
    assert_eq!((w, h), (720, 400), "{w}x{h}");
    assert!(data.len() >= w * h * 3, "{} bytes for {w}x{h}", data.len());

    // The VNC server's socket, passed over the wire (REPLY_WITH_FDS): it greets with
    // the RFB version, and the same connection keeps answering calls afterwards.
    let vnc = vcons.open_graphics_fd(0, 0).unwrap();
    let mut vnc = std::fs::File::from(vnc);
    let mut greeting = [0u8; 12];
    std::io::Read::read_exact(&mut vnc, &mut greeting).unwrap();
    assert_eq!(&greeting, b"RFB 003.008\n");
    assert!(vcons.is_active().unwrap());
    let e = vcons.open_graphics_fd(7, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InternalError, "{e}");
    assert!(
        e.message().contains("No graphics backend with index 7"),
        "{e}"
    );
    let again = std::fs::File::from(vcons.open_graphics_fd(0, 0).unwrap());
    drop((vnc, again));
    assert_eq!(vcons.info().unwrap().nr_virt_cpu, 1);

    // An event callback on the connection's loop gets the console's data.
    let lp = LoopThread::start();
    let looped = Connect::open_with_loop(&d.qemu_uri(), lp.ev.shared()).unwrap();
    let dom = looped.lookup_domain_by_name("scons").unwrap();
    let st = Arc::new(dom.open_console(None, 0).unwrap());
    let (tx, rx) = mpsc::channel();
    let reader = st.clone();
    st.event_add_callback(StreamEvents::READABLE, move |ev| {
        let mut buf = [0u8; 1024];
        if let Ok(Some(n)) = reader.try_recv(&mut buf) {
            let _ = tx.send((ev, buf[..n].to_vec()));
        }
    })
    .unwrap();
    let mut seen = Vec::new();
    let end = Instant::now() + Duration::from_secs(30);
    while count_r(&seen) < 3 && Instant::now() < end {
        if let Ok((ev, data)) = rx.recv_timeout(Duration::from_secs(1)) {
            assert!(ev.intersects(StreamEvents::READABLE), "{ev:?}");
            seen.extend(data);
        }
    }
    assert!(count_r(&seen) >= 3, "{seen:?}");
    st.event_remove_callback().unwrap();
    st.abort().unwrap();
    drop(st);

    // Volumes: a random 3 MiB file uploaded and downloaded byte for byte, parts of it
    // by offset and length, the volume's allocation refreshed.
    let images = root.join("images");
    let pool = conn
        .storage_pool_define_xml(
            &format!(
                "<pool type='dir'><name>sp</name><target><path>{}</path></target></pool>",
                images.display()
            ),
            0,
        )
        .unwrap();
    pool.build(0).unwrap();
    pool.create(0).unwrap();
    let vol = pool
        .create_volume_xml(
            "<volume><name>v.raw</name><capacity unit='M'>4</capacity>\
             <allocation>0</allocation><target><format type='raw'/></target></volume>",
            0,
        )
        .unwrap();
    let data: Vec<u8> = (0..3u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let up = vol.upload(0, 0, 0).unwrap();
    assert_eq!(up.send_all(&data[..]).unwrap(), data.len() as u64);
    up.finish().unwrap();
    let on_disk = std::fs::read(images.join("v.raw")).unwrap();
    assert_eq!(&on_disk[..data.len()], &data[..]);
    assert!(vol.info().unwrap().allocation >= data.len() as u64);
    let down = vol.download(0, data.len() as u64, 0).unwrap();
    let mut back = Vec::new();
    down.recv_all(&mut back).unwrap();
    down.finish().unwrap();
    assert!(back == data, "download differs ({} bytes)", back.len());
    let part = vol.download(1000, 5000, 0).unwrap();
    let mut back = Vec::new();
    part.recv_all(&mut back).unwrap();
    part.finish().unwrap();
    assert_eq!(&back[..], &data[1000..6000]);
    // A partial upload writes in place and only its length.
    // More than the upload's length fails it at the finish, as libvirt's fd stream
    // (its first bytes are written).
    let up = vol.upload(10, 4, 0).unwrap();
    up.send_all(&b"abcdEFGH"[..]).unwrap();
    let e = up.finish().unwrap_err();
    assert!(e.message().contains("cannot write to stream"), "{e}");
    let up = vol.upload(10, 4, 0).unwrap();
    up.send_all(&b"ABCD"[..]).unwrap();
    up.finish().unwrap();
    let on_disk = std::fs::read(images.join("v.raw")).unwrap();
    assert_eq!(
        &on_disk[8..16],
        &[data[8], data[9], b'A', b'B', b'C', b'D', data[14], data[15]]
    );
    // Read-only connections may do neither.
    let ro = Connect::open(&format!(
        "qemu+unix:///system?socket={}",
        d.ro_socket().display()
    ))
    .unwrap();
    let rovol = ro
        .lookup_storage_vol_by_path(&images.join("v.raw").display().to_string())
        .unwrap();
    let e = rovol.download(0, 0, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationDenied, "{e}");
    assert!(e.message().contains("virStorageVolDownload"), "{e}");
    // As libvirtd, a volume being downloaded may be deleted; the download goes on.
    let busy = vol.download(0, 0, 0).unwrap();
    vol.delete(0).unwrap();
    let mut back = Vec::new();
    busy.recv_all(&mut back).unwrap();
    busy.finish().unwrap();
    assert_eq!(back.len(), 4 << 20);

    vcons.destroy().unwrap();
    vecho.destroy().unwrap();
}

#[test]
fn screenshot_from_libvirtd_test_driver() {
    let Some(daemon) = Libvirtd::start() else {
        return;
    };
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&daemon.uri()).unwrap();
    let dom = conn.lookup_domain_by_name("test").unwrap();
    let (mime, shot) = dom.screenshot(0, 0).unwrap();
    assert_eq!(mime, "image/png");
    let mut data = Vec::new();
    shot.recv_all(&mut data).unwrap();
    shot.finish().unwrap();
    assert!(
        data.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{:?}",
        &data[..8.min(data.len())]
    );
    let expected = std::fs::read("/usr/share/libvirt/test-screenshot.png").ok();
    if let Some(expected) = expected {
        assert_eq!(data, expected);
    }
    // libvirt's test driver has no consoles: its error comes through.
    let e = dom.open_console(None, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport, "{e}");
    // Nor volume upload or download: rvirt's test driver (through rvirtd) refuses them
    // with the same words.
    let theirs = refused_transfers(&conn);
    let d = Daemon::start("remote-streams-test");
    let ours = refused_transfers(&Connect::open(&d.uri()).unwrap());
    assert_eq!(ours, theirs);
}

/// The errors of uploading into and downloading from a new volume of `default-pool`.
fn refused_transfers(conn: &Connect) -> Vec<String> {
    let pool = conn.lookup_storage_pool_by_name("default-pool").unwrap();
    let vol = pool
        .create_volume_xml(
            "<volume><name>streamed.img</name><capacity>1048576</capacity></volume>",
            0,
        )
        .unwrap();
    let up = vol.upload(0, 0, 0).unwrap_err();
    let down = vol.download(0, 0, 0).unwrap_err();
    vol.delete(0).unwrap();
    [up, down]
        .iter()
        .map(|e| format!("{:?} {:?} {}", e.code(), e.domain(), e))
        .collect()
}

/// Resident memory of this process, in bytes.
fn resident() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64
}

#[test]
fn an_unread_download_does_not_grow_without_bound() {
    let d = Daemon::start("remote-streams-flow");
    rvirt_driver_remote::register().unwrap();
    let lp = LoopThread::start();
    // The loop's watch reads the socket on its own thread: without the bound it would
    // queue the whole volume while nobody receives.
    let conn = Connect::open_with_loop(&d.qemu_uri(), lp.ev.shared()).unwrap();
    let images = d.dir.0.join("flow");
    let pool = conn
        .storage_pool_define_xml(
            &format!(
                "<pool type='dir'><name>flow</name><target><path>{}</path></target></pool>",
                images.display()
            ),
            0,
        )
        .unwrap();
    pool.build(0).unwrap();
    pool.create(0).unwrap();
    let size: u64 = 256 << 20;
    let vol = pool
        .create_volume_xml(
            &format!(
                "<volume><name>big.raw</name><capacity>{size}</capacity>\
                 <allocation>0</allocation><target><format type='raw'/></target></volume>"
            ),
            0,
        )
        .unwrap();
    let before = resident();
    let down = vol.download(0, 0, 0).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let grown = resident().saturating_sub(before);
    assert!(
        grown < 48 << 20,
        "{} MiB queued for an unread stream",
        grown >> 20
    );
    // Nothing was lost: everything comes once the application reads.
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = down.recv(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|&b| b == 0));
        total += n as u64;
    }
    down.finish().unwrap();
    assert_eq!(total, size);
}

#[test]
fn callbacks_drive_a_transfer_on_a_current_thread_tokio_runtime() {
    use std::sync::Mutex;
    let d = Daemon::start("remote-streams-tokio");
    rvirt_driver_remote::register().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ev = rvirt_tokio::TokioLoop::new(rt.handle().clone());
    let conn = Connect::open_with_loop(&d.qemu_uri(), ev.shared()).unwrap();
    let images = d.dir.0.join("tokio");
    let pool = conn
        .storage_pool_define_xml(
            &format!(
                "<pool type='dir'><name>tk</name><target><path>{}</path></target></pool>",
                images.display()
            ),
            0,
        )
        .unwrap();
    pool.build(0).unwrap();
    pool.create(0).unwrap();
    let vol = pool
        .create_volume_xml(
            "<volume><name>t.raw</name><capacity unit='M'>2</capacity>\
             <allocation>0</allocation><target><format type='raw'/></target></volume>",
            0,
        )
        .unwrap();
    let data: Vec<u8> = (0..(2u32 << 20)).map(|i| (i % 251) as u8).collect();

    // Upload: a WRITABLE callback sends without blocking until all is taken.
    let up = Arc::new(vol.upload(0, 0, 0).unwrap());
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let sender = up.clone();
    let source = Arc::new(Mutex::new((data.clone(), 0usize)));
    up.event_add_callback(StreamEvents::WRITABLE, move |ev| {
        assert!(ev.intersects(StreamEvents::WRITABLE), "{ev:?}");
        let mut s = source.lock().unwrap();
        while s.1 < s.0.len() {
            let end = s.0.len().min(s.1 + 100_000);
            match sender.try_send(&s.0[s.1..end]).unwrap() {
                Some(n) => s.1 += n,
                None => return,
            }
        }
        let _ = sender.event_update_callback(StreamEvents::NONE);
        let _ = done_tx.send(());
    })
    .unwrap();
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), done_rx.recv())
            .await
            .expect("upload callbacks did not finish")
    });
    up.event_remove_callback().unwrap();
    up.finish().unwrap();
    assert!(std::fs::read(images.join("t.raw")).unwrap() == data);

    // Download: a READABLE callback receives without blocking until the end.
    let down = Arc::new(vol.download(0, 0, 0).unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reader = down.clone();
    down.event_add_callback(StreamEvents::READABLE, move |_| {
        let mut buf = vec![0u8; 65536];
        loop {
            match reader.try_recv(&mut buf) {
                Ok(Some(0)) => {
                    let _ = reader.event_update_callback(StreamEvents::NONE);
                    let _ = tx.send(None);
                    return;
                }
                Ok(Some(n)) => {
                    let _ = tx.send(Some(buf[..n].to_vec()));
                }
                Ok(None) => return,
                Err(e) => panic!("{e}"),
            }
        }
    })
    .unwrap();
    let got = rt.block_on(async {
        let mut got = Vec::new();
        loop {
            let next = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("download callbacks stalled");
            match next.flatten() {
                Some(chunk) => got.extend(chunk),
                None => return got,
            }
        }
    });
    down.event_remove_callback().unwrap();
    down.finish().unwrap();
    assert!(got == data, "downloaded {} bytes", got.len());
}

#[test]
fn console_screenshot_and_volumes_against_libvirtd_qemu() {
    if !have_qemu() {
        return;
    }
    let Some(daemon) = Libvirtd::start_with(rvirt_testkit::libvirtd::Options {
        qemu_driver: true,
        storage_driver: true,
        ..Default::default()
    }) else {
        return;
    };
    let root = TempDir::new("remote-streams-lv");
    // libvirtd's QEMUs outlive it: killed by pid (their disks name the root) at the end.
    let _reaper = QemuReaper(root.0.clone());
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&daemon.qemu_uri()).unwrap();
    let disk = boot_disk(&root.join("lvecho.img"), SERIAL_SWAPCASE);
    let echo_xml = domain_xml("lvecho", &disk).replace(
        "<memballoon model='none'/>",
        "<serial type='pty'><target port='0'/></serial>
         <console type='pty'><target type='serial' port='0'/></console>
         <video><model type='vga'/></video>
         <memballoon model='none'/>",
    );
    let mut dom = conn.define_xml(&echo_xml).unwrap();
    dom.create().unwrap();

    // libvirtd's console: typed text comes back swapped by the guest; a second session
    // is refused, a forced one ends the first.
    let st = dom.open_console(None, 0).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    st.send(b"fromrvirt").unwrap();
    let (got, _) = read_until(&st, 30, |b| {
        String::from_utf8_lossy(b).contains("FROMRVIRT")
    });
    assert!(
        String::from_utf8_lossy(&got).contains("FROMRVIRT"),
        "{got:?}"
    );
    let e = dom.open_console(None, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "operation failed: Active console session exists for this domain"
    );
    let forced = dom.open_console(None, CONSOLE_FORCE).unwrap();
    // libvirtd ends the taken-over session with an error, as rvirtd does.
    let e = taken_over(&st);
    assert_eq!(e.code(), ErrorCode::Rpc, "{e:?}");
    assert_eq!(e.message(), "stream had I/O failure");
    // The finish of a failed stream returns its error.
    assert_eq!(st.finish().unwrap_err().message(), "stream had I/O failure");
    forced.abort().unwrap();

    // libvirtd's screenshot: libvirt 9.0 asks this QEMU for a PNG.
    let (mime, shot) = dom.screenshot(0, 0).unwrap();
    assert_eq!(mime, "image/png");
    let mut data = Vec::new();
    shot.recv_all(&mut data).unwrap();
    shot.finish().unwrap();
    assert!(
        data.starts_with(b"\x89PNG\r\n\x1a\n") && data.len() > 100,
        "{} bytes",
        data.len()
    );
    dom.destroy().unwrap();
    dom.undefine().unwrap();

    // libvirtd's storage driver: the same round trip, partial download, and the
    // length overflow worded as rvirtd words it.
    let images = root.join("lvimages");
    let pool = conn
        .storage_pool_create_xml(
            &format!(
                "<pool type='dir'><name>lvsp</name><target><path>{}</path></target></pool>",
                images.display()
            ),
            1, // VIR_STORAGE_POOL_CREATE_WITH_BUILD
        )
        .unwrap();
    let vol = pool
        .create_volume_xml(
            "<volume><name>lv.raw</name><capacity unit='M'>2</capacity>\
             <target><format type='raw'/></target></volume>",
            0,
        )
        .unwrap();
    let data: Vec<u8> = (0..(1u32 << 20)).map(|i| (i % 253) as u8).collect();
    let up = vol.upload(0, 0, 0).unwrap();
    up.send_all(&data[..]).unwrap();
    up.finish().unwrap();
    let down = vol.download(100, 1000, 0).unwrap();
    let mut back = Vec::new();
    down.recv_all(&mut back).unwrap();
    down.finish().unwrap();
    assert_eq!(&back[..], &data[100..1100]);
    let up = vol.upload(10, 4, 0).unwrap();
    up.send_all(&b"abcdEFGH"[..]).unwrap();
    let e = up.finish().unwrap_err();
    assert_eq!(
        e.message(),
        "cannot write to stream: No space left on device"
    );
    // libvirtd lets a volume be deleted while a download of it is open (its in_use
    // count covers the opening call only); rvirtd too, below.
    let busy = vol.download(0, 0, 0).unwrap();
    vol.delete(0).unwrap();
    let mut back = Vec::new();
    busy.recv_all(&mut back).unwrap();
    busy.finish().unwrap();
    assert_eq!(back.len(), 2 << 20);
    pool.destroy().unwrap();
}
