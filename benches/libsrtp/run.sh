#!/usr/bin/env bash
# Build libsrtp2 (Debian source package, configured with OpenSSL) and run our
# own C benchmark (bench.c) against it. See README.md next to this file.
#
# Idempotent: the source and the build are cached in $SANSRTC_CACHE/libsrtp2
# (default ~/.cache/sansrtc/libsrtp2); a re-run only recompiles bench.c and
# runs it. The only network access is apt (install, update, source).
#
# Environment knobs:
#   SANSRTC_CACHE           cache root (default: $HOME/.cache/sansrtc)
#   LIBSRTP_BENCH_PACKETS   packets per timed run (default 200000, min 200000 for reports)
#   LIBSRTP_BENCH_RUNS      timed runs per measurement, median reported (default 5)
#   LIBSRTP_BENCH_RING      pre-protected packets per receiver session (default 1024)
#   LIBSRTP_BUILD_JOBS      make -j value for the libsrtp build (default 1)
#   BENCH_CFLAGS            flags for bench.c (default: libsrtp's own CFLAGS from its Makefile)
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SANSRTC_CACHE:-$HOME/.cache/sansrtc}
ROOT=$CACHE/libsrtp2
SRC_PARENT=$ROOT/source
BENCH_DIR=$ROOT/bench
BACKUP_DIR=$ROOT/apt-backup
WANT_VERSION=2.5.0
PACKETS=${LIBSRTP_BENCH_PACKETS:-200000}
RUNS=${LIBSRTP_BENCH_RUNS:-5}
RING=${LIBSRTP_BENCH_RING:-1024}
JOBS=${LIBSRTP_BUILD_JOBS:-1}
CONFIGURE_ARGS=(--enable-openssl)

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

start=$SECONDS

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    fi
fi
APT_OPTS=(-o DPkg::Lock::Timeout=600)

apt_updated=0
apt_update() {
    if [ "$apt_updated" -eq 0 ]; then
        log "apt-get update"
        "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update
        apt_updated=1
    fi
}

# --- 1. build tools ---------------------------------------------------------
ensure_build_tools() {
    local p missing=()
    for p in build-essential libssl-dev dpkg-dev pkg-config; do
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
            missing+=("$p")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing missing build tools: ${missing[*]}"
        apt_update
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y \
            build-essential libssl-dev dpkg-dev pkg-config
    else
        log "build tools present (build-essential libssl-dev dpkg-dev pkg-config)"
    fi
}

