#!/usr/bin/env python3
"""Capture real SDPs produced by the Janus WebRTC server (Debian package `janus`).

Run inside the network namespace that netns.sh makes (nothing leaves it):

    sh netns.sh python3 janus_capture.py OUTDIR

Janus is started twice with a minimal configuration written to a temporary
folder (HTTP transport on 127.0.0.1 only, EchoTest + VideoRoom + Streaming
plugins, IPv6 candidates on, half-trickle so candidates are in the SDP):
once as a full ICE agent and once with `ice_lite = true`. The offers fed to it
are real browser offers captured by generate.py (read from OUTDIR), plus one
legacy-format offer (DTLS/SCTP + a=sctpmap) from the shared vectors. Each SDP
Janus returns is written to OUTDIR byte for byte (the JSON string value,
decoded by the JSON parser: Janus sends CRLF line endings).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

PLUGINS = '/usr/lib/x86_64-linux-gnu/janus/plugins'
TRANSPORTS = '/usr/lib/x86_64-linux-gnu/janus/transports'
LEGACY_OFFER = '/work/shared/vectors/sdp/firefox-libwebrtc-corpus-1.sdp'


def write_configs(folder, port, ice_lite):
    keep_plugins = {'libjanus_echotest.so', 'libjanus_videoroom.so', 'libjanus_streaming.so'}
    disable_plugins = sorted(f for f in os.listdir(PLUGINS) if f.endswith('.so') and f not in keep_plugins)
    disable_transports = sorted(f for f in os.listdir(TRANSPORTS) if f.endswith('.so') and f != 'libjanus_http.so')
    with open(os.path.join(folder, 'janus.jcfg'), 'w') as f:
        f.write(f'''general: {{
\tconfigs_folder = "{folder}"
\tplugins_folder = "{PLUGINS}"
\ttransports_folder = "{TRANSPORTS}"
\tdebug_level = 4
\tserver_name = "sdp-capture"
}}
media: {{
\tipv6 = true
}}
nat: {{
\tnice_debug = false
\tice_lite = {"true" if ice_lite else "false"}
\tignore_mdns = true
}}
plugins: {{
\tdisable = "{','.join(disable_plugins)}"
}}
transports: {{
\tdisable = "{','.join(disable_transports)}"
}}
events: {{
\tbroadcast = false
}}
''')
    with open(os.path.join(folder, 'janus.transport.http.jcfg'), 'w') as f:
        f.write(f'''general: {{
\tjson = "indented"
\tbase_path = "/janus"
\thttp = true
\tport = {port}
\tip = "127.0.0.1"
\thttps = false
}}
admin: {{
\tadmin_http = false
}}
''')
    with open(os.path.join(folder, 'janus.plugin.echotest.jcfg'), 'w') as f:
        f.write('general: {\n}\n')
    with open(os.path.join(folder, 'janus.plugin.videoroom.jcfg'), 'w') as f:
        f.write('''general: {
}
room-1234: {
\tdescription = "Demo Room"
\tpublishers = 6
\tbitrate = 128000
\tfir_freq = 10
\taudiocodec = "opus"
\tvideocodec = "vp8,h264"
\trecord = false
}
''')
    with open(os.path.join(folder, 'janus.plugin.streaming.jcfg'), 'w') as f:
        f.write('''general: {
}
multistream-test: {
\ttype = "rtp"
\tid = 123
\tdescription = "Multistream test (1 audio, 2 video)"
\tmedia = (
\t\t{ type = "audio" mid = "a" label = "Audio stream" port = 5102 pt = 111 codec = "opus" },
\t\t{ type = "video" mid = "v1" label = "Video stream #1" port = 5104 pt = 100 codec = "vp8" },
\t\t{ type = "video" mid = "v2" label = "Video stream #2" port = 5106 pt = 100 codec = "vp8" }
\t)
}
''')


class Janus:
    def __init__(self, port):
        self.base = f'http://127.0.0.1:{port}/janus'

    def _req(self, url, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=40) as r:
            return json.loads(r.read().decode())

    def tx(self):
        return ''.join(random.choice('abcdefghijklmnop') for _ in range(12))

    def create(self):
        return self._req(self.base, {'janus': 'create', 'transaction': self.tx()})['data']['id']

    def attach(self, session, plugin):
        return self._req(f'{self.base}/{session}', {'janus': 'attach', 'plugin': plugin, 'transaction': self.tx()})['data']['id']

    def message(self, session, handle, body, jsep=None):
        msg = {'janus': 'message', 'transaction': self.tx(), 'body': body}
        if jsep:
            msg['jsep'] = jsep
        return self._req(f'{self.base}/{session}/{handle}', msg)

    def wait_event(self, session, handle, want_jsep=True, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            evs = self._req(f'{self.base}/{session}?maxev=10')
            if isinstance(evs, dict):
                evs = [evs]
            for ev in evs:
                if ev.get('sender') != handle:
                    continue
                if ev.get('janus') == 'event':
                    pd = ev.get('plugindata', {}).get('data', {})
                    if 'error' in pd:
                        raise RuntimeError(f'plugin error: {pd}')
                    if not want_jsep or 'jsep' in ev:
                        return ev
        raise TimeoutError('no event')


def start_janus(tmp, name, port, ice_lite):
    folder = os.path.join(tmp, name)
    os.makedirs(folder)
    write_configs(folder, port, ice_lite)
    log = open(os.path.join(tmp, name + '.log'), 'w')
    proc = subprocess.Popen(['janus', '-C', os.path.join(folder, 'janus.jcfg'), '-F', folder, '-o'],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    j = Janus(port)
    for _ in range(100):
        try:
            j._req(f'http://127.0.0.1:{port}/janus/info')
            return proc, j
        except Exception:
            time.sleep(0.2)
    raise RuntimeError('janus did not start')


def save(outdir, fname, sdp, manifest, **meta):
    with open(os.path.join(outdir, fname), 'wb') as f:
        f.write(sdp.encode())
    manifest[fname] = meta
    print(f'  ok: {fname} ({len(sdp)} bytes)', flush=True)


def main():
    outdir = sys.argv[1]
    ver = subprocess.run(['janus', '--version'], capture_output=True, text=True).stdout.split('\n')[0]
    tmp = tempfile.mkdtemp(prefix='janus-')
    manifest = {}
    procs = []

    def offer(path):
        with open(path) as f:
            return {'type': 'offer', 'sdp': f.read()}
    chrome_sim = os.path.join(outdir, 'chrome-156-offer-av-data-simulcast.sdp')
    firefox_v6 = os.path.join(outdir, 'firefox-153-offer-av-data-ipv6.sdp')
    firefox_md = os.path.join(outdir, 'firefox-153-offer-av-data-mdns.sdp')
    try:
        # --- full ICE instance ---
        proc, j = start_janus(tmp, 'full', 8188, ice_lite=False)
        procs.append(proc)
        s = j.create()

        print('echotest answer to Chrome simulcast offer', flush=True)
        h = j.attach(s, 'janus.plugin.echotest')
        j.message(s, h, {'audio': True, 'video': True}, offer(chrome_sim))
        ev = j.wait_event(s, h)
        save(outdir, 'janus-1.1.2-echotest-answer-to-chrome-simulcast.sdp', ev['jsep']['sdp'], manifest,
             plugin='echotest', remote_offer=os.path.basename(chrome_sim), janus=ver, ice_lite=False)

        print('videoroom publisher answer to Firefox offer', flush=True)
        hp = j.attach(s, 'janus.plugin.videoroom')
        j.message(s, hp, {'request': 'joinandconfigure', 'ptype': 'publisher', 'room': 1234, 'display': 'firefox'},
                  offer(firefox_v6))
        ev = j.wait_event(s, hp)
        feed = ev['plugindata']['data'].get('id')
        save(outdir, 'janus-1.1.2-videoroom-publisher-answer-to-firefox.sdp', ev['jsep']['sdp'], manifest,
             plugin='videoroom', remote_offer=os.path.basename(firefox_v6), janus=ver, ice_lite=False)

        print('videoroom subscriber offer', flush=True)
        try:
            hs = j.attach(s, 'janus.plugin.videoroom')
            j.message(s, hs, {'request': 'join', 'ptype': 'subscriber', 'room': 1234, 'streams': [{'feed': feed}]})
            ev = j.wait_event(s, hs)
            save(outdir, 'janus-1.1.2-videoroom-subscriber-offer.sdp', ev['jsep']['sdp'], manifest,
                 plugin='videoroom', janus=ver, ice_lite=False)
        except Exception as e:
            print('  subscriber failed:', e, flush=True)

        print('streaming multistream offer', flush=True)
        hm = j.attach(s, 'janus.plugin.streaming')
        j.message(s, hm, {'request': 'watch', 'id': 123})
        ev = j.wait_event(s, hm)
        save(outdir, 'janus-1.1.2-streaming-multistream-offer.sdp', ev['jsep']['sdp'], manifest,
             plugin='streaming', janus=ver, ice_lite=False)

        print('echotest answer to legacy DTLS/SCTP + sctpmap offer', flush=True)
        try:
            hl = j.attach(s, 'janus.plugin.echotest')
            j.message(s, hl, {'audio': True, 'video': True, 'data': True}, offer(LEGACY_OFFER))
            ev = j.wait_event(s, hl)
            save(outdir, 'janus-1.1.2-echotest-answer-to-legacy-sctpmap-offer.sdp', ev['jsep']['sdp'], manifest,
                 plugin='echotest', remote_offer=LEGACY_OFFER, janus=ver, ice_lite=False)
        except Exception as e:
            print('  legacy failed:', e, flush=True)

        # --- ICE-lite instance ---
        proc, j = start_janus(tmp, 'lite', 8288, ice_lite=True)
        procs.append(proc)
        s = j.create()
        print('ice-lite echotest answer to Firefox offer', flush=True)
        h = j.attach(s, 'janus.plugin.echotest')
        j.message(s, h, {'audio': True, 'video': True, 'data': True}, offer(firefox_md))
        ev = j.wait_event(s, h)
        save(outdir, 'janus-1.1.2-ice-lite-echotest-answer-to-firefox.sdp', ev['jsep']['sdp'], manifest,
             plugin='echotest', remote_offer=os.path.basename(firefox_md), janus=ver, ice_lite=True)
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        if os.environ.get('KEEP'):
            print('kept', tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(outdir, 'janus-manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)


if __name__ == '__main__':
    main()
