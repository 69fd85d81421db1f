/*
 * tty.h - the console's terminal (tty.c), as console.c drives it.
 */
#ifndef CONSOLE_TTY_H
#define CONSOLE_TTY_H

#include <aegis/bus.h>
#include <aegis/types.h>

void tty_init(void);		/* a new terminal: no session */
void tty_key(uint8_t c);	/* a byte typed in CONSOLE_TTY mode */
void tty_exited(int pid);	/* proc.exit: a session's leader ends it */
bool tty_attached(void);	/* it is a session's */
/* node.read, node.write and node.ioctl forwarded by devfs */
int tty_request(const struct bus_msg *m, struct bus_msg *reply);
uint32_t tty_show(char *buf, uint32_t size);	/* /sys/console/tty */

#endif
