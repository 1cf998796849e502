//! `console` and `screenshot`: a domain's console stream tied to the terminal (raw
//! while stdin is a tty, a plain pipe otherwise; Ctrl+] leaves, as in virsh), and a
//! screenshot written to a file named as virsh names it.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::Arc;

use rvirt_core::driver::CONSOLE_FORCE;
use rvirt_core::{Connect, Stream};

use crate::commands::{Outcome, fail, lookup};

/// virsh's escape character: Ctrl+].
const ESCAPE: u8 = 0x1d;

/// The terminal's settings while in raw mode, restored on drop.
struct RawTerminal(libc::termios);

impl RawTerminal {
    /// Puts stdin's terminal in raw mode; `None` when stdin is no terminal.
    fn enter() -> Option<RawTerminal> {
        let fd = std::io::stdin().as_raw_fd();
        // SAFETY: isatty/tcgetattr/tcsetattr on stdin with a valid termios buffer.
        unsafe {
            if libc::isatty(fd) != 1 {
                return None;
            }
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut saved) != 0 {
                return None;
            }
            let mut raw = saved;
            libc::cfmakeraw(&mut raw);
            if libc::tcsetattr(fd, libc::TCSAFLUSH, &raw) != 0 {
                return None;
            }
            Some(RawTerminal(saved))
        }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        // SAFETY: restores the settings read by `enter` on the same fd.
        unsafe {
            libc::tcsetattr(std::io::stdin().as_raw_fd(), libc::TCSAFLUSH, &self.0);
        }
    }
}

/// `console DOMAIN [--devname N] [--force]`.
pub fn console(conn: &Connect, arg: &str, devname: Option<&str>, force: bool) -> Outcome {
    let d = lookup(conn, arg)?;
    let flags = if force { CONSOLE_FORCE } else { 0 };
    let stream = d
        .open_console(devname, flags)
        .map_err(|e| vec![e.to_string()])?;
    let stream = Arc::new(stream);
    println!("Connected to domain '{}'", d.name());
    println!("Escape character is ^] (Ctrl + ])");
    let _ = std::io::stdout().flush();
    let raw = RawTerminal::enter();

    // What is typed goes to the guest until Ctrl+] or the end of the input.
    let input = stream.clone();
    std::thread::Builder::new()
        .name("rvirsh-console-input".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = [0u8; 1024];
            loop {
                let n = match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let (data, quit) = match buf[..n].iter().position(|&b| b == ESCAPE) {
                    Some(at) => (&buf[..at], true),
                    None => (&buf[..n], false),
                };
                if !data.is_empty() && send_all(&input, data).is_err() {
                    return;
                }
                if quit {
                    break;
                }
            }
            // Ends the session: the output loop below sees the stream close.
            let _ = input.finish();
        })
        .map_err(|e| vec![format!("cannot start the console input thread: {e}")])?;

    // What the guest writes goes to stdout until the stream ends.
    let mut out = std::io::stdout().lock();
    let mut buf = [0u8; 4096];
    let result = loop {
        match stream.recv(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                if out.write_all(&buf[..n]).and_then(|()| out.flush()).is_err() {
                    break Ok(());
                }
            }
            // Closed by our own finish (Ctrl+] or the end of the input).
            Err(e) if e.code() == rvirt_core::ErrorCode::InvalidStream => break Ok(()),
            Err(e) => break Err(vec![e.to_string()]),
        }
    };
    drop(raw);
    let _ = stream.finish();
    println!();
    result
}

fn send_all(stream: &Stream, mut data: &[u8]) -> rvirt_core::Result<()> {
    while !data.is_empty() {
        let n = stream.send(data)?;
        data = &data[n..];
    }
    Ok(())
}

/// virsh's default screenshot name: `DOMAIN-YYYY-MM-DD-HH:MM:SS.EXT` in local time.
fn default_name(dom: &str, mime: &str) -> String {
    let ext = match mime {
        "image/x-portable-pixmap" => ".ppm",
        "image/png" => ".png",
        _ => "",
    };
    let mut stamp = [0u8; 64];
    // SAFETY: time/localtime_r/strftime with valid buffers and a NUL-terminated format.
    let len = unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        libc::strftime(
            stamp.as_mut_ptr().cast(),
            stamp.len(),
            c"%Y-%m-%d-%H:%M:%S".as_ptr(),
            &tm,
        )
    };
    format!("{dom}-{}{ext}", String::from_utf8_lossy(&stamp[..len]))
}

/// `screenshot DOMAIN [FILE] [--screen N]`: the image as QEMU made it (PPM or PNG).
pub fn screenshot(conn: &Connect, arg: &str, file: Option<&PathBuf>, screen: u32) -> Outcome {
    let d = lookup(conn, arg)?;
    let failed =
        |e: &rvirt_core::Error| fail(format!("could not take a screenshot of {}", d.name()), e);
    let (mime, stream) = d.screenshot(screen, 0).map_err(|e| failed(&e))?;
    let path = match file {
        Some(p) => p.clone(),
        None => PathBuf::from(default_name(d.name(), &mime)),
    };
    let mut out = File::create(&path).map_err(|e| {
        let _ = stream.abort();
        vec![format!("cannot create file {}: {e}", path.display())]
    })?;
    let received = stream
        .recv_all(&mut out)
        .and_then(|_| stream.finish())
        .and_then(|()| {
            out.sync_all().map_err(|e| {
                rvirt_core::Error::internal(rvirt_core::ErrorDomain::None, e.to_string())
            })
        });
    if let Err(e) = received {
        let _ = std::fs::remove_file(&path);
        return Err(failed(&e));
    }
    println!(
        "Screenshot saved to {}, with type of {mime}",
        path.display()
    );
    Ok(())
}
