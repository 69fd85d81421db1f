/*
 * buscmd.h - the shell's bus command (buscmd.c), private to the shell.
 */
#ifndef SHELL_BUSCMD_H
#define SHELL_BUSCMD_H

#include <aegis/bus.h>

/* buscmd - run "bus ..." (argv[0] is "bus"). */
void buscmd(char **argv, int argc);

/* buscmd_event - a message the shell got that is not its own: printed
 * while echoing, counted while in top. */
void buscmd_event(const struct bus_msg *m);

/* buscmd_busy - echo or top runs (until buscmd_stop: a key). */
bool buscmd_busy(void);
void buscmd_stop(void);

#endif
