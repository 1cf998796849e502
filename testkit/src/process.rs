//! Child processes with a deadline: bounded commands, background processes killed by
//! pid, and their output.

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Starts `cmd` with stdin from /dev/null and threads collecting its stdout and stderr.
fn spawn_collecting(cmd: &mut Command) -> (Child, JoinHandle<Vec<u8>>, JoinHandle<Vec<u8>>) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let out = collect(child.stdout.take().unwrap());
    let err = collect(child.stderr.take().unwrap());
    (child, out, err)
}

fn collect(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = pipe.read_to_end(&mut v);
        v
    })
}

/// Runs `cmd` for at most `secs` seconds (killed by pid after that); panics on
/// timeout.
pub fn run(mut cmd: Command, secs: u64) -> Output {
    let what = format!("{cmd:?}");
    let (mut child, t_out, t_err) = spawn_collecting(&mut cmd);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {secs}s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// A child process killed by pid and reaped when dropped, however the test ends (its
/// pipes, if any, are the test's to read).
#[derive(Debug)]
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process running in the background, killed by pid and reaped on drop; its output
/// is collected as it runs.
#[derive(Debug)]
pub struct Background {
    /// The process.
    pub child: Child,
    out: Option<JoinHandle<Vec<u8>>>,
    err: Option<JoinHandle<Vec<u8>>>,
}

impl Background {
    /// Starts `cmd` with stdin from /dev/null and its stdout and stderr collected.
    pub fn spawn(mut cmd: Command) -> Background {
        let (child, out, err) = spawn_collecting(&mut cmd);
        Background {
            child,
            out: Some(out),
            err: Some(err),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (at most `secs`) for the process to exit on its own; its output.
    pub fn wait_exit(mut self, secs: u64) -> Output {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                Instant::now() < deadline,
                "process {} did not exit within {secs}s",
                self.pid()
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        Output {
            status,
            stdout: self.out.take().unwrap().join().unwrap(),
            stderr: self.err.take().unwrap().join().unwrap(),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Output of a command as one string (stdout then stderr), for assertions.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
