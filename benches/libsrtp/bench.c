/*
 * sansrtc: SRTP protect/unprotect throughput of libsrtp2, for comparison with
 * our Rust implementation. Written for sansrtc; uses only libsrtp2's public
 * API (srtp.h). Built and run by run.sh in this directory, which links it
 * against a locally built static libsrtp2.a (configured --enable-openssl) and
 * -lcrypto.
 *
 * What is timed (single thread, CLOCK_MONOTONIC, median of R runs):
 *   protect:   per packet: memcpy a plain RTP packet (12 B header + payload)
 *              from a template into a buffer, write the sequence number,
 *              srtp_protect() in place. One sender session, sequence numbers
 *              always increasing (they wrap, the ROC follows).
 *   unprotect: per packet: memcpy one of RING pre-protected packets (distinct,
 *              consecutive sequence numbers) into a buffer, srtp_unprotect()
 *              in place. Replay protection forbids feeding a packet twice to
 *              one session, so a fresh receiver session is created for every
 *              pass over the ring, outside the timed region; every unprotect
 *              must succeed and the last plaintext of each pass is compared
 *              with the expected packet.
 *   copy:      the same loops without the srtp call (memcpy + sequence
 *              number write only), reported separately so it can be
 *              subtracted; it is included in the protect/unprotect figures.
 * Gbit/s counts RTP header + payload bits (12 + payload bytes) per packet.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "srtp.h"

#define RTP_HDR_LEN 12
#define MAX_PAYLOAD 1200
#define BUF_STRIDE 1344 /* >= 12 + 1200 + SRTP_MAX_TRAILER_LEN, multiple of 64 */
#define BENCH_SSRC 0x53414e53u /* "SANS" */
#define FIRST_SEQ 0xfff0u      /* so the sender's sequence number wraps early */
#define MAX_RUNS 99

/* Keep the compiler from dropping a memcpy whose result is not read. */
#define CLOBBER(p) __asm__ __volatile__("" : : "r"(p) : "memory")

typedef void (*policy_setter)(srtp_crypto_policy_t *);

struct profile {
    const char *name;
    policy_setter rtp;
    policy_setter rtcp;
    int tag_len;
};

static const struct profile profiles[] = {
    { "AES_CM_128_HMAC_SHA1_80", srtp_crypto_policy_set_rtp_default,
      srtp_crypto_policy_set_rtcp_default, 10 },
    { "AES_CM_128_HMAC_SHA1_32", srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
      srtp_crypto_policy_set_rtcp_default, 4 },
    { "AEAD_AES_128_GCM", srtp_crypto_policy_set_aes_gcm_128_16_auth,
      srtp_crypto_policy_set_aes_gcm_128_16_auth, 16 },
    { "AEAD_AES_256_GCM", srtp_crypto_policy_set_aes_gcm_256_16_auth,
      srtp_crypto_policy_set_aes_gcm_256_16_auth, 16 },
    { "AES_256_CM_HMAC_SHA1_80", srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
      srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, 10 },
};
#define N_PROFILES ((int)(sizeof(profiles) / sizeof(profiles[0])))

static const int sizes[] = { 160, 1200 };
#define N_SIZES 2

enum op { OP_PROTECT, OP_UNPROTECT, OP_PROTECT_COPY, OP_UNPROTECT_COPY, N_OPS };
static const char *const op_names[N_OPS] = { "protect", "unprotect",
                                             "protect_copy", "unprotect_copy" };

/* Fixed master key + master salt; long enough for every profile (46 B max). */
static unsigned char master_key[64];

static double results[sizeof(profiles) / sizeof(profiles[0])][N_SIZES][N_OPS];

static struct {
    unsigned long packets;
    int runs;
    unsigned ring;
    const char *label;
    const char *csv;
} cfg = { 200000, 5, 1024, NULL, NULL };

static void die(const char *what)
{
    fprintf(stderr, "bench-libsrtp: %s\n", what);
    exit(1);
}

static void check(srtp_err_status_t st, const char *what)
{
    if (st != srtp_err_status_ok) {
        fprintf(stderr, "bench-libsrtp: %s failed: srtp_err_status %d\n", what,
                (int)st);
        exit(1);
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint8_t *alloc_buf(size_t len)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, len) != 0)
        die("out of memory");
    memset(p, 0, len);
    return p;
}

