/*
 * enumerate.c - devices, drivers and resources from a flattened device
 * tree (see dt.h).
 */
#include <string.h>
#include <libfdt.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include "dt.h"

static void warn(struct dt_tree *t, const char *path, const char *what)
{
	if (t->nwarn < 4)
		ksnprintf(t->warn[t->nwarn], sizeof(t->warn[0]), "%s: %s",
			  path, what);
	t->nwarn++;
}

/* A property that is a list of NUL-terminated strings, all terminated. */
static bool string_list(const char *p, int len)
{
	return p && len > 0 && p[len - 1] == '\0';
}

static bool enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	if (!s)
		return true;
	if (!string_list(s, len))
		return false;
	return strcmp(s, "okay") == 0 || strcmp(s, "ok") == 0;
}

static uint32_t cells(const void *fdt, int node, const char *name,
		      uint32_t dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	return p && len == 4 ? fdt32_to_cpu(*p) : dflt;
}

static uint64_t read_cells(const fdt32_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

static void read_reg(struct dt_tree *t, struct dt_device *d,
		     const void *fdt, int node, int parent)
{
	uint32_t ac = cells(fdt, parent, "#address-cells", 2);
	uint32_t sc = cells(fdt, parent, "#size-cells", 1);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	uint32_t per = ac + sc;

	if (!reg)
		return;
	if (ac == 0 || ac > 2 || sc > 2 || len % (int)(per * 4)) {
		warn(t, d->path, "reg not in its parent's cell sizes");
		return;
	}
	for (int off = 0; off + (int)per * 4 <= len && d->nreg < DT_REG_MAX;
	     off += (int)per * 4) {
		const fdt32_t *c = reg + off / 4;

		d->reg[d->nreg].base = read_cells(c, ac);
		d->reg[d->nreg].size = sc ? read_cells(c + ac, sc) : 0;
		d->nreg++;
	}
}

static bool compat_is(const void *fdt, int node, const char *prefix)
{
	int len;
	const char *c = fdt_getprop(fdt, node, "compatible", &len);

	return string_list(c, len) && strncmp(c, prefix, strlen(prefix)) == 0;
}

/* One interrupt specifier to the HAL's line number, or DT_NO_IRQ. */
static uint32_t line_of(const void *fdt, int ic, const fdt32_t *spec,
			uint32_t ncells)
{
	if (ncells == 3 && (compat_is(fdt, ic, "arm,gic") ||
			    compat_is(fdt, ic, "arm,cortex-a15-gic"))) {
		uint32_t type = fdt32_to_cpu(spec[0]);
		uint32_t n = fdt32_to_cpu(spec[1]);

		if (type == 0 && n < 988)
			return 32 + n;
		if (type == 1 && n < 16)
			return 16 + n;
		return DT_NO_IRQ;
	}
	if (ncells >= 1)
		return fdt32_to_cpu(spec[0]);
	return DT_NO_IRQ;
}

static void read_irqs(struct dt_tree *t, struct dt_device *d,
		      const void *fdt, int node)
{
	int len, ic;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	uint32_t n;

	if (!irq)
		return;
	ic = fdt_interrupt_parent(fdt, node);
	n = ic >= 0 ? cells(fdt, ic, "#interrupt-cells", 0) : 0;
	if (n == 0 || n > 4 || len % (int)(n * 4)) {
		warn(t, d->path, "interrupts without a usable interrupt parent");
		return;
	}
	for (int off = 0; off + (int)n * 4 <= len && d->nirq < DT_IRQ_MAX;
	     off += (int)n * 4) {
		uint32_t line = line_of(fdt, ic, irq + off / 4, n);

		if (line == DT_NO_IRQ || line >= 1024) {
			warn(t, d->path, "interrupt out of range");
			continue;
		}
		d->irq[d->nirq++] = line;
	}
}

static void read_compat(struct dt_device *d, const char *c, int len)
{
	for (int off = 0; off < len && d->ncompat < DT_COMPAT_MAX;) {
		size_t n = strnlen(c + off, (size_t)(len - off));

		if (n && n < DT_STR_MAX)
			memcpy(d->compat[d->ncompat++], c + off, n + 1);
		off += (int)n + 1;
	}
}

/*
 * The whole structure block, walked before libfdt's lookups trust it
 * (libfdt checks only the header; fdt_check_full is not in the copy the
 * kernel builds): every tag inside the block, node names and property
 * names terminated, properties only inside nodes, nodes properly nested,
 * one root, the end tag last, and every tag after the one before.
 */
static int check_structure(const void *fdt, const char **why)
{
	int offset = 0, next, depth = 0, nodes = 0;
	bool root_done = false;

	for (;;) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);

		if (next < 0) {
			*why = "structure block ends inside a tag";
			return -AE_EBADMSG;
		}
		/* a property length that wraps (-12 makes the next tag the
		 * property itself) would walk in circles */
		if (next <= offset) {
			*why = "a property's length runs backwards";
			return -AE_EBADMSG;
		}
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (root_done || ++nodes > 100000) {
				*why = "node outside the root";
				return -AE_EBADMSG;
			}
			depth++;
			break;
		case FDT_END_NODE:
			if (--depth < 0) {
				*why = "unbalanced end of node";
				return -AE_EBADMSG;
			}
			if (depth == 0)
				root_done = true;
			break;
		case FDT_PROP: {
			const struct fdt_property *pr;
			int len;

			if (depth == 0) {
				*why = "property outside any node";
				return -AE_EBADMSG;
			}
			pr = fdt_get_property_by_offset(fdt, offset, &len);
			if (!pr || !fdt_get_string(fdt,
						   (int)fdt32_ld(&pr->nameoff),
						   &len)) {
				*why = "property with a bad name or length";
				return -AE_EBADMSG;
			}
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth != 0 || !root_done) {
				*why = "structure ends inside a node";
				return -AE_EBADMSG;
			}
			return 0;
		default:
			*why = "unknown tag in the structure block";
			return -AE_EBADMSG;
		}
		offset = next;
	}
}

