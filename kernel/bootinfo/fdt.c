/*
 * fdt.c - fill boot_info from a flattened device tree (arm64 boot, x0).
 *
 * libfdt does the structural work; this file checks every property length
 * before it reads a cell, because libfdt hands back whatever bytes the
 * blob holds. Only what the kernel needs before the device-tree service
 * starts is taken here: memory, command line, initrd, the console UART
 * and the PSCI conduit.
 */
#include <string.h>
#include <libfdt.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

static int cells_of(const void *fdt, int node, int *ac, int *sc,
		    const char **why)
{
	*ac = fdt_address_cells(fdt, node);
	*sc = fdt_size_cells(fdt, node);
	if (*ac < 1 || *ac > 2 || *sc < 0 || *sc > 2) {
		*why = "#address-cells/#size-cells missing or not 1..2";
		return -AE_EBADMSG;
	}
	return 0;
}

static int parse_memory(struct boot_info *bi, const void *fdt,
			const char **why)
{
	int ac, sc, node, len, found = 0, rc;

	rc = cells_of(fdt, 0, &ac, &sc, why);
	if (rc)
		return rc;
	if (sc == 0) {
		*why = "root #size-cells is 0";
		return -AE_EBADMSG;
	}
	fdt_for_each_subnode(node, fdt, 0) {
		const char *dt = fdt_getprop(fdt, node, "device_type", &len);
		const fdt32_t *reg;
		int stride = (ac + sc) * 4;

		if (!dt || len < 7 || strncmp(dt, "memory", 7) != 0)
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len <= 0 || len % stride) {
			*why = "memory node reg missing or not a whole "
			       "number of (address, size) cells";
			return -AE_EBADMSG;
		}
		for (int i = 0; i < len / stride; i++) {
			const fdt32_t *c = reg + i * (ac + sc);
			uint64_t base = read_cells(c, ac);
			uint64_t size = read_cells(c + ac, sc);

			if (size == 0)
				continue;
			if (base + size < base) {
				*why = "memory region wraps around";
				return -AE_EBADMSG;
			}
			boot_add_mem(bi, base, size, BOOT_MEM_USABLE);
			found++;
		}
	}
	if (!found) {
		*why = "no memory node with a non-empty reg";
		return -AE_EBADMSG;
	}
	/* The /memreserve/ block: firmware-owned ranges inside RAM. */
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t addr, size;

		if (fdt_get_mem_rsv(fdt, i, &addr, &size) == 0 && size)
			boot_add_mem(bi, addr, size, BOOT_MEM_RESERVED);
	}
	return 0;
}

static int prop_u64(const void *fdt, int node, const char *name,
		    uint64_t *v, const char **why)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 4 && len != 8) {
		*why = "linux,initrd-start/-end is not 4 or 8 bytes";
		return -AE_EBADMSG;
	}
	*v = read_cells(p, len / 4);
	return 1;
}

static int parse_chosen(struct boot_info *bi, const void *fdt,
			const char **why)
{
	int node = fdt_path_offset(fdt, "/chosen");
	const char *s;
	uint64_t start = 0, end = 0;
	int len, rc, a, b;

	if (node < 0)
		return 0;	/* no /chosen: no command line, no initrd */
	s = fdt_getprop(fdt, node, "bootargs", &len);
	if (s && len > 0) {	/* an empty property is an empty line */
		rc = boot_copy_str(bi->cmdline, sizeof(bi->cmdline), s,
				   (size_t)len);
		if (rc < 0) {
			*why = "/chosen/bootargs not NUL-terminated";
			return rc;
		}
		if (rc)
			boot_warn(bi, "command line truncated to %d bytes",
				  BOOT_CMDLINE_MAX - 1);
	}
	a = prop_u64(fdt, node, "linux,initrd-start", &start, why);
	b = prop_u64(fdt, node, "linux,initrd-end", &end, why);
	if (a < 0 || b < 0)
		return -AE_EBADMSG;
	if (a != b) {
		*why = "only one of linux,initrd-start/-end present";
		return -AE_EBADMSG;
	}
	if (a && end < start) {
		*why = "linux,initrd-end before linux,initrd-start";
		return -AE_EBADMSG;
	}
	if (a && end > start)
		boot_add_module(bi, start, end - start, "initrd", 7);
	if (fdt_getprop(fdt, node, "linux,uefi-system-table", NULL))
		bi->firmware = BOOT_FW_UEFI;
	return 0;
}

/*
 * The console: /chosen/stdout-path is a path or an alias, optionally
 * followed by ":options". Missing or odd is not fatal (the kernel falls
 * back to its default UART and says so), so this only warns.
 */
#define BUS_ALIAS_MAX 64

/* The interrupt parent of node (devicetree specification, 2.4.1): its
 * interrupt-parent property if it has one, else its devicetree parent.
 * A node that has neither interrupts nor is a controller passes the
 * question up, so the walk goes on through plain bus nodes to the first
 * one that names a parent or is an interrupt controller. */