static srtp_t new_session(const struct profile *p)
{
    srtp_policy_t pol;
    srtp_t s = NULL;

    memset(&pol, 0, sizeof(pol));
    p->rtp(&pol.rtp);
    p->rtcp(&pol.rtcp);
    pol.ssrc.type = ssrc_specific;
    pol.ssrc.value = BENCH_SSRC;
    pol.key = master_key;
    pol.window_size = 0; /* libsrtp default (128) */
    pol.allow_repeat_tx = 0;
    pol.next = NULL;
    check(srtp_create(&s, &pol), "srtp_create");
    return s;
}

/* Plain RTP packet: V=2, no padding/extension/CSRC, PT 96, fixed timestamp. */
static void make_plain(uint8_t *pkt, int payload_len, uint16_t seq)
{
    pkt[0] = 0x80;
    pkt[1] = 96;
    pkt[2] = (uint8_t)(seq >> 8);
    pkt[3] = (uint8_t)seq;
    pkt[4] = 0x00;
    pkt[5] = 0x01;
    pkt[6] = 0xe2;
    pkt[7] = 0x40;
    pkt[8] = (uint8_t)(BENCH_SSRC >> 24);
    pkt[9] = (uint8_t)(BENCH_SSRC >> 16);
    pkt[10] = (uint8_t)(BENCH_SSRC >> 8);
    pkt[11] = (uint8_t)BENCH_SSRC;
    for (int i = 0; i < payload_len; i++)
        pkt[RTP_HDR_LEN + i] = (uint8_t)(i * 7 + 1);
}

static void check_failed(const struct profile *p, int payload_len,
                         const char *msg)
{
    fprintf(stderr, "bench-libsrtp: %s %dB self-check: %s\n", p->name,
            payload_len, msg);
    exit(1);
}

/* protect then unprotect returns the original; tampering and replay fail. */
static void self_check(const struct profile *p, int payload_len)
{
    int plain_len = RTP_HDR_LEN + payload_len;
    uint8_t *orig = alloc_buf(BUF_STRIDE);
    uint8_t *buf = alloc_buf(BUF_STRIDE);
    uint8_t *copy = alloc_buf(BUF_STRIDE);
    srtp_t tx = new_session(p);
    srtp_t rx = new_session(p);
    int len;

    for (uint16_t seq = 1; seq <= 3; seq++) {
        make_plain(orig, payload_len, seq);
        memcpy(buf, orig, plain_len);
        len = plain_len;
        check(srtp_protect(tx, buf, &len), "srtp_protect (self-check)");
        if (len != plain_len + p->tag_len)
            check_failed(p, payload_len, "unexpected SRTP length");
        if (memcmp(buf, orig, RTP_HDR_LEN) != 0)
            check_failed(p, payload_len, "RTP header changed by protect");
        if (memcmp(buf + RTP_HDR_LEN, orig + RTP_HDR_LEN, payload_len) == 0)
            check_failed(p, payload_len, "payload not encrypted");
        memcpy(copy, buf, len);

        if (seq == 2) { /* tampered payload must fail authentication */
            int tlen = len;
            copy[RTP_HDR_LEN + 5] ^= 0x01;
            if (srtp_unprotect(rx, copy, &tlen) != srtp_err_status_auth_fail)
                check_failed(p, payload_len, "tampered packet not rejected");
            memcpy(copy, buf, len);
        }
        check(srtp_unprotect(rx, buf, &len), "srtp_unprotect (self-check)");
        if (len != plain_len || memcmp(buf, orig, plain_len) != 0)
            check_failed(p, payload_len, "unprotect did not return the original packet");
        if (seq == 3) { /* the same packet again must be a replay */
            len = plain_len + p->tag_len;
            if (srtp_unprotect(rx, copy, &len) != srtp_err_status_replay_fail)
                check_failed(p, payload_len, "replayed packet not rejected");
        }
    }
    check(srtp_dealloc(tx), "srtp_dealloc");
    check(srtp_dealloc(rx), "srtp_dealloc");
    free(orig);
    free(buf);
    free(copy);
}

