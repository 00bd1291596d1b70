#!/usr/bin/env python3
"""Write ../index.json from the .sdp files beside it (simple line parsing).

    python3 make_index.py

`source`, `license` and `kind` come from the table below (where the file came
from cannot be read off the file); every other field is computed from the
file's bytes. Lines are split on LF and a trailing CR is dropped, so CRLF and
bare-LF files are read alike; the line-ending facts are features.
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.dirname(HERE)

LOCAL_CHROME = 'generated locally (generate/generate.py), Chromium 156.0.8078.79 (Debian) headless'
LOCAL_FIREFOX = 'generated locally (generate/generate.py), Firefox ESR 153.7.0esr (Debian) headless'
LOCAL_JANUS = 'generated locally (generate/janus_capture.py), Janus 1.1.2 (Debian package janus)'
LOCAL_WHIP = 'generated locally (generate/whip_capture.py)'
OURS = 'CC0-1.0 (captured for this project)'

META = {
    'chrome-156-offer-av-data-mdns.sdp': (LOCAL_CHROME, OURS, 'offer'),
    'chrome-156-offer-av-data-simulcast.sdp': (LOCAL_CHROME, OURS, 'offer'),
    'chrome-156-answer-to-firefox-offer.sdp': (LOCAL_CHROME, OURS, 'answer'),
    'chrome-156-answer-to-firefox-simulcast-offer.sdp': (LOCAL_CHROME, OURS, 'answer'),
    'chrome-156-offer-video-legacy-sim-group.sdp': (LOCAL_CHROME, OURS, 'offer'),
    'chrome-156-whip-client-offer-sendonly.sdp': (LOCAL_WHIP + ', Chromium 156.0.8078.79 (Debian) headless as the WHIP client', OURS, 'offer'),
    'firefox-153-offer-av-data-mdns.sdp': (LOCAL_FIREFOX, OURS, 'offer'),
    'firefox-153-offer-av-data-ipv6.sdp': (LOCAL_FIREFOX, OURS, 'offer'),
    'firefox-153-offer-av-simulcast-mdns.sdp': (LOCAL_FIREFOX, OURS, 'offer'),
    'firefox-153-answer-to-chrome-simulcast-offer.sdp': (LOCAL_FIREFOX, OURS, 'answer'),
    'firefox-153-answer-to-chrome-mdns-offer.sdp': (LOCAL_FIREFOX, OURS, 'answer'),
    'janus-1.1.2-echotest-answer-to-chrome-simulcast.sdp': (LOCAL_JANUS, OURS, 'answer'),
    'janus-1.1.2-videoroom-publisher-answer-to-firefox.sdp': (LOCAL_JANUS, OURS, 'answer'),
    'janus-1.1.2-streaming-multistream-offer.sdp': (LOCAL_JANUS, OURS, 'offer'),
    'janus-1.1.2-echotest-answer-to-legacy-sctpmap-offer.sdp': (LOCAL_JANUS, OURS, 'answer'),
    'janus-1.1.2-ice-lite-echotest-answer-to-firefox.sdp': (LOCAL_JANUS, OURS, 'answer'),
    'janus-1.1.2-whip-endpoint-answer-to-chrome.sdp': (LOCAL_WHIP + ', Janus 1.1.2 (Debian package janus) VideoRoom', OURS, 'answer'),
    'zlmediakit-answer-ice-lite-media-level.sdp': (
        'github.com/ZLMediaKit/ZLMediaKit webrtc/answer.sdp @ 307be4339f2e258b08589a8386e29188d3ec5b5b', 'MIT', 'answer'),
    'zlmediakit-janus-offer-ice-lite-firefox87-origin.sdp': (
        'github.com/ZLMediaKit/ZLMediaKit webrtc/janus_offer.sdp @ 307be4339f2e258b08589a8386e29188d3ec5b5b', 'MIT', 'offer'),
    'zlmediakit-chrome-offer-simulcast-rid-q-h-f.sdp': (
        'github.com/ZLMediaKit/ZLMediaKit webrtc/offer-simulcast.sdp @ e504f02eceac711176e4fd2fc7f7c23284d749af', 'MIT', 'offer'),
    'libmediasoupclient-chrome-plan-b-era-offer-fid.sdp': (
        'github.com/versatica/libmediasoupclient test/data/audio_video.sdp @ c9e813dc643acc78902e7c2a2def3ea2ff4ce50f', 'ISC', 'offer'),
    'pion-webrtc-offer-with-rtx-ssrc-group.sdp': (
        'github.com/pion/webrtc sdp_test.go @ 018545361b1b802ccaedc7fa002fbd36abffc6b8, Test_SSRC_Groups, const offerWithRTX', 'MIT', 'offer'),
    'livekit-android-publisher-offer-simulcast-relay.sdp': (
        'github.com/livekit/client-sdk-android livekit-android-sdk/src/test/java/io/livekit/android/webrtc/JainSdpUtilsTest.kt '
        '@ 34989de8526d366b4e12ba72207cf5d9f7e79ba6, const DESCRIPTION', 'Apache-2.0', 'offer'),
    'amazon-chime-safari-offer-audio-video-redacted.sdp': (
        'github.com/aws/amazon-chime-sdk-js test/sdp/SafariSDPMock.ts @ 5a5b915acbe5822ec749b1d0c63067378b71bafe, '
        'SAFARI_AUDIO_VIDEO_SENDING', 'Apache-2.0', 'offer'),
    'aiortc-firefox-58-datachannel-offer-sctpmap.sdp': (
        'github.com/aiortc/aiortc tests/test_sdp.py @ 0417b6b9c75dd4fc9f049ddeda7f09f306318574, test_datachannel_firefox',
        'BSD-3-Clause', 'offer'),
}


def features(raw, lines):
    f = []
    text = '\n'.join(lines)
    if raw.endswith(b'\r\n') or b'\r\n' in raw:
        f.append('crlf' if raw.count(b'\r\n') == raw.count(b'\n') else 'mixed-line-endings')
    else:
        f.append('lf-only')
    if not raw.endswith(b'\n'):
        f.append('no-final-newline')
    if raw.endswith(b'\n\n') or raw.endswith(b'\r\n\r\n'):
        f.append('trailing-empty-line')
    if any(l != l.rstrip(' \t') for l in lines):
        f.append('trailing-whitespace')
    session = []
    for l in lines:
        if l.startswith('m='):
            break
        session.append(l)
    if any(l.startswith('a=group:BUNDLE') for l in lines):
        f.append('bundle')
    if any(l.startswith('a=group:LS') for l in lines):
        f.append('group-ls')
    if 'a=ice-lite' in session:
        f.append('ice-lite')
    if 'a=ice-lite' in lines[len(session):]:
        f.append('ice-lite-media-level')
    if any(l.startswith('a=rid:') for l in lines):
        f.append('rid')
    if any(l.startswith('a=simulcast:') for l in lines):
        f.append('simulcast')
    if any(l.startswith('a=ssrc-group:SIM') for l in lines):
        f.append('ssrc-group-sim')
    if any(l.startswith('a=ssrc-group:FID') for l in lines):
        f.append('ssrc-group-fid')
    if any(l.startswith('a=sctpmap:') for l in lines):
        f.append('sctpmap')
    if any(l.startswith('a=sctp-port:') for l in lines):
        f.append('sctp-port')
    if any(re.match(r'm=application \d+ (UDP/)?DTLS/SCTP', l) for l in lines):
        f.append('data-channel')
    cands = [l.split() for l in lines if l.startswith('a=candidate:')]
    if any(len(c) > 4 and c[4].endswith('.local') for c in cands):
        f.append('mdns-candidates')
    if any(len(c) > 4 and ':' in c[4] for c in cands):
        f.append('ipv6-candidates')
    if any(len(c) > 4 and re.fullmatch(r'[\d.]+', c[4]) for c in cands):
        f.append('ipv4-candidates')
    if any(len(c) > 2 and c[2].lower() == 'tcp' for c in cands):
        f.append('tcp-candidates')
    if any(len(c) > 1 and c[1] == '2' for c in cands):
        f.append('rtcp-component-candidates')
    for t in ('srflx', 'relay', 'prflx'):
        if any('typ' in c and c[c.index('typ') + 1:c.index('typ') + 2] == [t] for c in cands):
            f.append(t + '-candidates')
    if 'a=end-of-candidates' in lines:
        f.append('end-of-candidates')
    for attr, name in (('a=rtcp-mux', 'rtcp-mux'), ('a=rtcp-rsize', 'rtcp-rsize'),
                       ('a=extmap-allow-mixed', 'extmap-allow-mixed')):
        if attr in lines:
            f.append(name)
    if any(l.startswith('a=msid-semantic') for l in lines):
        f.append('msid-semantic')
    if any(l.startswith('a=msid:') for l in lines):
        f.append('msid')
    if any(re.match(r'a=ssrc:\d+ (mslabel|label):', l) for l in lines):
        f.append('ssrc-mslabel-label')
    if any(re.match(r'a=extmap:\d+/', l) for l in lines):
        f.append('extmap-direction')
    if any(l.startswith('a=ice-options:') and 'renomination' in l for l in lines):
        f.append('ice-options-renomination')
    if any(l.startswith('a=ice-options:') and 'ice2' in l for l in lines):
        f.append('ice-options-ice2')
    if any(l.startswith('a=rtcp:') for l in lines):
        f.append('rtcp-attribute')
    if any(l.startswith('c=IN IP6') for l in lines):
        f.append('ipv6-connection')
    if any(l.startswith('m=') and l.split()[1] == '0' for l in lines):
        f.append('port-zero-m-line')
    if any(re.match(r'm=\S+ \d+ RTP/SAVPF ', l) for l in lines):
        f.append('legacy-rtp-savpf-proto')
    mids = [l[6:] for l in lines if l.startswith('a=mid:')]
    if mids and not all(m.isdigit() for m in mids):
        f.append('non-numeric-mids')
    dirs = [l[2:] for l in lines if l in ('a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive')]
    for d in sorted(set(dirs)):
        f.append(d)
    if any(l in ('a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive') for l in session):
        f.append('session-level-direction')
    return f


def main():
    out = []
    for name in sorted(os.listdir(DIR)):
        if not name.endswith('.sdp'):
            continue
        raw = open(os.path.join(DIR, name), 'rb').read()
        lines = [l[:-1] if l.endswith('\r') else l for l in raw.decode().split('\n')]
        if lines and lines[-1] == '':
            lines.pop()
        source, lic, kind = META[name]
        hashes = []
        for l in lines:
            if l.startswith('a=fingerprint:'):
                h = l[len('a=fingerprint:'):].split()[0]
                if h not in hashes:
                    hashes.append(h)
        out.append({
            'file': name,
            'source': source,
            'license': lic,
            'kind': kind,
            'features': features(raw, lines),
            'mids': [l[6:] for l in lines if l.startswith('a=mid:')],
            'm_lines': [l[2:] for l in lines if l.startswith('m=')],
            'ice_lite': any(l == 'a=ice-lite' for l in lines),
            'candidates': sum(1 for l in lines if l.startswith('a=candidate:')),
            'fingerprint_hashes': hashes,
        })
    missing = set(META) - {e['file'] for e in out}
    assert not missing, missing
    with open(os.path.join(DIR, 'index.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print(len(out), 'files')


if __name__ == '__main__':
    main()