int dt_enumerate(struct dt_tree *t, const void *fdt, size_t size,
		 const char **why)
{
	int node, depth = 0, rc;

	memset(t, 0, sizeof(*t));
	if (!fdt || size < sizeof(struct fdt_header) ||
	    ((uintptr_t)fdt & 7)) {
		*why = "no device tree, or shorter than its header, or "
		       "misaligned";
		return -AE_EBADMSG;
	}
	rc = fdt_check_header(fdt);
	if (rc) {
		*why = fdt_strerror(rc);
		return -AE_EBADMSG;
	}
	if (fdt_totalsize(fdt) > size) {
		*why = "device tree totalsize larger than the blob";
		return -AE_EBADMSG;
	}
	/* the structure block is 4-byte aligned (devicetree specification
	 * 5.1): anything else would have libfdt read its tags misaligned
	 * (found by the fuzzer) */
	if (fdt_off_dt_struct(fdt) & 3) {
		*why = "structure block not 4-byte aligned";
		return -AE_EBADMSG;
	}
	rc = check_structure(fdt, why);
	if (rc)
		return rc;
	for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		int clen, len, parent;
		const char *c = fdt_getprop(fdt, node, "compatible", &clen);
		const char *name;
		struct dt_device *d;

		if (!c || node == 0)	/* the root names the machine */
			continue;
		if (!string_list(c, clen) || !enabled(fdt, node)) {
			t->skipped++;
			continue;
		}
		if (t->n == DT_MAX_DEVICES) {
			t->skipped++;
			continue;
		}
		d = &t->dev[t->n];
		memset(d, 0, sizeof(*d));
		d->driver = -1;
		if (fdt_get_path(fdt, node, d->path, sizeof(d->path))) {
			t->skipped++;
			continue;
		}
		name = fdt_get_name(fdt, node, &len);
		if (name) {
			size_t n = 0;

			while (name[n] && name[n] != '@')
				n++;

			if (n >= DT_STR_MAX)
				n = DT_STR_MAX - 1;
			memcpy(d->name, name, n);
			d->name[n] = '\0';
		}
		read_compat(d, c, clen);
		t->n++;
		parent = fdt_parent_offset(fdt, node);
		if (parent >= 0)
			read_reg(t, d, fdt, node, parent);
		read_irqs(t, d, fdt, node);
	}
	if (node != -FDT_ERR_NOTFOUND) {
		*why = fdt_strerror(node);
		return -AE_EBADMSG;
	}
	return 0;
}

