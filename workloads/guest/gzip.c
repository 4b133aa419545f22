/*
 * gzip: compresses generated text with a real gzip program and checks
 * the round trip. Each iteration generates DATA_BYTES of text (words
 * from a fixed vocabulary with a skewed choice, numbers, lines; seeded
 * by the iteration number), pipes it through "gzip -c", checks the
 * result is a gzip member whose trailer holds the text's CRC-32 and
 * length, pipes that through "gzip -dc" and checks the text comes back.
 *
 * The program is $SCOTCH_GZIP, else "gzip" from PATH: in the domU that
 * is busybox's gzip applet, on a host usually GNU gzip. Compressed bytes
 * differ between implementations, so the checksum covers what made the
 * round trip (each iteration returns the CRC-32 and length of its text);
 * the compressed sizes are reported on a line of their own:
 *   SCOTCH-GZIP program=gzip bytes_in=N bytes_out=M
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA_BYTES (256 * 1024)

static const char *const WORDS[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
    "as", "was", "with", "be", "by", "on", "not", "he", "this", "are",
    "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
    "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
    "been", "if", "more", "when", "will", "would", "who", "so", "no",
    "hypervisor", "domain", "scheduler", "accounting", "interrupt",
    "management", "mode", "handler", "virtual", "machine", "processor",
    "time", "cycles", "ledger", "tenant",
};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

static unsigned char *text, *packed, *unpacked;
static size_t packed_cap, unpacked_cap;
static uint64_t bytes_in, bytes_out;
static uint32_t crc_table[256];

static const char *program(void)
{
    const char *p = getenv("SCOTCH_GZIP");
    return p && *p ? p : "gzip";
}

static uint32_t crc32(const unsigned char *data, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

static void generate(uint64_t iteration)
{
    rng_t rng = rng_seed(0x677a6970 ^ (iteration * 0x9e3779b97f4a7c15));
    size_t n = 0;
    int column = 0;
    while (n < DATA_BYTES) {
        char word[32];
        int len;
        uint64_t r = rng_next(&rng);
        if ((r & 15) == 0) {
            len = snprintf(word, sizeof word, "%u", (unsigned)(r >> 40));
        } else {
            /* min of two draws: frequent words come first, as in text */
            uint64_t a = (r >> 8) % NWORDS, b = (r >> 24) % NWORDS;
            len = snprintf(word, sizeof word, "%s", WORDS[a < b ? a : b]);
        }
        for (int i = 0; i < len && n < DATA_BYTES; i++)
            text[n++] = (unsigned char)word[i];
        column += len + 1;
        if (n < DATA_BYTES)
            text[n++] = column > 64 ? '\n' : ' ';
        if (column > 64)
            column = 0;
    }
}

/* Run argv with `in` on its stdin; its stdout goes to *out (grown as
 * needed). Returns the output length; a failure ends the program. */
static size_t filter(char *const argv[], const unsigned char *in,
                     size_t in_len, unsigned char **out, size_t *cap)
{
    int to[2], from[2];
    if (pipe(to) || pipe(from))
        workload_fail("gzip: pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        workload_fail("gzip: fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[0]);
        close(to[1]);
        close(from[0]);
        close(from[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "gzip: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    fcntl(to[1], F_SETFL, O_NONBLOCK);
    size_t written = 0, got = 0;
    int writing = 1, reading = 1;
    if (in_len == 0) {
        close(to[1]);
        writing = 0;
    }
    while (writing || reading) {
        struct pollfd fds[2] = {{from[0], POLLIN, 0}, {to[1], POLLOUT, 0}};
        if (poll(fds, writing ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            workload_fail("gzip: poll: %s", strerror(errno));
        }
        if (fds[0].revents) {
            if (got == *cap) {
                *cap = *cap ? 2 * *cap : 65536;
                *out = realloc(*out, *cap);
                if (!*out)
                    workload_fail("gzip: out of memory");
            }
            ssize_t r = read(from[0], *out + got, *cap - got);
            if (r < 0 && errno != EINTR && errno != EAGAIN)
                workload_fail("gzip: read: %s", strerror(errno));
            if (r == 0)
                reading = 0;
            if (r > 0)
                got += (size_t)r;
        }
        if (writing && fds[1].revents) {
            ssize_t w = write(to[1], in + written, in_len - written);
            if (w < 0 && errno != EINTR && errno != EAGAIN) {
                close(to[1]); /* it exited: its status tells why */
                writing = 0;
            }
            if (w > 0)
                written += (size_t)w;
            if (writing && written == in_len) {
                close(to[1]);
                writing = 0;
            }
        }
    }
    close(from[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid)
        workload_fail("gzip: waitpid: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        workload_fail("gzip: '%s %s' failed (%s %d)", argv[0], argv[1],
                      WIFEXITED(status) ? "exit status" : "signal",
                      WIFEXITED(status) ? WEXITSTATUS(status)
                                        : WTERMSIG(status));
    if (written != in_len)
        workload_fail("gzip: '%s %s' did not read all its input", argv[0],
                      argv[1]);
    return got;
}

static void init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    text = malloc(DATA_BYTES);
    if (!text)
        workload_fail("gzip: out of memory");
    signal(SIGPIPE, SIG_IGN);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t step(uint64_t iteration)
{
    char *compress[] = {(char *)program(), "-c", NULL};
    char *decompress[] = {(char *)program(), "-dc", NULL};
    generate(iteration);
    uint32_t crc = crc32(text, DATA_BYTES);
    size_t n = filter(compress, text, DATA_BYTES, &packed, &packed_cap);
    if (n < 18 || packed[0] != 0x1f || packed[1] != 0x8b || packed[2] != 8)
        workload_fail("gzip: %s -c wrote no gzip member", program());
    if (le32(packed + n - 8) != crc || le32(packed + n - 4) != DATA_BYTES)
        workload_fail("gzip: the member's trailer does not match the text");
    size_t m = filter(decompress, packed, n, &unpacked, &unpacked_cap);
    if (m != DATA_BYTES || memcmp(unpacked, text, DATA_BYTES))
        workload_fail("gzip: the round trip changed the text");
    bytes_in += DATA_BYTES;
    bytes_out += n;
    return (uint64_t)crc << 32 | DATA_BYTES;
}

static void report(void)
{
    printf("SCOTCH-GZIP program=%s bytes_in=%llu bytes_out=%llu\n",
           program(), (unsigned long long)bytes_in,
           (unsigned long long)bytes_out);
}

static const struct workload gzip = {
    .name = "gzip",
    .init = init,
    .step = step,
    .report = report,
};

int main(int argc, char **argv)
{
    return workload_main(argc, argv, &gzip);
}
