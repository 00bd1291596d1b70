#!/usr/bin/env python3
"""Capture real SDP offers/answers from headless Chromium and Firefox ESR.

Run it inside the fresh network namespace that netns.sh makes, so that no
packet (ICE, mDNS announcements, browser background traffic) leaves it:

    sh netns.sh python3 generate.py OUTDIR

Needs the Debian packages `chromium` and `firefox-esr`. Each scenario starts a
fresh browser with a fresh profile on http://127.0.0.1:<port>/page.html?s=<name>;
the page (page.html, beside this file) builds an RTCPeerConnection, creates an
offer or answer, waits for ICE gathering to complete and POSTs
pc.localDescription.sdp back. The SDP is written to OUTDIR/<file> byte for byte.
"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = '/usr/lib/chromium/chromium'
FIREFOX = '/usr/lib/firefox-esr/firefox-esr'

# name -> scenario. Order matters: answers read an earlier scenario's offer.
# browser: chromium|firefox; mode: offer|answer; gum: call getUserMedia (fake
# devices) and send real tracks; simulcast: video with sendEncodings rid h/m/l;
# data: add a data channel; mdns: leave Chromium's mDNS host-IP hiding on;
# raw_ip: Firefox pref that turns off mDNS host-address obfuscation;
# remote: scenario whose SDP is the remote offer; legacy_sim: see page.html.
SCENARIOS = [
    ('chrome-offer-av-data-mdns', dict(browser='chromium', mode='offer', gum=False, simulcast=False, data=True, mdns=True)),
    ('chrome-offer-av-data-simulcast', dict(browser='chromium', mode='offer', gum=True, simulcast=True, data=True, mdns=False)),
    ('firefox-offer-av-data-mdns', dict(browser='firefox', mode='offer', gum=True, simulcast=False, data=True)),
    ('firefox-offer-av-data-ipv6', dict(browser='firefox', mode='offer', gum=True, simulcast=False, data=True, raw_ip=True)),
    ('firefox-offer-av-simulcast-mdns', dict(browser='firefox', mode='offer', gum=False, simulcast=True, data=False)),
    ('chrome-answer-to-firefox-offer', dict(browser='chromium', mode='answer', gum=True, remote='firefox-offer-av-data-mdns', mdns=False)),
    ('chrome-answer-to-firefox-simulcast-offer', dict(browser='chromium', mode='answer', gum=True, remote='firefox-offer-av-simulcast-mdns', mdns=False)),
    ('firefox-answer-to-chrome-simulcast-offer', dict(browser='firefox', mode='answer', gum=True, remote='chrome-offer-av-data-simulcast')),
    ('firefox-answer-to-chrome-mdns-offer', dict(browser='firefox', mode='answer', gum=False, remote='chrome-offer-av-data-mdns')),
    ('chrome-offer-video-legacy-sim-group', dict(browser='chromium', mode='offer', gum=True, simulcast=False, data=False, legacy_sim=True, mdns=False)),
    # Run by whip_capture.py (needs Janus behind a WHIP endpoint), skipped here.
    ('chrome-whip-client', dict(browser='chromium', mode='whip', gum=True, mdns=False)),
]

results = {}
cond = threading.Condition()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _send(self, code, body, ctype='text/plain'):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path.split('?')[0]
        if p == '/page.html':
            with open(os.path.join(HERE, 'page.html'), 'rb') as f:
                self._send(200, f.read(), 'text/html')
        elif p.startswith('/scenario/'):
            sc = dict(dict(SCENARIOS)[p[10:]], debug=bool(os.environ.get('DEBUG')))
            self._send(200, json.dumps(sc), 'application/json')
        elif p.startswith('/remote/'):
            with cond:
                self._send(200, results[p[8:]])
        else:
            self._send(404, 'not found')

    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        body = self.rfile.read(n)
        kind, _, name = self.path.strip('/').partition('/')
        if kind == 'log':
            print(f'  [{name}] {body.decode(errors="replace")}', flush=True)
        elif kind in ('sdp', 'fail'):
            with cond:
                results[name] = body if kind == 'sdp' else None
                cond.notify_all()
        self._send(200, 'ok')


def launch(browser, url, profile, mdns, raw_ip):
    if browser == 'chromium':
        args = [CHROMIUM, '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
                '--disable-sync', '--disable-background-networking', '--disable-component-update',
                '--no-proxy-server', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
                f'--user-data-dir={profile}', '--use-fake-device-for-media-stream',
                '--allow-loopback-in-peer-connection']
        if not mdns:
            # The first auto-grants camera/microphone, which by itself already makes
            # Chromium expose raw host IPs; the second turns mDNS hiding off outright.
            args += ['--use-fake-ui-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns']
        args.append(url)
    else:
        prefs = {
            'media.navigator.streams.fake': True,
            'media.navigator.permission.disabled': True,
            'media.peerconnection.ice.loopback': True,
            'browser.shell.checkDefaultBrowser': False,
            'app.update.enabled': False,
            'datareporting.policy.dataSubmissionEnabled': False,
            'toolkit.telemetry.enabled': False,
            'network.captive-portal-service.enabled': False,
            'network.connectivity-service.enabled': False,
            'browser.safebrowsing.update.enabled': False,
            'extensions.update.enabled': False,
            'network.proxy.type': 0,
        }
        if raw_ip:
            prefs['media.peerconnection.ice.obfuscate_host_addresses'] = False
        with open(os.path.join(profile, 'user.js'), 'w') as f:
            for k, v in prefs.items():
                f.write(f'user_pref("{k}", {json.dumps(v)});\n')
        args = [FIREFOX, '--headless', '--profile', profile, '--no-remote', url]
    log = open(os.path.join(profile, '..', os.path.basename(profile) + '.log'), 'w')
    return subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)


def version(browser):
    exe = CHROMIUM if browser == 'chromium' else FIREFOX
    return subprocess.run([exe, '--version'], capture_output=True, text=True).stdout.strip()


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else '.'
    only = set(sys.argv[2:])
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix='sdpcap-')
    manifest = {}
    try:
        for name, sc in SCENARIOS:
            if sc['mode'] == 'whip':
                continue
            if only and name not in only and not any(name == dict(SCENARIOS)[o].get('remote') for o in only if o in dict(SCENARIOS)):
                continue
            profile = os.path.join(tmp, name)
            os.makedirs(profile)
            url = f'http://127.0.0.1:{port}/page.html?s={name}'
            print(f'{name}: {sc["browser"]} ...', flush=True)
            proc = launch(sc['browser'], url, profile, sc.get('mdns', False), sc.get('raw_ip', False))
            try:
                with cond:
                    ok = cond.wait_for(lambda: name in results, timeout=45)
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            if not ok or results.get(name) is None:
                print(f'  FAILED ({"timeout" if not ok else "page error"})', flush=True)
                results.pop(name, None)
                continue
            ver = version(sc['browser'])
            # chrome-offer-x -> chrome-156-offer-x, firefox-offer-x -> firefox-153-offer-x
            major = ver.split()[-1].split('.')[0]
            head, _, rest = name.partition('-')
            fname = f'{head}-{major}-{rest}.sdp'
            with open(os.path.join(outdir, fname), 'wb') as f:
                f.write(results[name])
            manifest[fname] = dict(sc, version=ver, captured=time.strftime('%Y-%m-%d'))
            print(f'  ok: {len(results[name])} bytes, {ver}', flush=True)
    finally:
        srv.shutdown()
        if os.environ.get('KEEP'):
            print('kept', tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(outdir, 'generate-manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)


if __name__ == '__main__':
    main()