/* One timed protect (or copy-only) run of n packets; returns ns. */
static uint64_t run_protect(srtp_t tx, const uint8_t *tmpl, int plain_len,
                            int srtp_len, uint8_t *buf, unsigned long n,
                            uint16_t *seq, int do_protect)
{
    uint16_t s = *seq;
    unsigned long bad = 0;
    uint64_t t0 = now_ns();

    if (do_protect) {
        for (unsigned long i = 0; i < n; i++) {
            int len = plain_len;
            memcpy(buf, tmpl, plain_len);
            buf[2] = (uint8_t)(s >> 8);
            buf[3] = (uint8_t)s;
            s++;
            bad += (srtp_protect(tx, buf, &len) != srtp_err_status_ok) |
                   (len != srtp_len);
        }
    } else {
        for (unsigned long i = 0; i < n; i++) {
            memcpy(buf, tmpl, plain_len);
            buf[2] = (uint8_t)(s >> 8);
            buf[3] = (uint8_t)s;
            s++;
            CLOBBER(buf);
        }
    }
    uint64_t dt = now_ns() - t0;
    if (bad) {
        fprintf(stderr, "bench-libsrtp: %lu srtp_protect failures\n", bad);
        exit(1);
    }
    if (do_protect) /* copy-only runs must not move the sender's sequence */
        *seq = s;
    return dt;
}

