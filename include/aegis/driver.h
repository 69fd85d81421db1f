/*
 * aegis/driver.h - declaring what drives a device-tree device.
 *
 * A driver names the compatible strings it takes, most specific first,
 * and who carries it out (a service, or the HAL). The devtree service
 * matches every enumerated device against the drivers linked in, claims
 * the device's registers and interrupt lines for the first that matches
 * (refusing a claim that conflicts with one already made), and publishes
 * the result. Declared once, next to the code that does the driving:
 *
 *	DRIVER(uart,
 *	       .name = "uart",
 *	       .owner = "console",
 *	       .compatible = DRIVER_LIST("ns16550a", "arm,pl011"));
 *
 * The descriptors land in the "aegis_drivers" linker section.
 */
#ifndef AEGIS_DRIVER_H
#define AEGIS_DRIVER_H

#include <aegis/types.h>

struct driver_desc {
	const char *name;
	const char *owner;		/* the service (or "hal") driving it */
	const char *const *compatible;	/* NULL-terminated */
};

#define DRIVER_LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define DRIVER_SECTION "aegis_drivers"

#define DRIVER(id, ...)							\
	static const struct driver_desc __driver_##id			\
		__section(DRIVER_SECTION) __used __aligned(8) = {	\
		__VA_ARGS__ }

/* driver_builtin - the DRIVER() descriptors linked into this kernel. */
const struct driver_desc *driver_builtin(size_t *n);

#endif
