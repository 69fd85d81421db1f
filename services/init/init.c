/*
 * init.c - the init service: runs the user programs the command line
 * names (run=hello,fault) from the initrd, and reports how each ended.
 *
 * The initrd is the first boot module that is a newc cpio archive
 * (x86_64: a multiboot2 module or PVH's -initrd; AArch64: the loader's
 * initrd). For each name, in order: the program is found in the archive,
 * its ELF image checked (aegis/elf.h), an address space made for it, its
 * segments mapped with their permissions and filled, a 64 KiB stack
 * mapped at the top of the user range, and a user thread started at its
 * entry point. The thread owns the address space: at its exit every page
 * goes back to mm. Each step that fails says why, and the next program
 * is still tried:
 *
 *	init: hello: started as thread 0 (2 segments, entry 0x8000400000)
 *	init: hello (thread 0) exited with 0
 *	init: nothing: not in the initrd
 *
 * With run.exit on the command line, init ends the machine once every
 * program it started has ended: a success if each exited with 0.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/bootparam.h>
#include <aegis/bus.h>
#include <aegis/elf.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/sched.h>
#include <aegis/service.h>

#define PAGE		4096ull
#define STACK_SIZE	(64 * 1024ull)

#if defined(__x86_64__)
#define MACHINE ELF_EM_X86_64
#else
#define MACHINE ELF_EM_AARCH64
#endif

static char run_list[128];
BOOT_PARAM_STRING(run_list, "run",
		  "user programs to run from the initrd at boot, "
		  "comma-separated (run=hello,fault)");

static bool run_exit;
BOOT_PARAM_FLAG(run_exit, "run.exit",
		"end the machine once every program run= started has ended "
		"(exit status: failure if one ended with a code other than 0)");

#define PROGS_MAX 16

static bus_topic_t t_boot, t_exit;
static bool started;
static unsigned int running, failures;
static int progs[PROGS_MAX];	/* the threads init started, or -1 */

static int init_init(void)
{
	int b = bus_topic("kernel.boot.done"), e = bus_topic("sched.thread.exit");

	if (b < 0 || e < 0)
		return -AE_ENOSPC;
	t_boot = (bus_topic_t)b;
	t_exit = (bus_topic_t)e;
	for (unsigned int k = 0; k < PROGS_MAX; k++)
		progs[k] = -1;
	return 0;
}

/* The first boot module that is a cpio archive, through the direct map. */
static const void *initrd(size_t *len)
{
	const struct boot_info *bi = kernel_boot_info();
	struct HalDirectMap dm = hal_direct_map();

	for (uint32_t i = 0; bi && i < bi->nmod; i++) {
		const struct boot_module *m = &bi->mod[i];
		const char *p;

		if (m->len < 6 || m->base + m->len > dm.limit)
			continue;
		p = (const char *)(uintptr_t)(m->base + dm.offset);
		if (memcmp(p, "070701", 6) == 0) {
			*len = m->len;
			return p;
		}
	}
	return NULL;
}

/* Copy len bytes to user address va of address space id (mapped). */
static int fill(uint32_t id, uint64_t va, const uint8_t *src, uint64_t len)
{
	uint64_t off = hal_direct_map().offset;

	while (len) {
		uint64_t pa, n = PAGE - (va & (PAGE - 1));
		uint32_t prot;
		int rc;

		if (n > len)
			n = len;
		rc = mm_as_query(id, va & ~(PAGE - 1), &pa, &prot);
		if (rc)
			return rc;
		memcpy((void *)(uintptr_t)(pa + (va & (PAGE - 1)) + off), src,
		       n);
		va += n;
		src += n;
		len -= n;
	}
	return 0;
}

