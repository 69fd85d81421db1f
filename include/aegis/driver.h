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
 * A driver that copes with its devices coming and going at run time (it
 * follows "devtree.device.added" and ".removed") says .hotplug = true;
 * the devtree service refuses to detach the devices of any other.
 *
 * The descriptors land in the "aegis_drivers" linker section.
 */
#ifndef AEGIS_DRIVER_H
#define AEGIS_DRIVER_H

#include <aegis/grant.h>
#include <aegis/types.h>

struct driver_desc {
	const char *name;
	const char *owner;		/* the service (or "hal") driving it */
	const char *const *compatible;	/* NULL-terminated */
	bool hotplug;			/* its devices may be detached and
					 * attached at run time */
};

#define DRIVER_LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define DRIVER_SECTION "aegis_drivers"

#define DRIVER(id, ...)							\
	static const struct driver_desc __driver_##id			\
		__section(DRIVER_SECTION) __used __aligned(8) = {	\
		__VA_ARGS__ }

/*
 * A driver service's side of /dev (an owner other than "hal"): devfs
 * forwards a read of the device's node to the owner as a "device.read"
 * request carrying struct device_io, the buffer lent for the call; the
 * reply is the bytes read (uint32_t) or an error (-ENODEV for a device
 * the owner no longer has). An ioctl of the node goes the same way as a
 * "device.ioctl" request, with cmd set and buf lent both ways; the reply
 * is the owner's answer (a value >= 0, as int32_t) or an error (-ENOTTY
 * for a command the device does not know).
 */
struct device_io {
	uint32_t index;		/* the device's devtree index */
	uint32_t len;		/* of buf */
	uint32_t off;		/* offset in the device's stream */
	uint32_t cmd;		/* device.ioctl: the command */
	bus_grant_t buf;	/* the lent buffer (aegis/grant.h): len bytes,
				 * bus_grant_map'd by the driver */
	uint32_t pad;
};

/* driver_builtin - the DRIVER() descriptors linked into this kernel. */
const struct driver_desc *driver_builtin(size_t *n);

#endif
