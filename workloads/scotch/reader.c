/*
 * scotch-reader: the tenant's side of Scotch, in two halves that never
 * meet on one machine without an enclave.
 *
 *   scotch-reader export --nonce N [--m5-dumpstats]
 *       in a Xen guest (dom0, or a domU given I/O port 0xB2): ask the SMM
 *       handler for a snapshot answering the verifier's nonce N and print
 *       "SCOTCH-SNAPSHOT <N> <hex>". It holds no key: it only relays.
 *       On gem5, --m5-dumpstats dumps the simulator's statistics (its
 *       domain observer) right before the OUT that raises the SMI, so
 *       the ground truth and the ledger cover the same interval: after
 *       the SMI, the timer interrupts that arrived during the handler's
 *       MAC let Xen switch to a domU before the reader ran on (a
 *       millisecond, 1 % of a gem5 window), and a separate m5 process
 *       came later still.
 *   scotch-reader verify --key-file FILE --nonce N [--last-seq S] [SNAP]
 *       the verifier's check, wherever the key is (the tenant's host;
 *       later the enclave): the MAC under the key (64 hex digits in FILE,
 *       never on a command line), the nonce the verifier drew
 *       (freshness), a sequence number above the last one it accepted
 *       (no replay), and a well-formed layout. The snapshot is hex, in
 *       SNAP or on stdin.
 *
 *   scotch-reader tsc-hz
 *       on the tenant's host: the TSC's rate against CLOCK_MONOTONIC_RAW
 *       over 200 ms, in Hz. QEMU's TCG gives its guests the host's TSC,
 *       so this is the rate the verifier bounds the ledger's span with.
 *
 * verify prints one JSON object on success; on rejection "rejected:
 * <why>" on stderr and exit status 1. This is the interface the SGX
 * enclave will host: verify(key, snapshot, nonce, last_seq) -> usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "hmac_sha256.h"
#include "scotch_abi.h"

#define MAX_BYTES SCOTCH_SNAPSHOT_BYTES(SCOTCH_MAX_DOMAINS)

static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
    size_t n = 0;

    while (*s && n < max) {
        unsigned v;
        while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
            s++;
        if (!*s)
            break;
        if (sscanf(s, "%2x", &v) != 1 || !s[1])
            return -1;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    if (*s)
        return -1;
    *len = n;
    return 0;
}

static int reject(const char *why)
{
    fprintf(stderr, "rejected: %s\n", why);
    return 1;
}

/** All checks; prints the usage as JSON when the snapshot is good. */
static int verify(const uint8_t key[SCOTCH_KEY_BYTES], const uint8_t *buf,
                  size_t len, uint64_t nonce, uint64_t last_seq)
{
    struct scotch_snapshot_header h;
    uint8_t mac[SCOTCH_MAC_BYTES];
    size_t want, i;

    if (len < sizeof(h) + SCOTCH_MAC_BYTES)
        return reject("too short for a snapshot");
    memcpy(&h, buf, sizeof(h));
    if (h.magic != SCOTCH_SNAPSHOT_MAGIC)
        return reject("bad magic");
    if (h.version != SCOTCH_SNAPSHOT_VERSION)
        return reject("unknown version");
    if (h.ndomains > SCOTCH_MAX_DOMAINS)
        return reject("too many domains");
    want = SCOTCH_SNAPSHOT_BYTES(h.ndomains);
    if (len != want)
        return reject("length does not match the domain count");
    hmac_sha256(key, SCOTCH_KEY_BYTES, buf, want - SCOTCH_MAC_BYTES, mac);
    if (!mac_equal(mac, buf + want - SCOTCH_MAC_BYTES, SCOTCH_MAC_BYTES))
        return reject("MAC does not verify");
    if (h.nonce != nonce)
        return reject("nonce is not ours (stale or replayed snapshot)");
    if (h.seq <= last_seq)
        return reject("sequence number not above the last accepted one");
    printf("{\"seq\": %" PRIu64 ", \"nonce\": %" PRIu64
           ", \"tsc_start\": %" PRIu64 ", \"tsc_now\": %" PRIu64
           ", \"smis\": %" PRIu64 ", \"unknown_cycles\": %" PRIu64
           ", \"requester\": %" PRId64 ", \"lookup_failures\": %u"
           ", \"domains\": [",
           h.seq, h.nonce, h.tsc_start, h.tsc_now, h.smis, h.unknown_cycles,
           h.requester == SCOTCH_DOMID_UNKNOWN ? (int64_t)-1
                                               : (int64_t)h.requester,
           h.lookup_failures);
    for (i = 0; i < h.ndomains; i++) {
        struct scotch_domain_entry e;
        memcpy(&e, buf + sizeof(h) + i * sizeof(e), sizeof(e));
        printf("%s{\"domid\": %u, \"cycles\": %" PRIu64
               ", \"switches\": %" PRIu64 ", \"irqs\": %" PRIu64 "}",
               i ? ", " : "", e.domid, e.cycles, e.switches, e.irqs);
    }
    printf("]}\n");
    return 0;
}