static int load(const char *name, const uint8_t *img, size_t len)
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t top = r.hi - PAGE, root;	/* a page of gap at the top */
	struct elf_image im;
	const char *why = "no reason given";
	uint32_t id;
	int rc;

	if (running >= PROGS_MAX) {
		kprintf("init: %s: more than %u programs at once; not started\n",
			name, PROGS_MAX);
		return -AE_ENOSPC;
	}
	rc = elf_parse(img, len, MACHINE, r.lo, top - STACK_SIZE, &im, &why);
	if (rc) {
		kprintf("init: %s: not a program this kernel runs: %s\n", name,
			why);
		return rc;
	}
	rc = mm_as_create(&id, &root);
	if (rc)
		goto out;
	for (uint32_t i = 0; i < im.nseg && !rc; i++) {
		const struct elf_seg *s = &im.seg[i];
		uint64_t a = s->vaddr & ~(PAGE - 1);
		uint64_t b = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
		uint32_t prot = HAL_PROT_USER |
			(s->prot & ELF_PROT_R ? HAL_PROT_READ : 0) |
			(s->prot & ELF_PROT_W ? HAL_PROT_WRITE : 0) |
			(s->prot & ELF_PROT_X ? HAL_PROT_EXEC : 0);

		rc = mm_as_map(id, a, b - a, HAL_PROT_READ | HAL_PROT_WRITE |
			       HAL_PROT_USER);
		if (!rc)
			rc = fill(id, s->vaddr, img + s->offset, s->filesz);
		/* write-and-execute is refused: text becomes r-x here */
		if (!rc)
			rc = mm_as_protect(id, a, b - a, prot);
	}
	if (!rc)
		rc = mm_as_map(id, top - STACK_SIZE, STACK_SIZE,
			       HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_USER);
	if (!rc) {
		rc = sched_spawn_user(name, 4, id, root, im.entry, top);
		if (rc >= 0) {
			kprintf("init: %s: started as thread %d (%u segments, "
				"entry %#llx)\n", name, rc, im.nseg,
				(unsigned long long)im.entry);
			for (unsigned int k = 0; k < PROGS_MAX; k++)
				if (progs[k] < 0) {
					progs[k] = rc;
					break;
				}
			running++;
			return 0;
		}
	}
	mm_as_destroy(id);
out:
	kprintf("init: %s: cannot start: %s\n", name, errno_desc(rc));
	return rc;
}

static void run_all(void)
{
	struct cpio_entry e;
	const char *why = "no reason given";
	size_t len = 0;
	const void *rd = initrd(&len);
	char name[sizeof(e.name)];

	if (!run_list[0])
		return;
	if (!rd) {
		kprintf("init: run=%s, but no initrd (a cpio archive module) "
			"was loaded\n", run_list);
		return;
	}
	for (const char *p = run_list; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int rc;

		if (n >= sizeof(name))
			kprintf("init: a name in run= is longer than %zu bytes; "
				"skipped\n", sizeof(name) - 1);
		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			rc = cpio_find(rd, len, name, &e, &why);
			if (rc == -AE_ENOENT)
				kprintf("init: %s: not in the initrd\n", name);
			else if (rc)
				kprintf("init: the initrd is malformed: %s\n",
					why);
			else
				load(name, e.data, e.size);
			if (rc && rc != -AE_ENOENT)
				return;
		}
		p += n + (end ? 1 : 0);
	}
}

static int init_handle(void *state, const struct bus_msg *m,
		       struct bus_msg *reply)
{
	struct sched_exit_event ev;

	(void)state;
	(void)reply;
	if (m->topic == t_boot && !started) {
		started = true;
		run_all();
		if (run_exit && running == 0) {
			kprintf("init: nothing started; exiting\n");
			hal_exit(1);
		}
		return 0;
	}
	if (m->topic == t_exit && m->len == sizeof(ev)) {
		unsigned int k;

		memcpy(&ev, m->data, sizeof(ev));
		for (k = 0; k < PROGS_MAX && progs[k] != ev.id; k++)
			;
		if (k == PROGS_MAX)
			return 0;	/* a thread init did not start */
		progs[k] = -1;
		kprintf("init: %s (thread %d) exited with %d\n", ev.name, ev.id,
			ev.code);
		if (ev.code)
			failures++;
		if (running && --running == 0 && run_exit) {
			kprintf("init: every program has ended; exiting (%u "
				"failed)\n", failures);
			hal_exit(failures ? 1 : 0);
		}
	}
	return 0;
}

SERVICE(init,
	.name = "init",
	.init = init_init,
	.handler = init_handle,
	.subscribe = SERVICE_LIST("kernel.boot.done", "sched.thread.exit"),
	.needs = SERVICE_LIST("sched", "mm"));