/* One timed unprotect (or copy-only) run of passes * ring packets; returns ns. */
static uint64_t run_unprotect(const struct profile *p, const uint8_t *ring,
                              const uint8_t *last_plain, int plain_len,
                              int srtp_len, uint8_t *buf, unsigned long passes,
                              int do_unprotect)
{
    uint64_t total = 0;
    unsigned long bad = 0;

    for (unsigned long pass = 0; pass < passes; pass++) {
        srtp_t rx = do_unprotect ? new_session(p) : NULL;
        uint64_t t0 = now_ns();
        if (do_unprotect) {
            for (unsigned i = 0; i < cfg.ring; i++) {
                int len = srtp_len;
                memcpy(buf, ring + (size_t)i * BUF_STRIDE, srtp_len);
                bad += (srtp_unprotect(rx, buf, &len) != srtp_err_status_ok) |
                       (len != plain_len);
            }
        } else {
            for (unsigned i = 0; i < cfg.ring; i++) {
                memcpy(buf, ring + (size_t)i * BUF_STRIDE, srtp_len);
                CLOBBER(buf);
            }
        }
        total += now_ns() - t0;
        if (do_unprotect) {
            if (memcmp(buf, last_plain, plain_len) != 0)
                die("unprotect produced a wrong plaintext");
            check(srtp_dealloc(rx), "srtp_dealloc");
        }
    }
    if (bad) {
        fprintf(stderr, "bench-libsrtp: %lu srtp_unprotect failures (%s)\n", bad,
                p->name);
        exit(1);
    }
    return total;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Prints one result line; medians go to results[][][]. Sorts the run arrays. */
static void report(int pi, int si, enum op op, enum op copy_op,
                   double ns[N_OPS][MAX_RUNS])
{
    const struct profile *p = &profiles[pi];
    int payload_len = sizes[si];
    int bits = (RTP_HDR_LEN + payload_len) * 8;
    double med = median(ns[op], cfg.runs);
    double copy = median(ns[copy_op], cfg.runs);

    results[pi][si][op] = med;
    results[pi][si][copy_op] = copy;
    printf("%s %s %dB %s %.1f ns  %.2f Mpps  %.2f Gbit/s  "
           "(incl. copy %.1f ns; runs %.1f..%.1f)\n",
           cfg.label, p->name, payload_len, op_names[op], med, 1e3 / med,
           bits / med, copy, ns[op][0], ns[op][cfg.runs - 1]);
    fflush(stdout);
}

static void bench_one(int pi, int si)
{
    const struct profile *p = &profiles[pi];
    int payload_len = sizes[si];
    int plain_len = RTP_HDR_LEN + payload_len;
    int srtp_len = plain_len + p->tag_len;
    unsigned long passes = (cfg.packets + cfg.ring - 1) / cfg.ring;
    unsigned long n_unprot = passes * cfg.ring;
    uint8_t *tmpl = alloc_buf(BUF_STRIDE);
    uint8_t *buf = alloc_buf(BUF_STRIDE);
    uint8_t *last_plain = alloc_buf(BUF_STRIDE);
    uint8_t *ring = alloc_buf((size_t)cfg.ring * BUF_STRIDE);
    double ns[N_OPS][MAX_RUNS];
    uint16_t seq = FIRST_SEQ;
    srtp_t tx;

    /* Ring of protected packets with consecutive sequence numbers. */
    tx = new_session(p);
    for (unsigned i = 0; i < cfg.ring; i++) {
        uint8_t *pkt = ring + (size_t)i * BUF_STRIDE;
        int len = plain_len;
        make_plain(pkt, payload_len, (uint16_t)(FIRST_SEQ + i));
        check(srtp_protect(tx, pkt, &len), "srtp_protect (ring)");
        if (len != srtp_len)
            die("unexpected SRTP length (ring)");
    }
    make_plain(last_plain, payload_len, (uint16_t)(FIRST_SEQ + cfg.ring - 1));
    check(srtp_dealloc(tx), "srtp_dealloc");

    /* Sender session for the protect runs. */
    tx = new_session(p);
    make_plain(tmpl, payload_len, 0);

    /* Warm-up (untimed): a quarter run of each kind. */
    run_protect(tx, tmpl, plain_len, srtp_len, buf, cfg.packets / 4, &seq, 1);
    run_unprotect(p, ring, last_plain, plain_len, srtp_len, buf,
                  (passes + 3) / 4, 1);

    for (int r = 0; r < cfg.runs; r++) {
        ns[OP_PROTECT_COPY][r] =
            (double)run_protect(tx, tmpl, plain_len, srtp_len, buf,
                                cfg.packets, &seq, 0) /
            (double)cfg.packets;
        ns[OP_PROTECT][r] =
            (double)run_protect(tx, tmpl, plain_len, srtp_len, buf,
                                cfg.packets, &seq, 1) /
            (double)cfg.packets;
        ns[OP_UNPROTECT_COPY][r] =
            (double)run_unprotect(p, ring, last_plain, plain_len, srtp_len, buf,
                                  passes, 0) /
            (double)n_unprot;
        ns[OP_UNPROTECT][r] =
            (double)run_unprotect(p, ring, last_plain, plain_len, srtp_len, buf,
                                  passes, 1) /
            (double)n_unprot;
    }
    check(srtp_dealloc(tx), "srtp_dealloc");

    report(pi, si, OP_PROTECT, OP_PROTECT_COPY, ns);
    report(pi, si, OP_UNPROTECT, OP_UNPROTECT_COPY, ns);
    free(tmpl);
    free(buf);
    free(last_plain);
    free(ring);
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [-n packets_per_run] [-r runs] [-R ring] [-l label] "
            "[-o results.csv]\n"
            "  -n  packets per timed run (default 200000)\n"
            "  -r  timed runs per measurement, median reported (default 5, "
            "max %d)\n"
            "  -R  pre-protected packets per receiver session (default 1024, "
            "64..32768)\n"
            "  -l  label printed on each line (default: libsrtp version "
            "string)\n"
            "  -o  CSV output (impl,profile,size,op,ns); default: results.csv "
            "next to this binary\n",
            argv0, MAX_RUNS);
    exit(2);
}

