/*
 * devtree.c - the device-tree service: enumerates the platform's tree at
 * start (AArch64: the loader's blob; x86_64: the platform tree linked
 * into the image), matches each device against the DRIVER() table,
 * claims its registers and interrupt lines, and tells the bus.
 *
 * Its contract is in aegis/devtree.h: "devtree.device.added" for every
 * device once the service is up (a restart announces them again) and for
 * each attached later, "devtree.device.removed" for each detached, and
 * the requests count, device, info, attach and detach.
 *
 * The boot log names every device, its driver (or none) and, for a
 * refused claim, why. Hot-plug is logged too.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/bus.h>
#include <aegis/devtree.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/topics.h>
#include "dt.h"

static struct dt_tree tree;
static struct dt_driver drivers[64];
static const struct driver_desc *descs;
static size_t ndrivers;
static bool announced;

static void describe(uint32_t i, struct devtree_event *ev)
{
	const struct dt_device *d = &tree.dev[i];

	memset(ev, 0, sizeof(*ev));
	ev->index = i;
	ev->driver = (int16_t)d->driver;
	ev->unit = d->unit;
	ev->attached = d->attached;
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

	if (!bi || !bi->dtb || !bi->dtb_size) {
		kprintf("devtree: no device tree to enumerate\n");
		return -AE_ENODEV;
	}
	announced = false;
	if (tree.n) {
		/* a restart: the tree and what was attached or detached since
		 * boot stay as they are (the hardware did not change), and
		 * the attached devices are announced again */
		klog(KLOG_INFO, "devtree: %u devices kept across the "
		     "restart\n", tree.n);
		return 0;
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
		if (!tree.dev[i].attached)
			continue;
		describe(i, &ev);
		/* not publish_devtree_device_added(): that one inherits the
		 * priority of the message being handled, and the boot-time
		 * announcement is no more urgent than any other */
		bus_publish(TOPIC_DEVTREE_DEVICE_ADDED, BUS_PRIO_DEFAULT, &ev,
			    sizeof(ev));
	}
}

static void info(uint32_t i, struct devtree_info *out)
{
	const struct dt_device *d = &tree.dev[i];

	memset(out, 0, sizeof(*out));
	memcpy(out->path, d->path, sizeof(out->path) - 1);
	memcpy(out->compatible, d->compat[0], sizeof(out->compatible) - 1);
	if (d->driver >= 0)
		memcpy(out->matched, d->compat[d->matched],
		       sizeof(out->matched) - 1);
	memcpy(out->why, d->why, sizeof(out->why) - 1);
	for (uint32_t k = 0; k < d->nreg && k < DEVTREE_RES_MAX; k++) {
		out->reg_base[k] = d->reg[k].base;
		out->reg_size[k] = d->reg[k].size;
		out->nreg++;
	}
	for (uint32_t k = 0; k < d->nirq && k < DEVTREE_RES_MAX; k++)
		out->irq[out->nirq++] = d->irq[k];
	out->driver = d->driver;
	out->unit = d->unit;
	out->attached = d->attached;
}

/* attach or detach the device named in the request (not NUL-terminated),
 * announcing it; the reason for a refusal goes to the console. */
static int hotplug(const struct bus_msg *m, bool attach,
		   struct bus_msg *reply)
{
	const char *what = attach ? "attach" : "detach";
	char name[BUS_INLINE_MAX + 1];
	struct devtree_event ev;
	const struct dt_device *d;
	uint32_t i;
	int rc;

	if (m->len == 0 || m->len > BUS_INLINE_MAX)
		return -AE_EINVAL;
	memcpy(name, m->data, m->len);
	name[m->len] = '\0';
	rc = dt_lookup(&tree, drivers, (unsigned int)ndrivers, name);
	if (rc < 0) {
		kprintf("devtree: %s %s: no such device\n", what, name);
		return rc;
	}
	i = (uint32_t)rc;
	d = &tree.dev[i];
	if (d->driver >= 0 && !descs[d->driver].hotplug) {
		kprintf("devtree: %s %s: its driver (%s, in %s) cannot let it "
			"go\n", what, name, descs[d->driver].name,
			descs[d->driver].owner);
		return -AE_EPERM;
	}
	rc = attach ? dt_attach(&tree, i) : dt_detach(&tree, i);
	if (rc) {
		kprintf("devtree: %s %s: %s\n", what, name,
			rc == -AE_EBUSY ? d->why : rc == -AE_EEXIST ?
			"already attached" : "not attached");
		return rc;
	}
	describe(i, &ev);
	klog(KLOG_INFO, "devtree: %s %sed\n", d->path, what);
	/* at the top priority: whatever comes after the answer (the next
	 * line typed, at the console's inherited interrupt priority) must
	 * not overtake the news on its way to devfs and the driver (the
	 * contract's publish_devtree_device_added() would inherit it) */
	bus_publish(attach ? TOPIC_DEVTREE_DEVICE_ADDED :
			     TOPIC_DEVTREE_DEVICE_REMOVED,
		    0, &ev, sizeof(ev));
	memcpy(reply->data, &i, sizeof(i));
	reply->len = sizeof(i);
	return 0;
}

static int devtree_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	struct devtree_info_req q;
	struct devtree_info *out;
	uint32_t index;
	int rc;

	(void)state;
	if (!announced)
		announce();
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == TOPIC_DEVTREE_COUNT) {
		memcpy(reply->data, &tree.n, sizeof(tree.n));
		reply->len = sizeof(tree.n);
		return 0;
	}
	if (m->topic == TOPIC_DEVTREE_ATTACH ||
	    m->topic == TOPIC_DEVTREE_DETACH)
		return hotplug(m, m->topic == TOPIC_DEVTREE_ATTACH, reply);
	if (m->topic == TOPIC_DEVTREE_INFO) {
		if (m->len != sizeof(q))
			return -AE_EINVAL;
		memcpy(&q, m->data, sizeof(q));
		out = bus_grant_buf(m, q.out, sizeof(*out), BUS_GRANT_WRITE,
				    &rc);
		if (!out)
			return rc;
		if (q.index >= tree.n)
			return -AE_ENOENT;
		info(q.index, out);
		return 0;
	}
	if (m->topic != TOPIC_DEVTREE_DEVICE)
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
	.subscribe = SUBSCRIBES_DEVTREE,
	.serves = SERVES_DEVTREE);
