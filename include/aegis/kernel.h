/*
 * aegis/kernel.h - the kernel's entry and the facts it keeps about itself.
 */
#ifndef AEGIS_KERNEL_H
#define AEGIS_KERNEL_H

#include <aegis/boot_info.h>

#define AEGIS_VERSION "0.1.0"

#ifndef AEGIS_BUILD_MODE
#define AEGIS_BUILD_MODE "debug"
#endif

/* kmain - called once by boot/<arch>/ on the boot CPU. Never returns. */
void kmain(const struct boot_info *bi) __noreturn;

/* kernel_boot_info - what the boot path handed over (after kmain). */
const struct boot_info *kernel_boot_info(void);

/* kernel_initrd - the first boot module that is a newc cpio archive (the
 * initrd: the programs proc loads, the root tmpfs unpacks), through the
 * direct map, with its length in *len; NULL when there is none. */
const void *kernel_initrd(size_t *len);

/* kernel_timer_hz - the rate of the timer tick (the timer_hz= boot
 * option; 100 by default). */
uint32_t kernel_timer_hz(void);

/* kernel_wait - sleep until the next interrupt, unless the bus already
 * has work. The check and the sleep are one step (interrupts masked in
 * between), so an interrupt that posts just before the sleep cannot be
 * left waiting for the next one. Thread context, after the interrupts
 * are up; returns with interrupts on. */
void kernel_wait(void);

/* kfault_init - run every service handler under a recovery point, so a
 * fault in one fails that service instead of the kernel (kernel/fault.c).
 * Boot, right after bus_init. */
void kfault_init(void);

#endif
