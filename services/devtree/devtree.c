/*
 * devtree.c - the device-tree service: enumerates the platform's tree at
 * start (AArch64: the loader's blob; x86_64: the platform tree linked
 * into the image), matches each device against the DRIVER() table,
 * claims its registers and interrupt lines, and tells the bus.
 *
 * Events:
 *   "devtree.device.added"  struct devtree_event, one per device, in tree
 *                           order, once the service is up (a restart
 *                           announces them again)
 * Requests:
 *   "devtree.count"         reply: uint32_t devices
 *   "devtree.device"        uint32_t index -> struct devtree_event
 *                           (-ENOENT past the end)
 *
 * The boot log names every device, its driver (or none) and, for a
 * refused claim, why.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/bus.h>
#include <aegis/devtree.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include "dt.h"

static struct dt_tree tree;
static struct dt_driver drivers[64];
static const struct driver_desc *descs;
static size_t ndrivers;
static bus_topic_t t_added, t_count, t_device;
static bool announced;

static void describe(uint32_t i, struct devtree_event *ev)
{
	const struct dt_device *d = &tree.dev[i];

	memset(ev, 0, sizeof(*ev));
	ev->index = i;
	ev->driver = d->driver;
	ev->irq = d->nirq ? d->irq[0] : DEVTREE_NO_IRQ;
	ev->reg = d->nreg ? d->reg[0].base : 0;
	memcpy(ev->name, d->name, sizeof(ev->name) - 1);
}

static void log_device(const struct dt_device *d)
{
	char regs[48] = "", irqs[24] = "";

	if (d->nreg)
		ksnprintf(regs, sizeof(regs), ", regs %#llx+%#llx",
			  (unsigned long long)d->reg[0].base,
			  (unsigned long long)d->reg[0].size);
	if (d->nirq)
		ksnprintf(irqs, sizeof(irqs), ", irq %u", d->irq[0]);
	if (d->claim_error)
		kprintf("devtree: %s (%s) refused: %s\n", d->path,
			d->compat[0], d->why);
	else if (d->driver >= 0)
		klog(KLOG_INFO, "devtree: %s %s -> %s (%s)%s%s\n", d->path,
		     d->compat[0], descs[d->driver].name,
		     descs[d->driver].owner, regs, irqs);
	else
		klog(KLOG_DEBUG, "devtree: %s %s -> no driver%s%s\n", d->path,
		     d->compat[0], regs, irqs);
}

static int devtree_init(void)
{
	const struct boot_info *bi = kernel_boot_info();
	const char *why = "no reason given";
	unsigned int matched, refused;
	int t[3];

	t[0] = bus_topic("devtree.device.added");
	t[1] = bus_topic("devtree.count");
	t[2] = bus_topic("devtree.device");
	for (unsigned int i = 0; i < 3; i++)
		if (t[i] < 0)
			return -AE_ENOSPC;
	t_added = (bus_topic_t)t[0];
	t_count = (bus_topic_t)t[1];
	t_device = (bus_topic_t)t[2];
	if (!bi || !bi->dtb || !bi->dtb_size) {
		kprintf("devtree: no device tree to enumerate\n");
		return -AE_ENODEV;
	}
	descs = driver_builtin(&ndrivers);
	if (ndrivers > sizeof(drivers) / sizeof(drivers[0]))
		ndrivers = sizeof(drivers) / sizeof(drivers[0]);
	for (size_t i = 0; i < ndrivers; i++) {
		drivers[i].name = descs[i].name;
		drivers[i].compatible = descs[i].compatible;
	}
	if (dt_enumerate(&tree, (const void *)(uintptr_t)(bi->dtb +
				hal_direct_map().offset),
			 bi->dtb_size, &why)) {
		kprintf("devtree: the device tree at %#llx is malformed: %s\n",
			(unsigned long long)bi->dtb, why);
		return -AE_EBADMSG;
	}
	matched = dt_match(&tree, drivers, (unsigned int)ndrivers);
	refused = dt_claim(&tree);
	for (uint32_t i = 0; i < tree.n; i++)
		log_device(&tree.dev[i]);
	for (uint32_t i = 0; i < tree.nwarn && i < 4; i++)
		kprintf("devtree: warning: %s\n", tree.warn[i]);
	klog(KLOG_INFO, "devtree: %u devices, %u with drivers, %u refused, "
	     "%u disabled or skipped\n", tree.n, matched - refused, refused,
	     tree.skipped);
	announced = false;
	return 0;
}

static void announce(void)
{
	struct devtree_event ev;

	announced = true;
	for (uint32_t i = 0; i < tree.n; i++) {
		describe(i, &ev);
		bus_publish(t_added, BUS_PRIO_DEFAULT, &ev, sizeof(ev));
	}
}

static int devtree_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	uint32_t index;

	(void)state;
	if (!announced)
		announce();
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == t_count) {
		memcpy(reply->data, &tree.n, sizeof(tree.n));
		reply->len = sizeof(tree.n);
		return 0;
	}
	if (m->topic != t_device)
		return -AE_ENOSYS;
	if (m->len != sizeof(index))
		return -AE_EINVAL;
	memcpy(&index, m->data, sizeof(index));
	if (index >= tree.n)
		return -AE_ENOENT;
	describe(index, (struct devtree_event *)reply->data);
	reply->len = sizeof(struct devtree_event);
	return 0;
}

SERVICE(devtree,
	.name = "devtree",
	.init = devtree_init,
	.handler = devtree_handle,
	.subscribe = SERVICE_LIST("kernel.boot.done"),
	.serves = SERVICE_LIST("devtree.count", "devtree.device"));