# --- 2. deb-src --------------------------------------------------------------
# Is any deb-src entry configured? (apt-get indextargets only lists downloaded
# indexes, so look at the files themselves.)
deb_src_configured() {
    local lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
    local deb822=(/etc/apt/sources.list.d/*.sources)
    grep -qsE '^[[:space:]]*deb-src[[:space:]]' "${lists[@]}" ||
        grep -qsiE '^Types:.*[[:space:]]deb-src([[:space:]]|$)' "${deb822[@]}"
}

backup_once() {
    local f=$1 b
    b=$BACKUP_DIR/$(printf '%s' "$f" | tr '/' '_').orig
    mkdir -p "$BACKUP_DIR"
    [ -e "$b" ] || cp -p -- "$f" "$b"
}

# deb822 (*.sources): add deb-src to every "Types:" line that has deb but not deb-src.
enable_deb_src_deb822() {
    local f=$1 tmp
    grep -qiE '^Types:.*[[:space:]]deb([[:space:]]|$)' "$f" || return 0
    tmp=$(mktemp)
    sed -E '/^[Tt][Yy][Pp][Ee][Ss]:/{
        /[[:space:]]deb-src([[:space:]]|$)/!{
            /[[:space:]]deb([[:space:]]|$)/s/[[:space:]]*$/ deb-src/
        }
    }' "$f" >"$tmp"
    if ! cmp -s "$f" "$tmp"; then
        backup_once "$f"
        log "adding deb-src to Types: in $f"
        # shellcheck disable=SC2016 # $1/$2 are for the inner sh; cat keeps owner and mode
        "${SUDO[@]}" sh -c 'cat "$1" > "$2"' sh "$tmp" "$f"
    fi
    rm -f "$tmp"
}

# One-line format (sources.list, *.list): after each active "deb ..." line add the
# matching "deb-src ..." line unless an identical active deb-src line already exists.
enable_deb_src_oneline() {
    local f=$1 tmp
    grep -qE '^[[:space:]]*deb[[:space:]]' "$f" || return 0
    tmp=$(mktemp)
    awk '
        function norm(s,   t) { t = s; gsub(/[[:space:]]+/, " ", t); sub(/^ /, "", t); sub(/ $/, "", t); return t }
        NR == FNR { if ($1 == "deb-src") have[norm($0)] = 1; next }
        {
            print
            if ($1 == "deb") {
                s = $0; sub(/deb/, "deb-src", s)
                if (!(norm(s) in have)) { print s; have[norm(s)] = 1 }
            }
        }' "$f" "$f" >"$tmp"
    if ! cmp -s "$f" "$tmp"; then
        backup_once "$f"
        log "adding deb-src lines to $f"
        # shellcheck disable=SC2016 # $1/$2 are for the inner sh; cat keeps owner and mode
        "${SUDO[@]}" sh -c 'cat "$1" > "$2"' sh "$tmp" "$f"
    fi
    rm -f "$tmp"
}

# (No "cmd | grep -q": with pipefail, grep -q exiting early makes cmd die of SIGPIPE.)
have_libsrtp2_source() {
    local out
    out=$(apt-cache showsrc libsrtp2 2>/dev/null || true)
    grep -q '^Package: libsrtp2$' <<<"$out"
}

ensure_deb_src() {
    local f
    if deb_src_configured; then
        log "deb-src already configured"
    else
        log "enabling Debian source packages (backups of changed files in $BACKUP_DIR)"
        shopt -s nullglob
        for f in /etc/apt/sources.list.d/*.sources; do
            enable_deb_src_deb822 "$f"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            if [ -f "$f" ]; then enable_deb_src_oneline "$f"; fi
        done
        shopt -u nullglob
        deb_src_configured || die "could not enable deb-src entries; add them by hand (see README.md)"
        apt_update
    fi
    if ! have_libsrtp2_source; then
        apt_update
        have_libsrtp2_source ||
            die "source package libsrtp2 not found after apt-get update"
    fi
}

# --- 3. apt-get source -------------------------------------------------------
SRC=""
find_src() {
    # Prints the extracted source dir if a complete download is cached.
    [ -f "$SRC_PARENT/.complete" ] || return 1
    local d
    d=$(cat "$SRC_PARENT/.complete")
    [ -f "$SRC_PARENT/$d/configure" ] || return 1
    printf '%s\n' "$SRC_PARENT/$d"
}

fetch_source() {
    local extra=() d
    if [ "$(id -u)" -eq 0 ]; then extra=(-o APT::Sandbox::User=root); fi
    log "apt-get source libsrtp2 into $SRC_PARENT"
    rm -rf "$SRC_PARENT"
    mkdir -p "$SRC_PARENT"
    (cd "$SRC_PARENT" && apt-get "${extra[@]}" source libsrtp2)
    d=$(cd "$SRC_PARENT" && for x in libsrtp2-*/; do [ -f "$x/configure" ] && printf '%s\n' "${x%/}"; done | head -n1)
    [ -n "$d" ] || die "apt-get source did not produce a libsrtp2-*/ directory with a configure script"
    printf '%s\n' "$d" >"$SRC_PARENT/.complete"
}