int fdt_interrupt_parent(const void *fdt, int node)
{
	const fdt32_t *ph;
	int len;

	for (int depth = 0; node >= 0 && depth < 32; depth++) {
		ph = fdt_getprop(fdt, node, "interrupt-parent", &len);
		if (ph && len == 4)
			return fdt_node_offset_by_phandle(fdt,
							  fdt32_to_cpu(*ph));
		if (node == 0)
			break;
		node = fdt_parent_offset(fdt, node);
		if (node >= 0 &&
		    fdt_getprop(fdt, node, "interrupt-controller", NULL))
			return node;
	}
	return -FDT_ERR_NOTFOUND;
}

/* Whether the controller at node has a compatible starting with prefix. */
static bool compat_prefix(const void *fdt, int node, const char *prefix)
{
	int len;
	const char *c = fdt_getprop(fdt, node, "compatible", &len);

	return c && len > 0 && strnlen(c, (size_t)len) < (size_t)len &&
	       strncmp(c, prefix, strlen(prefix)) == 0;
}

/*
 * The console UART's interrupt, in one of the two bindings the HAL
 * drives: the GIC's three cells <type number flags> (type 0 is an SPI,
 * INTID 32 + number; 1 a PPI, 16 + number), or the I/O APIC's two cells
 * <gsi flags> (the global system interrupt itself). No interrupts
 * property means a polled console (no warning); anything else is a
 * warning and leaves uart_intid 0.
 */
static void parse_uart_irq(struct boot_info *bi, const void *fdt, int node)
{
	const fdt32_t *irq, *ncells;
	uint32_t type, num;
	int len, clen, ic;

	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (!irq)
		return;
	ic = fdt_interrupt_parent(fdt, node);
	ncells = ic >= 0 ? fdt_getprop(fdt, ic, "#interrupt-cells", &clen)
			 : NULL;
	if (ncells && clen == 4 && fdt32_to_cpu(*ncells) == 2 && len >= 8 &&
	    compat_prefix(fdt, ic, "intel,ioapic")) {
		num = fdt32_to_cpu(irq[0]);
		if (fdt32_to_cpu(irq[1]) != 1)
			boot_warn(bi, "console UART interrupt not edge-rising "
				  "(the only trigger the HAL routes)");
		else if (num && num < 240)
			bi->uart_intid = num;
		else
			boot_warn(bi, "console UART interrupt %u out of range",
				  num);
		return;
	}
	if (!ncells || clen != 4 || fdt32_to_cpu(*ncells) != 3 || len < 12 ||
	    !(compat_prefix(fdt, ic, "arm,gic") ||
	      compat_prefix(fdt, ic, "arm,cortex-a15-gic"))) {
		boot_warn(bi, "console UART interrupt in neither the GIC's "
			  "3-cell nor the I/O APIC's 2-cell form");
		return;
	}
	type = fdt32_to_cpu(irq[0]);
	num = fdt32_to_cpu(irq[1]);
	if (type == 0 && num < 988)
		bi->uart_intid = 32 + num;
	else if (type == 1 && num < 16)
		bi->uart_intid = 16 + num;
	else
		boot_warn(bi, "console UART interrupt type %u number %u out "
			  "of range", type, num);
}

static void parse_stdout(struct boot_info *bi, const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path, *colon, *compat;
	const fdt32_t *reg;
	int len, node, plen, ac, sc, parent;
	const char *why;

	if (chosen < 0)
		return;
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path || len <= 0 || strnlen(path, (size_t)len) == (size_t)len)
		return;
	colon = strchr(path, ':');
	plen = colon ? (int)(colon - path) : (int)strlen(path);
	if (path[0] != '/') {
		/* Resolve the alias here: libfdt would follow an alias that
		 * names another alias (or itself) without end. An alias value
		 * must be an absolute path, NUL-terminated. */
		int aliases = fdt_path_offset(fdt, "/aliases");
		char alias[BUS_ALIAS_MAX];

		if (aliases < 0 || plen >= (int)sizeof(alias)) {
			boot_warn(bi, "stdout-path alias not found");
			return;
		}
		memcpy(alias, path, (size_t)plen);
		alias[plen] = '\0';
		path = fdt_getprop(fdt, aliases, alias, &len);
		if (!path) {
			boot_warn(bi, "stdout-path alias not found");
			return;
		}
		if (len <= 1 || path[0] != '/' ||
		    strnlen(path, (size_t)len) == (size_t)len) {
			boot_warn(bi, "stdout-path alias is not an absolute "
				  "path");
			return;
		}
		plen = (int)strlen(path);
	}
	node = fdt_path_offset_namelen(fdt, path, plen);
	if (node < 0) {
		boot_warn(bi, "stdout-path node not found");
		return;
	}
	parent = fdt_parent_offset(fdt, node);
	if (parent < 0 || cells_of(fdt, parent, &ac, &sc, &why))
		return;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < (ac + sc) * 4) {
		boot_warn(bi, "stdout-path node has no usable reg");
		return;
	}
	bi->uart_base = read_cells(reg, ac);
	compat = fdt_getprop(fdt, node, "compatible", &len);
	if (compat && len > 0)
		boot_copy_str(bi->uart_compat, sizeof(bi->uart_compat), compat,
			      (size_t)len);
	parse_uart_irq(bi, fdt, node);
}

