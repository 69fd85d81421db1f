/*
 * aegis/devtree.h - the device-tree service's contract on the bus
 * (services/devtree/devtree.c).
 *
 *   "devtree.device.added"    event, struct devtree_event per device,
 *                             after the kernel's boot is done, and again
 *                             for each device attached later
 *   "devtree.device.removed"  event, struct devtree_event, for a device
 *                             detached (its resources are free again)
 *   "devtree.count"           request, no payload; reply uint32_t
 *   "devtree.device"          request, uint32_t index; reply struct
 *                             devtree_event, or -ENOENT past the end,
 *                             -EINVAL for a malformed request
 *   "devtree.info"            request, struct devtree_info_req: the
 *                             device's full description is written to
 *                             out (a struct devtree_info the caller lends
 *                             as a grant; -EFAULT if it is not one)
 *   "devtree.attach"          request, a device's name (instance name
 *   "devtree.detach"          "rtc0", tree path or node name, not
 *                             NUL-terminated); reply its index (uint32_t).
 *                             Errors: -ENOENT (no such device), -EEXIST
 *                             (attach: already attached), -ENODEV
 *                             (detach: not attached), -EBUSY (attach: its
 *                             resources are held by another device), -EPERM
 *                             (its driver does not take hot-plug: see
 *                             aegis/driver.h).
 *                             The reason is also on the console.
 *
 * A device's instance name is its driver's name and its unit number among
 * that driver's devices in tree order: uart0, rtc0. devfs names its nodes
 * so.
 */
#ifndef AEGIS_DEVTREE_H
#define AEGIS_DEVTREE_H

#include <aegis/grant.h>
#include <aegis/types.h>

#define DEVTREE_NO_IRQ	0xffffffffu
#define DEVTREE_MAX_DEVICES 128	/* devices a tree may have enumerated */

struct devtree_event {
	uint32_t index;		/* in tree order */
	int16_t driver;		/* index in driver_builtin(), or -1 */
	uint8_t unit;		/* number among the driver's devices */
	uint8_t attached;	/* 1: present, resources held */
	uint32_t irq;		/* first interrupt line, or DEVTREE_NO_IRQ */
	uint32_t pad;
	uint64_t reg;		/* first register range's base, or 0 */
	char name[16];		/* node name, unit address cut, truncated */
};

struct devtree_info_req {
	uint32_t index;
	bus_grant_t out;	/* a struct devtree_info, lent writable
				 * (aegis/grant.h) */
};

#define DEVTREE_RES_MAX	4

struct devtree_info {
	char path[96];
	char compatible[32];	/* the first compatible string */
	char matched[32];	/* the one its driver took, or "" */
	char why[64];		/* why its resources were refused, or "" */
	uint64_t reg_base[DEVTREE_RES_MAX], reg_size[DEVTREE_RES_MAX];
	uint32_t irq[DEVTREE_RES_MAX];
	uint32_t nreg, nirq;
	int32_t driver;		/* index in driver_builtin(), or -1 */
	uint32_t unit;
	uint32_t attached;
};

/* Clients (kernel/lib/devtree_client.c): bus calls to the devtree
 * service. 0 or its error; -ENODEV when it is not there, -EIO for a
 * reply of the wrong size. devtree_hotplug: attach (true) or detach a
 * device by name. */
int devtree_count(uint32_t *n);
int devtree_device(uint32_t index, struct devtree_event *ev);
int devtree_info(uint32_t index, struct devtree_info *out);
int devtree_hotplug(bool attach, const char *name);

#endif