static int key_from_file(const char *path, uint8_t key[SCOTCH_KEY_BYTES])
{
    char hex[2 * SCOTCH_KEY_BYTES + 2];
    size_t n = 0;
    FILE *f = path ? fopen(path, "r") : NULL;

    if (!f) {
        fprintf(stderr, "scotch-reader: --key-file %s: %s\n",
                path ? path : "(missing)", path ? strerror(errno) : "");
        return -1;
    }
    n = fread(hex, 1, sizeof(hex) - 1, f);
    fclose(f);
    while (n && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
        n--;
    hex[n] = 0;
    if (n != 2 * SCOTCH_KEY_BYTES || parse_hex(hex, key, SCOTCH_KEY_BYTES,
                                               &n) ||
        n != SCOTCH_KEY_BYTES) {
        fprintf(stderr,
                "scotch-reader: --key-file %s: expected 64 hex digits\n",
                path);
        return -1;
    }
    return 0;
}

/* gem5's m5 dumpstats (util/m5/src/abi/x86): 0F 04 with function 0x41,
 * delay and period 0. Undefined (SIGILL) anywhere but gem5. */
static void m5_dumpstats(void)
{
    __asm__ volatile(".byte 0x0f, 0x04\n\t.word 0x41"
                     :
                     : "D"(0ULL), "S"(0ULL)
                     : "rax", "memory");
}

static int do_export(uint64_t nonce, int dump)
{
    const struct scotch_snapshot_header *h;
    uint8_t *buf;
    size_t len, i;

    if (ioperm(0xb2, 1, 1) && iopl(3)) {
        fprintf(stderr, "scotch-reader: no access to port 0xB2: %s\n",
                strerror(errno));
        return 2;
    }
    buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED, -1,
               0);
    if (buf == MAP_FAILED) {
        fprintf(stderr, "scotch-reader: mmap: %s\n", strerror(errno));
        return 2;
    }
    memset(buf, 0, 4096); /* present and writable for the handler */
    h = (const void *)buf;
    if (dump)
        m5_dumpstats(); /* then the SMI, two instructions on */
    __asm__ volatile("outb %%al, $0xb2\n\tjmp 1f\n1:"
                     :
                     : "a"(SCOTCH_CMD_EXPORT), "D"(nonce), "S"(buf)
                     : "memory");
    for (i = 0; i < 100000000 && !*(volatile uint32_t *)&h->magic; i++)
        ;
    if (h->magic != SCOTCH_SNAPSHOT_MAGIC) {
        fprintf(stderr, "scotch-reader: no snapshot arrived\n");
        return 2;
    }
    len = h->ndomains <= SCOTCH_MAX_DOMAINS
              ? SCOTCH_SNAPSHOT_BYTES(h->ndomains)
              : sizeof(*h);
    printf("SCOTCH-SNAPSHOT %" PRIu64 " ", nonce);
    for (i = 0; i < len; i++)
        printf("%02x", buf[i]);
    printf("\n");
    return 0;
}

static double monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/** The TSC's rate: ticks over 200 ms of the monotonic clock. */
static int tsc_hz(void)
{
    const struct timespec nap = {0, 200 * 1000 * 1000};
    double t0 = monotonic_s(), t1;
    uint64_t c0 = __rdtsc(), c1;

    nanosleep(&nap, NULL);
    c1 = __rdtsc();
    t1 = monotonic_s();
    if (c1 <= c0 || t1 <= t0) {
        fprintf(stderr, "scotch-reader: the TSC did not advance\n");
        return 1;
    }
    printf("%.0f\n", (double)(c1 - c0) / (t1 - t0));
    return 0;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: scotch-reader export --nonce N [--m5-dumpstats]\n"
            "       scotch-reader verify --key-file FILE --nonce N "
            "[--last-seq S] [SNAPSHOT]\n"
            "       scotch-reader tsc-hz\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *key_file = NULL, *file = NULL;
    uint64_t nonce = 0, last = 0;
    int have_nonce = 0, dump = 0, i;

    if (argc < 2)
        return usage();
    if (!strcmp(argv[1], "tsc-hz"))
        return argc == 2 ? tsc_hz() : usage();
    for (i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--key-file") && i + 1 < argc)
            key_file = argv[++i];
        else if (!strcmp(argv[i], "--nonce") && i + 1 < argc)
            nonce = strtoull(argv[++i], NULL, 0), have_nonce = 1;
        else if (!strcmp(argv[i], "--m5-dumpstats"))
            dump = 1;
        else if (!strcmp(argv[i], "--last-seq") && i + 1 < argc)
            last = strtoull(argv[++i], NULL, 0);
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else
            return usage();
    }
    if (!have_nonce)
        return usage();
    if (!strcmp(argv[1], "export") && !key_file && !file)
        return do_export(nonce, dump);
    if (dump)
        return usage(); /* export only */
    if (!strcmp(argv[1], "verify")) {
        static char text[2 * MAX_BYTES + 64];
        static uint8_t buf[MAX_BYTES];
        uint8_t key[SCOTCH_KEY_BYTES];
        size_t n, len;
        FILE *f;

        if (!key_file)
            return usage();
        if (key_from_file(key_file, key))
            return 2;
        f = file ? fopen(file, "r") : stdin;
        if (!f) {
            fprintf(stderr, "scotch-reader: %s: %s\n", file, strerror(errno));
            return 2;
        }
        n = fread(text, 1, sizeof(text) - 1, f);
        text[n] = 0;
        if (file)
            fclose(f);
        if (parse_hex(text, buf, sizeof(buf), &len))
            return reject("not a hex snapshot");
        return verify(key, buf, len, nonce, last);
    }
    return usage();
}