/*
 * The root interrupt controller: the root's interrupt-parent, else the
 * first node marked interrupt-controller. Only named here (the HAL's
 * interrupt layer drives it).
 */
static void parse_intc(struct boot_info *bi, const void *fdt)
{
	const fdt32_t *ph, *reg;
	const char *compat;
	int node = -1, len, parent, ac, sc;
	const char *why;

	ph = fdt_getprop(fdt, 0, "interrupt-parent", &len);
	if (ph && len == 4)
		node = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ph));
	if (node < 0)
		node = fdt_node_offset_by_prop_value(fdt, -1,
						     "interrupt-controller",
						     NULL, 0);
	if (node < 0)
		return;		/* none named: the HAL's interrupt layer says */
	compat = fdt_getprop(fdt, node, "compatible", &len);
	if (compat && len > 0)
		boot_copy_str(bi->intc_compat, sizeof(bi->intc_compat), compat,
			      (size_t)len);
	parent = fdt_parent_offset(fdt, node);
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (parent >= 0 && !cells_of(fdt, parent, &ac, &sc, &why) && reg &&
	    len >= (ac + sc) * 4) {
		bi->intc_base = read_cells(reg, ac);
		if (len >= 2 * (ac + sc) * 4)
			bi->intc_base2 = read_cells(reg + ac + sc, ac);
	}
}

/*
 * The architected timer's virtual interrupt: the third of the four
 * <type num flags> triples of the arm,armv8-timer node (secure, non-secure,
 * virtual, hypervisor). A PPI (type 1) number n is INTID 16 + n.
 */
static void parse_timer(struct boot_info *bi, const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	const fdt32_t *irq;
	int len;

	if (node < 0)
		return;
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (!irq || len < 9 * 4) {
		boot_warn(bi, "timer node without its virtual interrupt");
		return;
	}
	if (fdt32_to_cpu(irq[6]) != 1 || fdt32_to_cpu(irq[7]) > 15) {
		boot_warn(bi, "timer's virtual interrupt is not a PPI");
		return;
	}
	bi->timer_intid = 16 + fdt32_to_cpu(irq[7]);
}

static void parse_psci(struct boot_info *bi, const void *fdt)
{
	int node = fdt_path_offset(fdt, "/psci");
	const char *m;
	int len;

	if (node < 0)
		return;
	m = fdt_getprop(fdt, node, "method", &len);
	/* Exactly "hvc\0" or "smc\0": a prefix or an unterminated value is
	 * not a method. */
	if (m && len == 4 && m[3] == '\0' &&
	    (strcmp(m, "hvc") == 0 || strcmp(m, "smc") == 0))
		memcpy(bi->psci_method, m, 4);
	else
		boot_warn(bi, "/psci method missing or not hvc/smc");
}

/* The header checks every tree gets before libfdt walks it. */
static int check_blob(const void *fdt, size_t avail, const char **why)
{
	int rc;

	if (!fdt || avail < sizeof(struct fdt_header)) {
		*why = "device tree missing or shorter than its header";
		return -AE_EBADMSG;
	}
	if (((uintptr_t)fdt & 7)) {
		*why = "device tree not 8-byte aligned";
		return -AE_EBADMSG;
	}
	rc = fdt_check_header(fdt);
	if (rc) {
		*why = fdt_strerror(rc);
		return -AE_EBADMSG;
	}
	if (fdt_totalsize(fdt) > avail) {
		*why = "device tree totalsize larger than the blob";
		return -AE_EBADMSG;
	}
	return 0;
}

int fdt_boot_parse(struct boot_info *bi, const void *fdt, size_t avail,
		   paddr_t fdt_pa, const char **why)
{
	int rc;

	boot_info_init(bi, BOOT_PROTO_FDT);
	bi->firmware = BOOT_FW_NONE;
	rc = check_blob(fdt, avail, why);
	if (rc)
		return rc;
	bi->dtb = fdt_pa;
	bi->dtb_size = fdt_totalsize(fdt);
	rc = parse_memory(bi, fdt, why);
	if (rc)
		return rc;
	rc = parse_chosen(bi, fdt, why);
	if (rc)
		return rc;
	parse_stdout(bi, fdt);
	parse_intc(bi, fdt);
	parse_timer(bi, fdt);
	parse_psci(bi, fdt);
	return 0;
}

int fdt_platform_parse(struct boot_info *bi, const void *fdt, size_t avail,
		       paddr_t fdt_pa, const char **why)
{
	int rc = check_blob(fdt, avail, why);

	if (rc)
		return rc;
	bi->dtb = fdt_pa;
	bi->dtb_size = fdt_totalsize(fdt);
	parse_stdout(bi, fdt);
	parse_intc(bi, fdt);
	return 0;
}
