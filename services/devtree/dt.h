/*
 * dt.h - the device-tree enumerator's model: the devices a flattened
 * device tree describes, the drivers that match them, and the resources
 * (MMIO ranges, interrupt lines) each claims. Pure (libfdt only): tested
 * on the host against trees compiled by dtc.
 *
 * A device is any node with a "compatible" property whose "status" is
 * absent, "okay" or "ok". Its "reg" is read with its parent's
 * #address-cells/#size-cells (ranges are not translated: the trees Aegis
 * runs on map child buses 1:1 or name I/O ports directly); its
 * "interrupts" are read with its interrupt parent's #interrupt-cells and
 * turned into the HAL's line numbers (GIC: SPI n is 32 + n, PPI n is
 * 16 + n; I/O APIC: the GSI; anything else: the first cell).
 */
#ifndef AEGIS_DEVTREE_DT_H
#define AEGIS_DEVTREE_DT_H

#include <aegis/devtree.h>
#include <aegis/types.h>

#define DT_MAX_DEVICES	DEVTREE_MAX_DEVICES
#define DT_PATH_MAX	96
#define DT_COMPAT_MAX	4	/* compatible strings kept per device */
#define DT_STR_MAX	32
#define DT_REG_MAX	4
#define DT_IRQ_MAX	4
#define DT_NO_IRQ	0xffffffffu

struct dt_reg {
	uint64_t base, size;
};

struct dt_device {
	char path[DT_PATH_MAX];
	char name[DT_STR_MAX];		/* the node name, unit address cut */
	char compat[DT_COMPAT_MAX][DT_STR_MAX];
	uint32_t ncompat;
	struct dt_reg reg[DT_REG_MAX];
	uint32_t nreg;
	uint32_t irq[DT_IRQ_MAX];	/* HAL line numbers */
	uint32_t nirq;
	int32_t driver;			/* index into the drivers, or -1 */
	int32_t claim_error;		/* 0, or why resources were refused */
	char why[64];			/* a refusal's reason */
	bool attached;			/* present, its resources held */
	uint8_t unit;			/* number among its driver's devices */
	uint8_t matched;		/* the compat[] its driver took */
};

struct dt_tree {
	uint32_t n;
	uint32_t skipped;		/* disabled nodes, or past the limit */
	uint32_t nwarn;
	char warn[4][96];		/* the first oddities found */
	struct dt_device dev[DT_MAX_DEVICES];
};

/* A driver: a name and the compatible strings it takes, most specific
 * first; a device matches the first driver that lists any of its own
 * compatible strings, its own order deciding ties. */
struct dt_driver {
	const char *name;
	const char *const *compatible;	/* NULL-terminated */
};

/*
 * dt_enumerate - fill t with the devices of the tree at fdt (size bytes,
 * 8-byte aligned). -EBADMSG with *why for a blob libfdt refuses, one
 * whose totalsize exceeds size, or a structure that breaks while walked;
 * oddities in single nodes (a truncated reg, an interrupt in a form no
 * controller driver reads) are warnings, the node kept without them.
 */
int dt_enumerate(struct dt_tree *t, const void *fdt, size_t size,
		 const char **why);

/* dt_match - give each device the first driver of drivers[0..n) that
 * takes one of its compatible strings (or -1). Returns how many matched. */
unsigned int dt_match(struct dt_tree *t, const struct dt_driver *drivers,
		      unsigned int n);

/*
 * dt_claim - reserve every matched device's MMIO ranges and interrupt
 * lines, in tree order, and number each driver's devices (unit). A device
 * whose range overlaps one already claimed, or whose line is taken, gets
 * nothing: claim_error -EBUSY, the reason in why, not attached (its
 * driver is kept, for a dt_attach once the holder is detached). Devices
 * without a driver are attached and hold nothing. Returns how many
 * devices were refused.
 */
unsigned int dt_claim(struct dt_tree *t);

/* dt_find - the index of the device at path, or -ENOENT. */
int dt_find(const struct dt_tree *t, const char *path);

/*
 * Hot-plug. A device that dt_claim let in is attached; detaching it
 * releases its registers and interrupt lines (its driver and unit number
 * stay, for when it comes back); attaching it claims them again, against
 * every attached device, and is refused (-EBUSY, the reason in why) if
 * another holds them now. dt_detach: 0 or -ENODEV (not attached).
 * dt_attach: 0, -EEXIST (already attached), -EBUSY (a conflict; driver
 * and why kept, so a later attach can try again).
 */
int dt_detach(struct dt_tree *t, uint32_t i);
int dt_attach(struct dt_tree *t, uint32_t i);

/* dt_lookup - the index of a device by its instance name (driver name
 * and unit, "rtc0", given the drivers' names), tree path or node name
 * (the first with that name), or -ENOENT. */
int dt_lookup(const struct dt_tree *t, const struct dt_driver *drivers,
	      unsigned int n, const char *name);

#endif
