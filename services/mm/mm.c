/*
 * mm.c - the mm service: physical memory for everyone else, over the bus.
 *
 * At its first start it plans physical memory from the boot memory map
 * (phys.c: usable regions in the HAL's direct map, less the first MiB,
 * the kernel image, boot modules and the device tree), puts the buddy
 * allocator's metadata in the first free range with room, and then
 * answers the requests of aegis/mm.h (mm_core.c).
 *
 * A restart (the supervisor, after a fault) keeps the allocator as it
 * was: the pages other services hold are theirs across an mm restart,
 * and planning again would hand them out twice. Only the watermark is
 * re-read.
 */
#include <aegis/boot_info.h>
#include <aegis/bootparam.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/topics.h>
#include "mm_core.h"

#define MiB (1ull << 20)

static uint32_t low_percent = 5;
BOOT_PARAM_UINT(low_percent, "mm.low", 0, 50,
		"free memory, percent of all, below which mm.pages.low is "
		"published");

static struct mm_state mm;
static struct phys_plan plan;
static bool planned;

static void log_line(const char *line)
{
	kprintf("%s\n", line);
}

static int add(struct phys_range *r, unsigned int *n, uint64_t base,
	       uint64_t len)
{
	if (!len)
		return 0;
	r[*n].base = base;
	r[*n].end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	(*n)++;
	return 0;
}

static int mm_init(void)
{
	const struct boot_info *bi = kernel_boot_info();
	struct HalDirectMap dm = hal_direct_map();
	struct phys_range res[3 + BOOT_MOD_MAX];
	unsigned int n = 0;
	const char *why;
	int rc;

	if (planned) {
		mm.low_mark = mm.b.managed_frames * low_percent / 100;
		return 0;
	}
	if (!bi)
		return -AE_ENODEV;
	/* The first MiB: the null page, and on PCs the firmware's data
	 * (real-mode vectors, BIOS data area, EBDA) whatever the map says. */
	add(res, &n, 0, MiB);
	add(res, &n, bi->kernel_start, bi->kernel_end - bi->kernel_start);
	for (uint32_t i = 0; i < bi->nmod && i < BOOT_MOD_MAX; i++)
		add(res, &n, bi->mod[i].base, bi->mod[i].len);
	add(res, &n, bi->dtb, bi->dtb_size);
	rc = phys_plan(&plan, bi, res, n, dm.limit, &why);
	if (rc) {
		kprintf("mm: no physical memory to manage: %s\n", why);
		return rc;
	}
	rc = mm_core_init(&mm, &plan,
			  (void *)(uintptr_t)(plan.meta_pa + dm.offset),
			  dm.offset, low_percent, log_line);
	if (rc) {
		kprintf("mm: cannot start the frame allocator: %s\n",
			errno_desc(rc));
		return rc;
	}
	mm.as_handle = mm_as_handle;
	planned = true;
	klog(KLOG_INFO, "mm: %llu KiB free in %u ranges of %llu KiB usable "
	     "(reserved %llu KiB, frame metadata %llu KiB at %#llx%s)\n",
	     (unsigned long long)(mm.b.free_frames * 4),
	     plan.nfree, (unsigned long long)(plan.usable_bytes / 1024),
	     (unsigned long long)(plan.reserved_bytes / 1024),
	     (unsigned long long)(plan.meta_bytes / 1024),
	     (unsigned long long)plan.meta_pa,
	     plan.clipped_bytes ? "; memory beyond the direct map unused" : "");
	return 0;
}

SERVICE(mm,
	.name = "mm",
	.prio = SERVICE_PRIO(1),
	.init = mm_init,
	.handler = mm_core_handle,
	.state = &mm,
	/* its state is its own (the bus runs it on one CPU at a time), and
	 * kmalloc on any CPU asks it for slabs */
	.anycpu = true,
	.subscribe = SUBSCRIBES_MM,
	.serves = SERVES_MM);
