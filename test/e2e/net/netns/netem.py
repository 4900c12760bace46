#!/usr/bin/python3
"""A userspace netem for the multi-host harness (test/e2e/net/netns/index.ts, `setLink`).

The kernels this project is built and tested on have no `sch_netem` module (`tc qdisc add ...
netem` answers "Specified qdisc kind is unknown"), so a link's delay and loss are made here: the
harness routes what a NAT router forwards over the link into a TUN device this program creates
(policy routing, `ip rule add iif <dev> lookup <table>`), and this program writes each packet back
into the same device `--delay-ms` later (plus or minus up to `--jitter-ms`, never reordered within
a direction), or drops it with probability `--loss` (a seeded generator, so a run can be replayed).
The two directions are two queues, as on a real link (netem on each end's egress): a packet from
the host's side (its source in `--inside`) waits only behind packets going the same way, so the
jitter of one direction does not hold back the other. Written back,
a packet arrives from the TUN and follows the router's main table to its destination: it
crosses the program once per direction. Rate limiting is not made here: the kernel's `tbf` does it.

Test infrastructure, stdlib only. The queue is bounded (`--limit` packets, as netem's `limit`;
past it a packet is dropped and counted). Prints one JSON line `{"ready": ...}` once the device
exists, one line of counters on SIGUSR1, and a last one when it ends (SIGTERM or SIGINT: exit 0).
The device is not persistent: it goes away with the process, and with it the routes through it.
"""
import argparse
import collections
import errno
import fcntl
import ipaddress
import json
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65536


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    ap.add_argument('--dev', required=True, help='the TUN device to create (at most 15 characters)')
    ap.add_argument('--delay-ms', type=float, default=0.0, help='added one-way delay, each packet')
    ap.add_argument('--jitter-ms', type=float, default=0.0, help='delay varies uniformly by up to this much')
    ap.add_argument('--loss', type=float, default=0.0, help='probability of dropping a packet, 0..1')
    ap.add_argument('--seed', type=int, default=1, help='seed of the loss and jitter generator')
    ap.add_argument('--limit', type=int, default=1000, help='packets held at most (both directions); past it, dropped')
    ap.add_argument('--inside', required=True, help="the host's side of the link, an IPv6 prefix: packets from it go out, the rest come in")
    a = ap.parse_args()
    if not 0 <= a.loss <= 1 or a.delay_ms < 0 or a.jitter_ms < 0 or a.jitter_ms > a.delay_ms or a.limit < 1 or len(a.dev) > 15:
        ap.error('need 0 <= loss <= 1, 0 <= jitter <= delay, limit >= 1, a device name of at most 15 characters')

    inside = ipaddress.IPv6Network(a.inside)

    def outbound(packet: bytes) -> bool:
        # An IPv6 header's source address is bytes 8..24.
        return len(packet) >= 24 and packet[0] >> 4 == 6 and ipaddress.IPv6Address(packet[8:24]) in inside

    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', a.dev.encode(), IFF_TUN | IFF_NO_PI))
    rng = random.Random(a.seed)
    delay = a.delay_ms / 1000.0
    jitter = a.jitter_ms / 1000.0
    # Per direction (out of the host, into it): (due, packet), due never decreasing.
    queues = {True: collections.deque(), False: collections.deque()}
    last_due = {True: 0.0, False: 0.0}
    counts = {'received': 0, 'forwarded': 0, 'lost': 0, 'overflowed': 0, 'writeErrors': 0}
    flags = {'stop': False, 'report': False}

    def out(obj: dict) -> None:
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()

    def on_stop(_sig: int, _frame: object) -> None:
        flags['stop'] = True

    def on_report(_sig: int, _frame: object) -> None:
        flags['report'] = True

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGUSR1, on_report)
    out({'ready': a.dev, 'delayMs': a.delay_ms, 'jitterMs': a.jitter_ms, 'loss': a.loss, 'seed': a.seed, 'limit': a.limit})

    def queued() -> int:
        return len(queues[True]) + len(queues[False])

    while not flags['stop']:
        if flags['report']:
            flags['report'] = False
            out({'counts': counts, 'queued': queued()})
        now = time.monotonic()
        for queue in queues.values():
            while queue and queue[0][0] <= now:
                _, packet = queue.popleft()
                try:
                    os.write(fd, packet)
                    counts['forwarded'] += 1
                except OSError as e:
                    counts['writeErrors'] += 1
                    if counts['writeErrors'] <= 5:
                        sys.stderr.write(f'netem: writing a packet back failed: {e}\n')
        # Wake for the next packet due, or a signal's flag within 100 ms.
        heads = [q[0][0] for q in queues.values() if q]
        timeout = 0.1 if not heads else max(0.0, min(0.1, min(heads) - time.monotonic()))
        try:
            readable, _, _ = select.select([fd], [], [], timeout)
        except InterruptedError:
            continue
        if not readable:
            continue
        while True:
            try:
                packet = os.read(fd, MAX_PACKET)
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno == errno.EINTR:
                    continue
                raise
            counts['received'] += 1
            if rng.random() < a.loss:
                counts['lost'] += 1
                continue
            if queued() >= a.limit:
                counts['overflowed'] += 1
                continue
            way = outbound(packet)
            due = time.monotonic() + delay + (rng.uniform(-jitter, jitter) if jitter > 0 else 0.0)
            last_due[way] = max(due, last_due[way])  # a link does not reorder
            queues[way].append((last_due[way], packet))
    out({'counts': counts, 'queued': queued(), 'stopped': True})
    os.close(fd)
    return 0


if __name__ == '__main__':
    sys.exit(main())