int main(int argc, char **argv)
{
    static char default_csv[4096];
    int c;

    while ((c = getopt(argc, argv, "n:r:R:l:o:h")) != -1) {
        switch (c) {
        case 'n':
            cfg.packets = strtoul(optarg, NULL, 10);
            break;
        case 'r':
            cfg.runs = atoi(optarg);
            break;
        case 'R':
            cfg.ring = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'l':
            cfg.label = optarg;
            break;
        case 'o':
            cfg.csv = optarg;
            break;
        default:
            usage(argv[0]);
        }
    }
    if (optind != argc || cfg.packets == 0 || cfg.runs < 1 ||
        cfg.runs > MAX_RUNS || cfg.ring < 64 || cfg.ring > 32768)
        usage(argv[0]);
    if (cfg.packets < 200000)
        fprintf(stderr, "bench-libsrtp: note: %lu packets per run (< 200000): "
                        "for testing only\n",
                cfg.packets);
    if (!cfg.label)
        cfg.label = srtp_get_version_string();
    if (!cfg.csv) {
        const char *slash = strrchr(argv[0], '/');
        int dir_len = slash ? (int)(slash - argv[0]) + 1 : 0;
        snprintf(default_csv, sizeof(default_csv), "%.*sresults.csv", dir_len,
                 argv[0]);
        cfg.csv = default_csv;
    }
    for (size_t i = 0; i < sizeof(master_key); i++)
        master_key[i] = (unsigned char)(0xa5 ^ (i * 29 + 3));

    check(srtp_init(), "srtp_init");
    printf("# %s; linked %s; runtime %s\n", cfg.label,
           srtp_get_version_string(), OpenSSL_version(OPENSSL_VERSION));
    printf("# median of %d runs; protect: %lu packets/run; unprotect: %lu "
           "packets/run (%lu fresh receiver sessions of %u packets, created "
           "untimed)\n",
           cfg.runs, cfg.packets,
           ((cfg.packets + cfg.ring - 1) / cfg.ring) * cfg.ring,
           (cfg.packets + cfg.ring - 1) / cfg.ring, cfg.ring);
    printf("# ns/packet include the memcpy + seq write (\"copy\", also timed "
           "alone); Gbit/s counts RTP header + payload bits\n");

    for (int pi = 0; pi < N_PROFILES; pi++)
        for (int si = 0; si < N_SIZES; si++)
            self_check(&profiles[pi], sizes[si]);
    printf("# self-check ok: protect->unprotect round trip, tamper and replay "
           "rejected, all profiles and sizes\n");
    fflush(stdout);

    for (int pi = 0; pi < N_PROFILES; pi++)
        for (int si = 0; si < N_SIZES; si++)
            bench_one(pi, si);

    check(srtp_shutdown(), "srtp_shutdown");

    printf("\n| profile | 160 B protect / unprotect (ns) | 1200 B protect / "
           "unprotect (ns) |\n|---|---:|---:|\n");
    for (int pi = 0; pi < N_PROFILES; pi++)
        printf("| %s | %.1f / %.1f | %.1f / %.1f |\n", profiles[pi].name,
               results[pi][0][OP_PROTECT], results[pi][0][OP_UNPROTECT],
               results[pi][1][OP_PROTECT], results[pi][1][OP_UNPROTECT]);
    printf("\nIncluded copy cost (memcpy + seq write alone, ns, median over "
           "profiles' runs):\n\n| copy | 160 B protect / unprotect | 1200 B "
           "protect / unprotect |\n|---|---:|---:|\n");
    {
        double c[N_SIZES][2][sizeof(profiles) / sizeof(profiles[0])];
        for (int si = 0; si < N_SIZES; si++)
            for (int pi = 0; pi < N_PROFILES; pi++) {
                c[si][0][pi] = results[pi][si][OP_PROTECT_COPY];
                c[si][1][pi] = results[pi][si][OP_UNPROTECT_COPY];
            }
        printf("| memcpy | %.1f / %.1f | %.1f / %.1f |\n",
               median(c[0][0], N_PROFILES), median(c[0][1], N_PROFILES),
               median(c[1][0], N_PROFILES), median(c[1][1], N_PROFILES));
    }

    FILE *f = fopen(cfg.csv, "w");
    if (!f)
        die("cannot write CSV file");
    fprintf(f, "impl,profile,size,op,ns\n");
    for (int pi = 0; pi < N_PROFILES; pi++)
        for (int si = 0; si < N_SIZES; si++)
            for (int op = 0; op < N_OPS; op++)
                fprintf(f, "%s,%s,%d,%s,%.1f\n", cfg.label, profiles[pi].name,
                        sizes[si], op_names[op], results[pi][si][op]);
    if (fclose(f) != 0)
        die("cannot write CSV file");
    printf("\nCSV: %s\n", cfg.csv);
    return 0;
}