unsigned int dt_match(struct dt_tree *t, const struct dt_driver *drivers,
		      unsigned int n)
{
	unsigned int matched = 0;

	for (uint32_t i = 0; i < t->n; i++) {
		struct dt_device *d = &t->dev[i];

		d->driver = -1;
		for (uint32_t c = 0; c < d->ncompat && d->driver < 0; c++)
			for (unsigned int k = 0; k < n && d->driver < 0; k++)
				for (const char *const *s =
					     drivers[k].compatible;
				     s && *s; s++)
					if (strcmp(*s, d->compat[c]) == 0) {
						d->driver = (int32_t)k;
						d->matched = (uint8_t)c;
						break;
					}
		if (d->driver >= 0)
			matched++;
	}
	return matched;
}

static bool overlap(const struct dt_reg *a, const struct dt_reg *b)
{
	uint64_t ae = a->base + (a->size ? a->size : 1);
	uint64_t be = b->base + (b->size ? b->size : 1);

	return a->base < be && b->base < ae;
}

/* Whether d's resources collide with o's; if so, the reason in d->why. */
static bool collides(struct dt_device *d, const struct dt_device *o)
{
	for (uint32_t a = 0; a < d->nreg; a++)
		for (uint32_t b = 0; b < o->nreg; b++)
			if (overlap(&d->reg[a], &o->reg[b])) {
				ksnprintf(d->why, sizeof(d->why),
					  "registers at %#llx held by %s",
					  (unsigned long long)d->reg[a].base,
					  o->path);
				return true;
			}
	for (uint32_t a = 0; a < d->nirq; a++)
		for (uint32_t b = 0; b < o->nirq; b++)
			if (d->irq[a] == o->irq[b]) {
				ksnprintf(d->why, sizeof(d->why),
					  "interrupt %u held by %s", d->irq[a],
					  o->path);
				return true;
			}
	return false;
}

/* Whether a driven device holding resources conflicts with device i:
 * those before it (at boot) or every other one (hot-plug). */
static bool conflict(struct dt_tree *t, uint32_t i, uint32_t upto)
{
	for (uint32_t j = 0; j < upto; j++) {
		const struct dt_device *o = &t->dev[j];

		if (j == i || o->driver < 0 || !o->attached)
			continue;
		if (collides(&t->dev[i], o))
			return true;
	}
	return false;
}

unsigned int dt_claim(struct dt_tree *t)
{
	unsigned int refused = 0;
	uint8_t units[256];

	memset(units, 0, sizeof(units));
	for (uint32_t i = 0; i < t->n; i++) {
		struct dt_device *d = &t->dev[i];

		d->claim_error = 0;
		d->why[0] = '\0';
		d->attached = true;
		d->unit = 0;
		if (d->driver < 0)
			continue;
		if (d->driver < 256)
			d->unit = units[d->driver]++;
		if (conflict(t, i, i)) {
			d->claim_error = -AE_EBUSY;
			d->attached = false;
			refused++;
		}
	}
	return refused;
}

int dt_detach(struct dt_tree *t, uint32_t i)
{
	if (i >= t->n || !t->dev[i].attached)
		return -AE_ENODEV;
	t->dev[i].attached = false;
	return 0;
}

int dt_attach(struct dt_tree *t, uint32_t i)
{
	struct dt_device *d;

	if (i >= t->n)
		return -AE_ENODEV;
	d = &t->dev[i];
	if (d->attached)
		return -AE_EEXIST;
	d->why[0] = '\0';
	if (d->driver >= 0 && conflict(t, i, t->n)) {
		d->claim_error = -AE_EBUSY;
		return -AE_EBUSY;
	}
	d->claim_error = 0;
	d->attached = true;
	return 0;
}

int dt_lookup(const struct dt_tree *t, const struct dt_driver *drivers,
	      unsigned int n, const char *name)
{
	char inst[DT_STR_MAX + 4];

	for (uint32_t i = 0; i < t->n; i++) {
		const struct dt_device *d = &t->dev[i];

		if (d->driver >= 0 && (unsigned int)d->driver < n) {
			ksnprintf(inst, sizeof(inst), "%s%u",
				  drivers[d->driver].name, d->unit);
			if (strcmp(inst, name) == 0)
				return (int)i;
		}
	}
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->dev[i].path, name) == 0 ||
		    strcmp(t->dev[i].name, name) == 0)
			return (int)i;
	return -AE_ENOENT;
}

int dt_find(const struct dt_tree *t, const char *path)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->dev[i].path, path) == 0)
			return (int)i;
	return -AE_ENOENT;
}
