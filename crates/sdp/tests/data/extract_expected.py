#!/usr/bin/env python3
"""Independent line-level extraction of what each SDP in vectors/ and collected/ says, written
to expected.json. The Rust tests compare the typed parse against it, so a parser bug and an
extraction bug would have to agree to go unnoticed.

Run from this directory: python3 extract_expected.py
"""
import json, os, re

def extract(text):
    lines = [l for l in text.replace('\r\n', '\n').split('\n') if l]
    media = []
    session = {"attrs": []}
    current = session
    for l in lines:
        if l.startswith('m='):
            parts = l[2:].split(' ')
            current = {"m": l[2:], "kind": parts[0], "port": int(parts[1].split('/')[0]),
                       "proto": parts[2], "formats": parts[3:], "attrs": []}
            media.append(current)
        elif l.startswith('a='):
            current["attrs"].append(l[2:])
    out = {"media": []}
    out["session_fingerprints"] = [a.split(':', 1)[1].split(' ')[0] for a in session["attrs"] if a.startswith('fingerprint:')]
    out["bundle"] = [a.split(' ')[1:] for a in session["attrs"] if a.startswith('group:BUNDLE')]
    out["ice_lite"] = any(a == 'ice-lite' for a in session["attrs"])
    for m in media:
        attrs = m["attrs"]
        def values(name):
            return [a[len(name) + 1:] for a in attrs if a.startswith(name + ':')]
        mid = values('mid')
        codecs = {}
        for v in values('rtpmap'):
            pt, enc = v.split(' ', 1)
            p = enc.split('/')
            codecs[pt] = {"name": p[0], "clock": int(p[1]), "channels": int(p[2]) if len(p) > 2 else None}
        cands = []
        for v in values('candidate'):
            f = v.split()
            cands.append({"foundation": f[0], "component": int(f[1]), "transport": f[2],
                          "priority": int(f[3]), "address": f[4], "port": int(f[5]), "type": f[7]})
        out["media"].append({
            "kind": m["kind"], "port": m["port"], "proto": m["proto"], "formats": m["formats"],
            "mid": mid[0] if mid else None,
            "rtpmap": codecs,
            "fmtp": {v.split(' ', 1)[0]: (v.split(' ', 1)[1] if ' ' in v else '') for v in values('fmtp')},
            "candidates": cands,
            "fingerprint_hashes": [v.split(' ')[0] for v in values('fingerprint')],
            "simulcast": values('simulcast'),
            "rids": [v.split(' ')[0] for v in values('rid')],
            "ssrc_groups": values('ssrc-group'),
            "ice_lite": 'ice-lite' in attrs,
        })
    return out

result = {}
for d in ('vectors', 'collected'):
    for name in sorted(os.listdir(d)):
        if name.endswith('.sdp'):
            path = f"{d}/{name}"
            with open(path, encoding='utf-8') as f:
                result[path] = extract(f.read())
with open('expected.json', 'w') as f:
    json.dump(result, f, indent=1, sort_keys=True)
print(len(result), "files")
