/*
 * PC devices as Xen probes them (patch series: the 8250's loopback, CPUID
 * function 8000_0007h, the MC146818's update-in-progress flag):
 *   - COM1 is a 16550: IER reads back, and in loopback mode the modem
 *     status inputs follow the modem control outputs (Xen's ns16550
 *     driver refuses the port otherwise, and Xen has no console);
 *   - CPUID 8000_0007h claims no feature whose MSR faults: EffFreqRO
 *     (EDX bit 10) needs HWCR (Xen sets a bit in it on Hygon/AMD);
 *   - with "rtc" on the command line: the RTC's UIP flag rises before
 *     an update of the time and falls after it (Xen waits for it at
 *     boot, up to a second). The divider is reset first, so the next
 *     update comes 500 ms later: about 0.5 s of simulated polling;
 *   - PCI configuration cycles to a device that is not there end in a
 *     master abort: a write is dropped and a read returns all ones
 *     (Linux, as Xen's dom0, writes to 00:1f.1 while it probes);
 *   - the 8254's channel 2 in mode 0 goes on counting down past its
 *     terminal count, through 0xFFFF: Xen's PIT platform timer (its
 *     clock when there is no HPET or ACPI PM timer, as in gem5) is that
 *     free-running counter.
 */
#include <stdint.h>

#include "../selectors/lm64.h"
#include "check.h"
#include "console.h"
#include "image.h"
#include "cpu.h"
#include "io.h"
#include "platform.h"

#define COM1 0x3f8
#define UART_IER 1
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define MCR_LOOP 0x10

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_SECONDS 0x00
#define RTC_REG_A 0x0a
#define RTC_UIP 0x80

#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PORT_B 0x61
#define PORTB_GATE2 0x01
#define PORTB_SPEAKER 0x02
#define PORTB_OUT2 0x20

static const char *cmdline = "";

static int has_word(const char *word)
{
    for (const char *p = cmdline; *p; p++) {
        const char *k = word, *q = p;
        while (*k && *q == *k) {
            k++;
            q++;
        }
        if (!*k && (p == cmdline || p[-1] == ' ') && (!*q || *q == ' '))
            return 1;
    }
    return 0;
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(0));
}

static uint8_t msr_of_mcr(uint8_t mcr)
{
    outb(COM1 + UART_MCR, mcr);
    return inb(COM1 + UART_MSR) & 0xf0;
}

static void uart_checks(void)
{
    while (!(inb(COM1 + UART_LSR) & 0x40)) /* transmitter empty */
        ;
    uint8_t ier = inb(COM1 + UART_IER);
    outb(COM1 + UART_IER, 0);
    uint8_t ier0 = inb(COM1 + UART_IER) & 0x0f;
    outb(COM1 + UART_IER, 0x0f);
    uint8_t ier15 = inb(COM1 + UART_IER) & 0x0f;
    outb(COM1 + UART_IER, ier);

    uint8_t mcr = inb(COM1 + UART_MCR);
    uint8_t xen = msr_of_mcr(MCR_LOOP | 0x0a); /* Xen's and Linux's probe */
    uint8_t none = msr_of_mcr(MCR_LOOP);
    uint8_t all = msr_of_mcr(MCR_LOOP | 0x0f);
    uint8_t dtr_rts = msr_of_mcr(MCR_LOOP | 0x03);
    outb(COM1 + UART_MCR, mcr);
    check_eq("uart_ier_0", ier0, 0);
    check_eq("uart_ier_15", ier15, 0x0f);
    check_eq("uart_loop_out2_rts", xen, 0x90);   /* DCD | CTS */
    check_eq("uart_loop_none", none, 0);
    check_eq("uart_loop_all", all, 0xf0);
    check_eq("uart_loop_dtr_rts", dtr_rts, 0x30); /* DSR | CTS */
}

/* 64-bit (lm_call): read HWCR; exc_log says whether it faulted. */
void t64_rdmsr_hwcr(void);

static void cpuid_checks(void)
{
    uint32_t r[4];
    cpuid(0x80000000, r);
    uint32_t max_ext = r[0];
    uint32_t vendor_b = r[1];
    if (max_ext < 0x80000007) {
        kprintf("cpuid_max_ext=0x%x\n", max_ext);
        return;
    }
    cpuid(0x80000007, r);
    kprintf("cpuid_80000007 eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x\n", r[0],
            r[1], r[2], r[3]);
    check("cpuid_80000007_not_vendor", r[1] != vendor_b || r[1] == 0);
    if (r[3] & (1u << 10)) { /* EffFreqRO: HWCR bit 27 applies */
        idt64_fill(XSEL_CODE64);
        exc_count = 0;
        lm_call(t64_rdmsr_hwcr);
        check_eq("effreqro_hwcr_readable", exc_count, 0);
    }
}

static uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

static void rtc_checks(void)
{
    uint8_t a = rtc_read(RTC_REG_A);
    check_eq("rtc_divider_running", a & 0x70, 0x20);
    /* Reset the divider and release it: the next update is 500 ms on. */
    outb(RTC_INDEX, RTC_REG_A);
    outb(RTC_DATA, (a & 0x0f) | 0x60);
    outb(RTC_INDEX, RTC_REG_A);
    outb(RTC_DATA, a & 0x7f);
    uint8_t sec = rtc_read(RTC_SECONDS);
    uint32_t changes = 0, polls = 0;
    int seen = 0;
    /* Wait for UIP; give up if the seconds change twice without it. */
    while (changes < 2) {
        polls++;
        if (rtc_read(RTC_REG_A) & RTC_UIP) {
            seen = 1;
            break;
        }
        uint8_t now = rtc_read(RTC_SECONDS);
        if (now != sec) {
            sec = now;
            changes++;
        }
    }
    check("rtc_uip_rises", seen);
    check_eq("rtc_no_update_before_uip", changes, 0);
    if (!seen)
        return;
    uint32_t falls = 0;
    while ((rtc_read(RTC_REG_A) & RTC_UIP) && falls < 10000000)
        falls++;
    check("rtc_uip_falls", !(rtc_read(RTC_REG_A) & RTC_UIP));
    check("rtc_updated_after_uip", rtc_read(RTC_SECONDS) != sec);
    kprintf("rtc_polls=%u\n", polls);
}

static uint16_t pit2_read(void)
{
    outb(PIT_MODE, 0x80); /* latch channel 2 */
    uint16_t count = inb(PIT_CH2);
    return count | (uint16_t)inb(PIT_CH2) << 8;
}

static void pit_checks(void)
{
    uint8_t portb = inb(PORT_B);
    outb(PORT_B, (portb & ~PORTB_SPEAKER) | PORTB_GATE2);
    outb(PIT_MODE, 0xb0); /* channel 2, LSB then MSB, mode 0, binary */
    outb(PIT_CH2, 0x00);  /* 0x100 clocks: 215 us */
    outb(PIT_CH2, 0x01);
    uint32_t polls = 0;
    while (!(inb(PORT_B) & PORTB_OUT2) && polls < 10000000)
        polls++;
    check("pit2_out_rises_at_terminal_count", inb(PORT_B) & PORTB_OUT2);
    /* OUT rises as the count reaches 0; the next clock makes it 0xFFFF. */
    uint16_t first = pit2_read();
    for (volatile uint32_t i = 0; i < 20000; i++)
        continue;
    uint16_t later = pit2_read();
    for (volatile uint32_t i = 0; i < 20000; i++)
        continue;
    uint16_t last = pit2_read();
    kprintf("pit2: %u polls, then count 0x%x, 0x%x, 0x%x\n", polls, first,
            later, last);
    check("pit2_wraps_past_terminal_count", later > 0x100);
    check("pit2_counts_past_terminal_count", last != later);
    check("pit2_out_stays_high", inb(PORT_B) & PORTB_OUT2);
    outb(PORT_B, portb);
}

/* Bus 0, device 0x1f, function 1: no such device on either platform. */
#define ABSENT_DEV 0x1f
#define ABSENT_FN 1

static void pci_absent_checks(void)
{
    check_eq("pci_absent_reads_all_ones",
             pci_read32(0, ABSENT_DEV, ABSENT_FN, 0), 0xffffffffu);
    outl(0xcf8, pci_cfg_addr(0, ABSENT_DEV, ABSENT_FN, 0x40));
    outl(0xcfc, 0x12345678);
    check_eq("pci_absent_write_dropped",
             pci_read32(0, ABSENT_DEV, ABSENT_FN, 0x40), 0xffffffffu);
}

int kmain(uint32_t magic, uint32_t mbi)
{
    if (magic == 0x2badb002 && (*(uint32_t *)mbi & 4))
        cmdline = *(const char **)(mbi + 16);
    image_start("pc-devices");
    big_gdt_load();
    uart_checks();
    cpuid_checks();
    pci_absent_checks();
    pit_checks();
    if (has_word("rtc"))
        rtc_checks();
    return check_verdict("pc_devices");
}
