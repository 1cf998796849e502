#!/usr/bin/env bash
# Issue 14's memory check, in one run against rvirtd (default limits) and Debian's libvirtd
# 9.0 (private instance, own mount namespace, test driver): a domain whose XML is ~1 MiB,
# then CLIENTS read-only clients each pipeline CALLS DOMAIN_GET_XML_DESC calls and never read
# a byte. Prints each daemon's RSS growth and whether the daemon still answers a new client.
# Needs root (the private libvirtd) and libvirt-daemon. About half a minute.
#
# Usage: tools/bench/unread-output-compare.sh [CLIENTS] [CALLS]   (default 12 x 200)
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-12}
calls=${2:-200}
work=$(mktemp -d /tmp/rvout.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build -q --release -p rvirtd
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

wait_socket() {
  for _ in $(seq 1 200); do [ -S "$1" ] && return 0; sleep 0.05; done
  echo "no socket $1" >&2
  return 1
}

IDLE_TIMEOUT=600 sh testkit/run-private-libvirtd.sh "$work/libvirtd" \
  >"$work/libvirtd.out" 2>&1 &
pids+=($!)
wait_socket "$work/libvirtd/sock/libvirt-sock"
lv_pid=$(cat "$work/libvirtd/libvirtd.pid" 2>/dev/null || pgrep -f "libvirtd.*$work" | head -1)

"$target/release/rvirtd" --socket-dir "$work/rvirtd" --keep-open test:///default \
  --storage-root "$work/rv-storage" --secret-root "$work/rv-secret" --nwfilter-root "$work/rv-nwfilter" \
  --network-root "$work/rv-net" --network-autostart no \
  --qemu-root "$work/qemu" --lxc-root "$work/lxc" \
  >"$work/rvirtd.out" 2>&1 &
rv_pid=$!
pids+=($rv_pid)
wait_socket "$work/rvirtd/libvirt-sock"

/usr/bin/python3 - "$clients" "$calls" <<'EOF' \
  "rvirtd:$rv_pid:$work/rvirtd/libvirt-sock" "libvirtd:$lv_pid:$work/libvirtd/sock/libvirt-sock"
import socket, struct, sys, time
clients, calls = int(sys.argv[1]), int(sys.argv[2])
def xstr(s):
    b = s.encode()
    return struct.pack('>I', len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)
def frame(proc, body, serial):
    h = struct.pack('>IIiiIi', 0x20008086, 1, proc, 0, serial, 0)
    return struct.pack('>I', 4 + len(h) + len(body)) + h + body
def recv(s):
    b = b''
    while len(b) < 4 or len(b) < struct.unpack('>I', b[:4])[0]:
        c = s.recv(1 << 20)
        if not c:
            return None
        b += c
    return b
def client(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(frame(1, struct.pack('>I', 1) + xstr('test:///default') + struct.pack('>I', 0), 0))
    recv(s)
    return s
def rss(pid):
    for l in open(f'/proc/{pid}/status'):
        if l.startswith('VmRSS:'):
            return int(l.split()[1])
for arg in sys.argv[3:]:
    name, pid, path = arg.split(':', 2)
    admin = client(path)
    meta = 'x' * (1 << 20)
    xml = ("<domain type='test'><name>big</name><memory>1024</memory><os><type>hvm</type></os>"
           f"<metadata><b:b xmlns:b='urn:b'>{meta}</b:b></metadata></domain>")
    admin.sendall(frame(11, xstr(xml), 1))
    r = recv(admin)
    dom = r[28:]  # remote_nonnull_domain as returned
    before = rss(pid)
    hogs = []
    for i in range(clients):
        s = client(path)
        s.setblocking(False)
        payload = b''.join(frame(14, dom + struct.pack('>I', 0), 10 + j) for j in range(calls))
        sent = 0
        t = time.time()
        while sent < len(payload) and time.time() - t < 5:
            try:
                sent += s.send(payload[sent:])
            except BlockingIOError:
                time.sleep(0.01)
        hogs.append(s)
    # Let the daemon work through what it read (it stops reading a client while its
    # queued calls or unread output are at their limits).
    peak, t = rss(pid), time.time()
    while time.time() - t < 10:
        time.sleep(0.5)
        peak = max(peak, rss(pid))
    after = peak
    t = time.time()
    fresh = client(path)
    fresh.sendall(frame(23, xstr('test'), 2))
    ok = recv(fresh) is not None
    print(f"{name:9s} {clients} clients x {calls} calls never read: peak RSS +{(after - before) // 1024} MiB "
          f"({before // 1024} -> {after // 1024} MiB); a new client {'served' if ok else 'NOT served'} "
          f"in {(time.time() - t) * 1000:.0f} ms")
    for s in hogs:
        s.close()
EOF
