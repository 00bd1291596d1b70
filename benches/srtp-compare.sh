#!/usr/bin/env bash
# SRTP in one session: libsrtp2 2.5.0 + OpenSSL (our C driver, benches/libsrtp), then
# sansrtc-srtp and webrtc-srtp (criterion, benches/benches/srtp.rs), then one table of all
# three in ns per packet (protect / unprotect) with Gbit/s of RTP header + payload.
#
#   bash benches/srtp-compare.sh            # ~4 min on the 2-core CI machine
#
# Needs root (or sudo) and Debian's apt for the libsrtp2 build; see benches/libsrtp/README.md.
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
CACHE=${SANSRTC_CACHE:-$HOME/.cache/sansrtc}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

bash benches/libsrtp/run.sh
cargo bench -p sansrtc-benches --bench srtp -- --warm-up-time 1 --measurement-time 3 '^srtp/(AES|AEAD)'

python3 - "$CACHE/libsrtp2/bench/results.csv" "$TARGET_DIR/criterion" <<'PY'
import csv, json, os, sys
libsrtp_csv, criterion = sys.argv[1], sys.argv[2]
libsrtp = {}
for row in csv.DictReader(open(libsrtp_csv)):
    libsrtp[(row["profile"], int(row["size"]), row["op"])] = float(row["ns"])

def crit(profile, size, impl, op):
    # criterion stores "srtp/P/160B" + "impl/op" with '/' and ' ' made safe.
    group = f"srtp_{profile}_{size}B"
    path = os.path.join(criterion, group, impl.replace(" ", "_"), op, "new", "estimates.json")
    if not os.path.exists(path):
        path = os.path.join(criterion, group, impl, op, "new", "estimates.json")
    try:
        return json.load(open(path))["median"]["point_estimate"]
    except (OSError, KeyError):
        return None

def cell(p, u):
    return "—" if p is None or u is None else f"{p:.0f} / {u:.0f}"

print("\n| profile | size | sansrtc | webrtc-srtp 0.17 | libsrtp2 2.5.0 + OpenSSL | sansrtc Gbit/s (protect) |")
print("|---|---|---|---|---|---|")
for profile in ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM",
                "AEAD_AES_256_GCM", "AES_256_CM_HMAC_SHA1_80"]:
    for size in [160, 1200]:
        ours = (crit(profile, size, "sansrtc", "protect"), crit(profile, size, "sansrtc", "unprotect"))
        theirs = (crit(profile, size, "webrtc-srtp 0.17", "protect"), crit(profile, size, "webrtc-srtp 0.17", "unprotect"))
        lib = (libsrtp.get((profile, size, "protect")), libsrtp.get((profile, size, "unprotect")))
        gbps = "—" if ours[0] is None else f"{(12 + size) * 8 / ours[0]:.1f}"
        print(f"| {profile} | {size} B | {cell(*ours)} | {cell(*theirs)} | {cell(*lib)} | {gbps} |")
PY
