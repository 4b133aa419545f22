/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * scotch-xentime: Xen's own CPU time of each domain, in nanoseconds.
 *
 *   scotch-xentime
 *
 * prints "DOMID CPU_NS" for every domain: the cpu_time of XEN_DOMCTL_
 * getdomaininfo, what `xl list` shows to a tenth of a second (and what
 * Scotch's RQ1 attack scales when it hides). dom0-init takes it at both
 * exports, so Xen's view of a short window (a tenth of a simulated second
 * on gem5) is the growth between them.
 *
 * One hypercall per domain through /dev/xen/privcmd, with the domctl
 * layout of Xen's public/domctl.h written out (interface 0x15: Xen 4.17),
 * so the image needs no Xen headers or libraries. Xen refuses another
 * interface version with EACCES, which this reports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define HYPERVISOR_DOMCTL 36        /* public/xen.h */
#define DOMCTL_INTERFACE 0x00000015 /* public/domctl.h, Xen 4.17 */
#define DOMCTL_GETDOMAININFO 5

/* linux/include/uapi/xen/privcmd.h */
struct privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL                                        \
    _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

/* struct xen_domctl_getdomaininfo, up to cpu_time. */
struct getdomaininfo {
    uint16_t domain;
    uint16_t pad;
    uint32_t flags;
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t outstanding_pages;
    uint64_t shr_pages;
    uint64_t paged_pages;
    uint64_t shared_info_frame;
    uint64_t cpu_time;
};

struct domctl {
    uint32_t cmd;
    uint32_t interface_version;
    uint16_t domain;
    uint16_t pad[3];
    union {
        struct getdomaininfo info;
        uint64_t raw[16]; /* the union's size in Xen */
    } u;
};
_Static_assert(sizeof(struct domctl) == 144, "xen_domctl is 144 bytes");
_Static_assert(__builtin_offsetof(struct domctl, u.info.cpu_time) ==
                   16 + 56,
               "cpu_time sits 56 bytes into getdomaininfo");

/* getdomaininfo for the first domain whose id is at least @from (Xen
 * 4.17 answers so for a domain that does not exist): 1 if found, 0 if
 * none is left, -1 on error. */
static int next_domain(int fd, struct domctl *op, uint16_t from)
{
    memset(op, 0, sizeof(*op));
    op->cmd = DOMCTL_GETDOMAININFO;
    op->interface_version = DOMCTL_INTERFACE;
    op->domain = from;
    struct privcmd_hypercall call = {
        .op = HYPERVISOR_DOMCTL,
        .arg = {(uint64_t)(uintptr_t)op},
    };
    if (ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call) == 0)
        return op->u.info.domain >= from;
    return errno == ESRCH ? 0 : -1;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: scotch-xentime\n");
        return 2;
    }
    int fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        perror("scotch-xentime: /dev/xen/privcmd");
        return 1;
    }
    /* Xen copies the buffer by its guest address: keep it resident. */
    static struct domctl op __attribute__((aligned(256)));
    if (mlock(&op, sizeof(op)) != 0) {
        perror("scotch-xentime: mlock");
        return 1;
    }
    unsigned int from = 0;
    int found = 0;
    while (from < 0x7ff0 && (found = next_domain(fd, &op, from)) == 1) {
        printf("%u %llu\n", op.u.info.domain,
               (unsigned long long)op.u.info.cpu_time);
        from = op.u.info.domain + 1u;
    }
    if (from == 0) {  /* not even dom0 */
        fprintf(stderr, "scotch-xentime: Xen reported no domain\n");
        return 1;
    }
    if (found < 0) {
        fprintf(stderr, "scotch-xentime: getdomaininfo(%u): %s\n", from,
                strerror(errno));
        return 1;
    }
    return fflush(stdout) != 0;
}
