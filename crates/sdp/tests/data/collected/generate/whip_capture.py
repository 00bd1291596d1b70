#!/usr/bin/env python3
"""A real WHIP (RFC 9725) exchange on loopback: headless Chromium as the WHIP
client, Janus (Debian package) VideoRoom as the media server behind a minimal
WHIP endpoint written here (the same mapping meetecho's simple-whip-server
does: POST application/sdp -> Janus "joinandconfigure" as a publisher ->
201 Created + Location + the Janus answer).

    sh netns.sh python3 whip_capture.py OUTDIR

Writes the offer exactly as the page POSTed it and the answer exactly as Janus
returned it (the same bytes the 201 response carried).
"""
import http.server
import os
import shutil
import signal
import sys
import tempfile
import threading

import generate
import janus_capture

OUTDIR = sys.argv[1]
janus = None


class Handler(generate.Handler):
    def do_POST(self):
        if self.path != '/whip/endpoint':
            return super().do_POST()
        offer = self.rfile.read(int(self.headers.get('Content-Length', 0))).decode()
        if self.headers.get('Content-Type') != 'application/sdp':
            return self._send(415, 'need application/sdp')
        s = janus.create()
        h = janus.attach(s, 'janus.plugin.videoroom')
        janus.message(s, h, {'request': 'joinandconfigure', 'ptype': 'publisher', 'room': 1234, 'display': 'whip'},
                      {'type': 'offer', 'sdp': offer})
        answer = janus.wait_event(s, h)['jsep']['sdp']
        body = answer.encode()
        self.send_response(201)
        self.send_header('Content-Type', 'application/sdp')
        self.send_header('Location', f'/whip/resource/{s}')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    global janus
    tmp = tempfile.mkdtemp(prefix='whip-')
    proc = None
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        proc, janus = janus_capture.start_janus(tmp, 'janus', 8388, ice_lite=False)
        name = 'chrome-whip-client'
        profile = os.path.join(tmp, name)
        os.makedirs(profile)
        url = f'http://127.0.0.1:{srv.server_address[1]}/page.html?s={name}'
        b = generate.launch('chromium', url, profile, False, False)
        try:
            with generate.cond:
                ok = generate.cond.wait_for(lambda: name in generate.results and name + '-offer' in generate.results,
                                            timeout=60)
        finally:
            try:
                os.killpg(b.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            b.wait()
        if not ok or generate.results.get(name) is None:
            sys.exit('WHIP capture failed')
        major = generate.version('chromium').split()[-1].split('.')[0]
        with open(os.path.join(OUTDIR, f'chrome-{major}-whip-client-offer-sendonly.sdp'), 'wb') as f:
            f.write(generate.results[name + '-offer'])
        with open(os.path.join(OUTDIR, 'janus-1.1.2-whip-endpoint-answer-to-chrome.sdp'), 'wb') as f:
            f.write(generate.results[name])
        print('ok', len(generate.results[name + '-offer']), len(generate.results[name]))
    finally:
        srv.shutdown()
        if proc:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
