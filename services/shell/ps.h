/*
 * ps.h - the shell's ps, top, uptime and dmesg (ps.c), private to the
 * shell.
 */
#ifndef SHELL_PS_H
#define SHELL_PS_H

#include <aegis/bus.h>

/* ps - services (state, handler runs, CPU time, queue), threads and
 * processes, once. */
void ps(void);

/* top_start - ps every second until top_stop; false (and said why) if it
 * cannot start. top_event - a message of the shell's while top runs. */
bool top_start(void);
void top_stop(void);
void top_event(const struct bus_msg *m);

/* uptime - time since boot, services, threads and processes. */
void uptime(void);

/* dmesg - the kernel log since boot (kernel/log.c). */
void dmesg(void);

/* sh_cat_file - a node's text to the console (ps's tables); false if it
 * cannot be read (said why, naming path). */
bool sh_cat_file(const char *cmd, const char *path);

#endif
