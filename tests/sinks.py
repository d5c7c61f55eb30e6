#!/usr/bin/env python3
"""SMTP and SMS sinks for the boxoffice stack (tests and quick start).

The SMTP sink accepts every message and stores it as MAIL_DIR/<n>.eml whose
first line is "X-Rcpt: a@b[, c@d]" (the RCPT TO recipients), followed by the
message as received. The HTTP sink accepts POST on any path with a JSON body
{"phone": ..., "text": ...}, answers 200 {} and stores the body as
SMS_DIR/<n>.json. With --traces-file it is also an OTLP/HTTP JSON collector:
each POST /v1/traces body (one JSON object) is appended to that file as one
line. Files appear atomically (written then renamed), numbered
from 1 upwards, so the newest message has the highest number.

Standard library only (works on Debian 12's python3 3.11, without smtpd).
Stops on SIGTERM or SIGINT and removes its pid file.
"""

import argparse
import http.server
import json
import os
import re
import signal
import socketserver
import sys
import threading

MAX_LINE = 8192
MAX_MESSAGE = 1024 * 1024
MAX_SMS_BODY = 64 * 1024
MAX_TRACES_BODY = 16 * 1024 * 1024


class Store:
    """Numbered files in one folder; safe across threads and restarts."""

    def __init__(self, folder, suffix):
        self.folder = folder
        self.suffix = suffix
        self.lock = threading.Lock()
        os.makedirs(folder, exist_ok=True)
        pat = re.compile(r"^(\d+)" + re.escape(suffix) + r"$")
        self.last = 0
        for name in os.listdir(folder):
            m = pat.match(name)
            if m:
                self.last = max(self.last, int(m.group(1)))

    def save(self, data):
        with self.lock:
            self.last += 1
            n = self.last
        path = os.path.join(self.folder, "%d%s" % (n, self.suffix))
        tmp = os.path.join(self.folder, ".%d%s.tmp" % (n, self.suffix))
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)
        return path


class SMTPHandler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def readline(self):
        line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return None
        return line

    def reset(self):
        self.mail_from = None
        self.rcpts = []

    def handle(self):
        self.reset()
        self.reply("220 boxoffice-sink ESMTP ready")
        while True:
            raw = self.readline()
            if raw is None:
                return
            if len(raw) > MAX_LINE:
                self.reply("500 line too long")
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "HELO":
                self.reply("250 boxoffice-sink")
            elif verb == "EHLO":
                self.reply("250-boxoffice-sink")
                self.reply("250-8BITMIME")
                self.reply("250-SIZE %d" % MAX_MESSAGE)
                self.reply("250 HELP")
            elif verb == "MAIL":
                m = re.match(r"(?i)FROM:\s*<?([^>\s]*)>?", arg)
                if not m:
                    self.reply("501 syntax: MAIL FROM:<address>")
                    continue
                self.reset()
                self.mail_from = m.group(1)
                self.reply("250 OK")
            elif verb == "RCPT":
                m = re.match(r"(?i)TO:\s*<?([^>\s]+)>?", arg)
                if not m:
                    self.reply("501 syntax: RCPT TO:<address>")
                elif self.mail_from is None:
                    self.reply("503 need MAIL first")
                else:
                    self.rcpts.append(m.group(1))
                    self.reply("250 OK")
            elif verb == "DATA":
                if not self.rcpts:
                    self.reply("503 need RCPT first")
                    continue
                self.reply("354 end data with <CR><LF>.<CR><LF>")
                if not self.read_data():
                    return
            elif verb == "RSET":
                self.reset()
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("VRFY", "EXPN"):
                self.reply("252 cannot verify")
            else:
                self.reply("502 command not implemented")

    def read_data(self):
        lines = []
        size = 0
        too_big = False
        while True:
            raw = self.readline()
            if raw is None:
                return False
            if raw in (b".\r\n", b".\n"):
                break
            if raw.startswith(b"."):
                raw = raw[1:]
            size += len(raw)
            if size > MAX_MESSAGE:
                too_big = True
            elif not too_big:
                lines.append(raw)
        if too_big:
            self.reply("552 message too large")
        else:
            head = "X-Rcpt: %s\r\n" % ", ".join(self.rcpts)
            self.server.store.save(head.encode("utf-8") + b"".join(lines))
            self.reply("250 OK queued")
        self.reset()
        return True


class SMTPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SMSHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "boxoffice-sink"

    def answer(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        traces = self.path == "/v1/traces" and self.server.traces_file
        try:
            n = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            self.answer(411, {"error": "length_required"})
            return
        if n < 0 or n > (MAX_TRACES_BODY if traces else MAX_SMS_BODY):
            self.close_connection = True
            self.answer(413, {"error": "too_large"})
            return
        body = self.rfile.read(n)
        if traces:
            self.save_traces(body)
            return
        try:
            msg = json.loads(body)
            if not isinstance(msg, dict) or not isinstance(msg.get("phone"), str) \
                    or not isinstance(msg.get("text"), str):
                raise ValueError("need phone and text strings")
        except ValueError as e:
            self.answer(400, {"error": "bad_request", "msg": str(e)})
            return
        self.server.store.save(body)
        self.answer(200, {})

    def save_traces(self, body):
        """One ExportTraceServiceRequest a line; the answer is an empty partialSuccess."""
        try:
            req = json.loads(body)
            if not isinstance(req, dict) or not isinstance(req.get("resourceSpans"), list):
                raise ValueError("need an object with resourceSpans")
        except ValueError as e:
            self.answer(400, {"error": "bad_request", "msg": str(e)})
            return
        line = json.dumps(req, separators=(",", ":")).encode("utf-8") + b"\n"
        with self.server.traces_lock:
            with open(self.server.traces_file, "ab") as f:
                f.write(line)
        self.answer(200, {})

    def do_GET(self):
        self.answer(200 if self.path == "/health" else 404, {})

    def log_message(self, fmt, *args):
        sys.stderr.write("sms sink: %s\n" % (fmt % args))


class SMSServer(http.server.ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smtp-port", type=int, required=True)
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--mail-dir", required=True)
    ap.add_argument("--sms-dir", required=True)
    ap.add_argument("--pid-file")
    ap.add_argument("--traces-file", help="collect OTLP/HTTP JSON spans into this file")
    ap.add_argument("--bind", default="127.0.0.1")
    a = ap.parse_args()

    smtp = SMTPServer((a.bind, a.smtp_port), SMTPHandler)
    smtp.store = Store(a.mail_dir, ".eml")
    sms = SMSServer((a.bind, a.http_port), SMSHandler)
    sms.store = Store(a.sms_dir, ".json")
    sms.traces_file = a.traces_file
    sms.traces_lock = threading.Lock()

    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                                daemon=True) for s in (smtp, sms)]
    for t in threads:
        t.start()

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    # The pid file appears only once both ports listen: it is the readiness signal.
    if a.pid_file:
        tmp = a.pid_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(tmp, a.pid_file)
    print("sinks: smtp on %s:%d -> %s, sms on http://%s:%d -> %s" %
          (a.bind, a.smtp_port, a.mail_dir, a.bind, a.http_port, a.sms_dir), flush=True)

    while not stop.wait(1.0):
        pass
    smtp.shutdown()
    sms.shutdown()
    smtp.server_close()
    sms.server_close()
    if a.pid_file:
        try:
            os.unlink(a.pid_file)
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
