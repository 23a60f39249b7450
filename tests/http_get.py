#!/usr/bin/env python3
"""http_get.py: GETs paths over one HTTP/1.1 keep-alive connection (optionally pipelined, rate-limited) and saves each body for cmp."""
import argparse
import os
import socket
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rate", type=int, default=0, help="read at most this many bytes/s (0: as fast as it comes)")
    ap.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF before connect (small: the server meets EAGAIN)")
    ap.add_argument("--pipeline", action="store_true", help="send every request in one write before reading")
    ap.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds in all")
    ap.add_argument("outdir", help="body i goes to OUTDIR/i.body")
    ap.add_argument("paths", nargs="+")
    return ap.parse_args()


class Reader:
    """Buffered, rate-limited reads from a socket, bounded by one deadline."""

    def __init__(self, sock, rate, deadline):
        self.sock, self.rate, self.deadline = sock, rate, deadline
        self.buf = bytearray()
        self.got, self.t0 = 0, time.monotonic()

    def fill(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        want = 65536
        if self.rate:
            # Never ahead of the rate: wait for the budget, read what it allows.
            allowed = int(self.rate * (time.monotonic() - self.t0)) - self.got
            if allowed <= 0:
                time.sleep(min(0.01, left))
                return
            want = min(want, allowed)
        self.sock.settimeout(min(left, 5.0))
        data = self.sock.recv(want)
        if not data:
            raise EOFError("connection closed by the server")
        self.got += len(data)
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise ValueError("header line longer than 64 KiB")
            self.fill()
        i = self.buf.index(b"\r\n")
        out = bytes(self.buf[:i])
        del self.buf[:i + 2]
        return out

    def exact(self, n, out):
        while n > 0:
            if not self.buf:
                self.fill()
            k = min(n, len(self.buf))
            out.write(self.buf[:k])
            del self.buf[:k]
            n -= k


def read_head(rd):
    """Returns (status, headers dict of lower-case names)."""
    status = rd.line().split(b" ", 2)
    if len(status) < 2 or not status[0].startswith(b"HTTP/1."):
        raise ValueError("bad status line %r" % b" ".join(status)[:80])
    hdrs = {}
    while True:
        ln = rd.line()
        if not ln:
            return int(status[1]), hdrs
        k, _, v = ln.partition(b":")
        hdrs[k.strip().lower().decode()] = v.strip().decode()


def read_chunked(rd, out):
    while True:
        size_line = rd.line().split(b";")[0].strip()
        try:
            n = int(size_line, 16)
        except ValueError:
            raise ValueError("bad chunk size line %r" % size_line[:40])
        if n == 0:
            while rd.line():
                pass  # trailers
            return
        rd.exact(n, out)
        if rd.line():
            raise ValueError("chunk not followed by CRLF")


def read_response(rd, out):
    status, hdrs = read_head(rd)
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        read_chunked(rd, out)
        return status, "chunked"
    n = int(hdrs.get("content-length", "0"))
    rd.exact(n, out)
    return status, "length %d" % n


def request(host, path, last):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (path, host, "Connection: close\r\n" if last else "")).encode()


def main():
    a = parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if a.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    s.settimeout(5.0)
    s.connect((a.host, a.port))
    rd = Reader(s, a.rate, time.monotonic() + a.timeout)
    reqs = [request(a.host, p, i == len(a.paths) - 1) for i, p in enumerate(a.paths)]
    if a.pipeline:
        s.sendall(b"".join(reqs))
    rc = 0
    for i, path in enumerate(a.paths):
        if not a.pipeline:
            s.sendall(reqs[i])
        with open(os.path.join(a.outdir, "%d.body" % i), "wb") as out:
            try:
                status, how = read_response(rd, out)
                print("%d %s %d %s" % (i, path, status, how))
            except (OSError, EOFError, ValueError) as e:
                print("%d %s: %s after %d bytes of the stream" % (i, path, e, rd.got), file=sys.stderr)
                rc = 1
                break
    s.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