check_version() {
    local dsc deb_version upstream conf_version
    local dscs=("$SRC_PARENT"/libsrtp2_*.dsc)
    dsc=${dscs[0]}
    [ -f "$dsc" ] || dsc=""
    deb_version=unknown
    if [ -n "$dsc" ]; then deb_version=$(sed -n 's/^Version:[[:space:]]*//p' "$dsc" | head -n1); fi
    upstream=${deb_version#*:}
    upstream=${upstream%-*}
    conf_version=$(sed -n "s/^PACKAGE_VERSION='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$SRC/configure" | head -n1)
    log "libsrtp2 Debian source version: $deb_version (configure PACKAGE_VERSION: ${conf_version:-unknown})"
    if [ "$upstream" != "$WANT_VERSION" ] && [ "$conf_version" != "$WANT_VERSION" ]; then
        warn "expected libsrtp2 $WANT_VERSION, got $deb_version / $conf_version: numbers are not comparable with the 2.5.0 reference"
    fi
    LIB_VERSION=${conf_version:-$upstream}
    if [ -f "$SRC/debian/patches/series" ]; then
        log "Debian patches applied: $(grep -v '^#' "$SRC/debian/patches/series" | tr '\n' ' ')"
    fi
}

# --- 4. configure + make -----------------------------------------------------
verify_openssl() {
    grep -qE '^#define OPENSSL 1' "$SRC/crypto/include/config.h" ||
        die "libsrtp2 was not configured with OpenSSL (no '#define OPENSSL 1' in crypto/include/config.h)"
    local members syms
    members=$(ar t "$SRC/libsrtp2.a")
    syms=$(nm "$SRC/libsrtp2.a" 2>/dev/null || true)
    grep -q '^aes_icm_ossl\.o$' <<<"$members" ||
        die "libsrtp2.a does not contain aes_icm_ossl.o (OpenSSL AES-ICM backend)"
    grep -qE ' U EVP_(Encrypt|Cipher)Init_ex' <<<"$syms" ||
        die "libsrtp2.a does not reference OpenSSL EVP ciphers"
    log "verified: libsrtp2.a uses OpenSSL (OPENSSL 1 in config.h, aes_icm_ossl.o, EVP symbols)"
}

build_libsrtp() {
    local stamp=$SRC/.sansrtc-built want
    want="configure ${CONFIGURE_ARGS[*]}"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$SRC/libsrtp2.a" ]; then
        log "libsrtp2.a already built in $SRC"
        return 0
    fi
    log "building libsrtp2 in $SRC (./configure ${CONFIGURE_ARGS[*]}; make -j$JOBS)"
    rm -f "$stamp"
    (
        cd "$SRC"
        if [ -f Makefile ]; then make distclean >/dev/null 2>&1 || true; fi
        ./configure "${CONFIGURE_ARGS[@]}" >configure.sansrtc.log 2>&1 ||
            {
                tail -n 40 configure.sansrtc.log >&2
                exit 1
            }
        if grep -qE '^libsrtp2\.a:' Makefile; then
            nice -n 10 make -j"$JOBS" libsrtp2.a
        else
            nice -n 10 make -j"$JOBS"
        fi
    ) || die "libsrtp2 build failed"
    printf '%s\n' "$want" >"$stamp"
}

# --- main --------------------------------------------------------------------
ensure_build_tools

if SRC=$(find_src) && [ -f "$SRC/.sansrtc-built" ] && [ -f "$SRC/libsrtp2.a" ]; then
    log "using cached libsrtp2 build in $SRC (no apt access needed)"
else
    if ! SRC=$(find_src); then
        ensure_deb_src
        fetch_source
        SRC=$(find_src) || die "source download incomplete"
    fi
fi
check_version
build_libsrtp
verify_openssl

# --- 5. bench ---------------------------------------------------------------
# Same compiler and flags as the libsrtp build (taken from its generated Makefile;
# libsrtp 2.5.0 uses -O3 -fexpensive-optimizations -funroll-loops, not -O2).
CC_USED=$(sed -n 's/^CC[[:space:]]*=[[:space:]]*//p' "$SRC/Makefile" | head -n1)
CFLAGS_USED=${BENCH_CFLAGS:-$(sed -n 's/^CFLAGS[[:space:]]*=[[:space:]]*//p' "$SRC/Makefile" | head -n1)}
LIBS_USED=$(sed -n 's/^LIBS[[:space:]]*=[[:space:]]*//p' "$SRC/Makefile" | head -n1)
CC_USED=${CC_USED:-cc}
case " $LIBS_USED " in *" -lcrypto "*) ;; *) LIBS_USED="$LIBS_USED -lcrypto" ;; esac

mkdir -p "$BENCH_DIR"
BIN=$BENCH_DIR/bench-libsrtp
log "compiling bench.c: $CC_USED $CFLAGS_USED ... $LIBS_USED"
# shellcheck disable=SC2086 # flags are word lists
$CC_USED $CFLAGS_USED -Wall -Wextra -I"$SRC/include" -o "$BIN" "$HERE/bench.c" "$SRC/libsrtp2.a" $LIBS_USED

log "host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "running $BIN (packets/run=$PACKETS runs=$RUNS ring=$RING)"
"$BIN" -n "$PACKETS" -r "$RUNS" -R "$RING" -l "libsrtp2 $LIB_VERSION+openssl" -o "$BENCH_DIR/results.csv"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
log "CSV: $BENCH_DIR/results.csv"
log "done in $((SECONDS - start)) s"
