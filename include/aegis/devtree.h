/*
 * aegis/devtree.h - the device-tree service's contract on the bus
 * (services/devtree/devtree.c).
 *
 *   "devtree.device.added"  event, struct devtree_event per device, after
 *                           the kernel's boot is done
 *   "devtree.count"         request, no payload; reply uint32_t
 *   "devtree.device"        request, uint32_t index; reply struct
 *                           devtree_event, or -ENOENT past the end,
 *                           -EINVAL for a malformed request
 */
#ifndef AEGIS_DEVTREE_H
#define AEGIS_DEVTREE_H

#include <aegis/types.h>

#define DEVTREE_NO_IRQ	0xffffffffu

struct devtree_event {
	uint32_t index;		/* in tree order */
	int32_t driver;		/* index in driver_builtin(), or -1 */
	uint32_t irq;		/* first interrupt line, or DEVTREE_NO_IRQ */
	uint32_t pad;
	uint64_t reg;		/* first register range's base, or 0 */
	char name[16];		/* node name, unit address cut, truncated */
};

#endif
