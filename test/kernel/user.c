/*
 * user.c - in-kernel tests of user mode on the real target: a thread
 * leaves for ring 3 / EL0 in an address space of its own, writes a line
 * through the system call, and exits with a code; another touches
 * address 0 and is killed with a one-line report while the kernel goes
 * on; every page comes back.
 *
 * The user code is a few instructions of assembly kept in the kernel
 * image (user_hello, user_crash below), copied into a user page: the ELF
 * loader and test/user/ come with the rest of the scheduler issue.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/service.h>
#include <aegis/syscall.h>

#if defined(__x86_64__)
__asm__(".section .rodata.user_code, \"a\"\n"
	".intel_syntax noprefix\n"
	".globl user_hello, user_hello_end, user_crash, user_crash_end\n"
	".globl user_badptr, user_badptr_end, user_nosys, user_nosys_end\n"
	"user_hello:\n"
	"  lea rsi, [rip + 1f]\n"
	"  mov edi, 1\n"
	"  mov edx, 2f - 1f\n"
	"  mov eax, 1\n"
	"  syscall\n"
	"  mov rdi, rax\n"		/* exit(bytes written) */
	"  xor eax, eax\n"
	"  syscall\n"
	"  ud2\n"
	"1: .ascii \"user: hello from user mode\\n\"\n"
	"2:\n"
	"user_hello_end:\n"
	"user_crash:\n"
	"  mov rax, qword ptr [0]\n"
	"  ud2\n"
	"user_crash_end:\n"
	"user_badptr:\n"		/* exit(write(1, kernel text, 8)) */
	"  mov rsi, 0xffffffff80200000\n"
	"  mov edi, 1\n"
	"  mov edx, 8\n"
	"  mov eax, 1\n"
	"  syscall\n"
	"  mov rdi, rax\n"
	"  xor eax, eax\n"
	"  syscall\n"
	"user_badptr_end:\n"
	"user_nosys:\n"		/* exit(syscall 999) */
	"  mov eax, 999\n"
	"  syscall\n"
	"  mov rdi, rax\n"
	"  xor eax, eax\n"
	"  syscall\n"
	"user_nosys_end:\n"
	".att_syntax prefix\n"
	".text\n");
#elif defined(__aarch64__)
__asm__(".section .rodata.user_code, \"a\"\n"
	".globl user_hello, user_hello_end, user_crash, user_crash_end\n"
	".globl user_badptr, user_badptr_end, user_nosys, user_nosys_end\n"
	".balign 4\n"
	"user_hello:\n"
	"  adr x1, 1f\n"
	"  mov x0, #1\n"
	"  mov x2, #(2f - 1f)\n"
	"  mov x8, #1\n"
	"  svc #0\n"
	"  mov x8, #0\n"		/* exit(bytes written) */
	"  svc #0\n"
	"  brk #0\n"
	"1: .ascii \"user: hello from user mode\\n\"\n"
	"2:\n"
	".balign 4\n"
	"user_hello_end:\n"
	"user_crash:\n"
	"  mov x0, #0\n"
	"  ldr x1, [x0]\n"
	"  brk #0\n"
	"user_crash_end:\n"
	"user_badptr:\n"		/* exit(write(1, kernel image, 8)) */
	"  movz x1, #0xff80, lsl #32\n"
	"  movk x1, #0xffff, lsl #48\n"
	"  mov x0, #1\n"
	"  mov x2, #8\n"
	"  mov x8, #1\n"
	"  svc #0\n"
	"  mov x8, #0\n"
	"  svc #0\n"
	"user_badptr_end:\n"
	"user_nosys:\n"		/* exit(syscall 999) */
	"  mov x8, #999\n"
	"  svc #0\n"
	"  mov x8, #0\n"
	"  svc #0\n"
	"user_nosys_end:\n"
	".text\n");
#endif

extern const char user_hello[], user_hello_end[];
extern const char user_crash[], user_crash_end[];
extern const char user_badptr[], user_badptr_end[];
extern const char user_nosys[], user_nosys_end[];

static volatile uint32_t exits;
static volatile int32_t last_code;

static int exit_watch(void *state, const struct bus_msg *m,
		      struct bus_msg *reply)
{
	struct sched_exit_event ev;

	(void)state;
	(void)reply;
	if (m->len == sizeof(ev)) {
		memcpy(&ev, m->data, sizeof(ev));
		last_code = ev.code;
		exits++;
	}
	return 0;
}

static const struct service_desc watcher = {
	.name = "ktest-exit-watch",
	.handler = exit_watch,
	.subscribe = SERVICE_LIST("sched.thread.exit"),
};

/* The threads run_user started: their exit event is published before
 * they have ended (another CPU may still be on its way out of one when
 * the event is counted), so pump also waits for each to be gone, its
 * address space given back, before a test counts free pages. */
static int started[4];
static unsigned int nstarted;

static void pump(uint32_t want)
{
	uint64_t end = hal_cycles() + 5 * hal_cycles_per_sec();
	bool left = true;

	ktest_pump(&exits, want, 5);
	while (left && hal_cycles() < end) {
		left = false;
		for (unsigned int i = 0; i < nstarted; i++)
			if (sched_state(started[i]))
				left = true;
		if (left && !bus_run(256) && !sched_run())
			kernel_wait();
	}
	nstarted = 0;
}

/* An address space with the code at 1 MiB into the user range (r-x) and
 * a 4 KiB stack above it (rw-): a thread runs it. */
static int run_user(const char *name, const char *code, size_t len)
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t text = r.lo + 0x100000, stack = text + 0x10000;
	uint64_t root, pa;
	uint32_t id, prot;
	int rc;

	rc = mm_as_create(&id, &root);
	if (rc)
		return rc;
	rc = mm_as_map(id, text, 4096, HAL_PROT_READ | HAL_PROT_WRITE |
		       HAL_PROT_USER);
	if (!rc)
		rc = mm_as_query(id, text, &pa, &prot);
	if (!rc) {
		memcpy((void *)(uintptr_t)(pa + hal_direct_map().offset), code,
		       len);
		rc = mm_as_protect(id, text, 4096, HAL_PROT_READ |
				   HAL_PROT_EXEC | HAL_PROT_USER);
	}
	if (!rc)
		rc = mm_as_map(id, stack, 4096, HAL_PROT_READ |
			       HAL_PROT_WRITE | HAL_PROT_USER);
	if (!rc) {
		struct sched_user u = { id, root, text, stack + 4096, NULL,
					NULL, 0, NULL, false, NULL, 0 };

		rc = sched_spawn_user(name, 3, &u);
		if (rc >= 0 && nstarted < ARRAY_SIZE(started))
			started[nstarted++] = rc;
	}
	if (rc < 0)
		mm_as_destroy(id);
	return rc;
}

KTEST(user, hello_syscall_and_exit_code)
{
	struct mm_stats m0, m1;

	KEXPECT_EQ(t, service_register(&watcher) == 0 ||
		   service_bus_id("ktest-exit-watch") >= 0, 1);
	bus_run(~0u);
	KEXPECT_EQ(t, mm_get_stats(&m0), 0);
	exits = 0;
	KEXPECT(t, run_user("hello", user_hello,
			    (size_t)(user_hello_end - user_hello)) >= 0);
	pump(1);
	KEXPECT_EQ(t, exits, 1);
	KEXPECT_EQ(t, last_code, 27);	/* the bytes of its line */
	KEXPECT_EQ(t, mm_get_stats(&m1), 0);
	KEXPECT_EQ(t, m1.free_pages, m0.free_pages);
}

KTEST(user, fault_kills_only_that_thread)
{
	struct mm_stats m0, m1;

	KEXPECT_EQ(t, service_register(&watcher) == 0 ||
		   service_bus_id("ktest-exit-watch") >= 0, 1);
	bus_run(~0u);
	KEXPECT_EQ(t, mm_get_stats(&m0), 0);
	exits = 0;
	KEXPECT(t, run_user("crasher", user_crash,
			    (size_t)(user_crash_end - user_crash)) >= 0);
	KEXPECT(t, run_user("hello", user_hello,
			    (size_t)(user_hello_end - user_hello)) >= 0);
	pump(2);
	KEXPECT_EQ(t, exits, 2);
	KEXPECT_EQ(t, mm_get_stats(&m1), 0);
	KEXPECT_EQ(t, m1.free_pages, m0.free_pages);
	/* the kernel is fine: a bus request still gets its answer */
	KEXPECT_EQ(t, bus_call((bus_svc_t)bus_svc_find("example"),
			       (bus_topic_t)bus_topic("example.ping"), NULL, 0,
			       NULL), 0);
}

KTEST(user, bad_arguments_get_error_codes)
{
	KEXPECT_EQ(t, service_register(&watcher) == 0 ||
		   service_bus_id("ktest-exit-watch") >= 0, 1);
	bus_run(~0u);
	exits = 0;
	KEXPECT(t, run_user("badptr", user_badptr,
			    (size_t)(user_badptr_end - user_badptr)) >= 0);
	pump(1);
	KEXPECT_EQ(t, last_code, -AE_EFAULT);	/* a kernel address */
	KEXPECT(t, run_user("nosys", user_nosys,
			    (size_t)(user_nosys_end - user_nosys)) >= 0);
	pump(2);
	KEXPECT_EQ(t, last_code, -AE_ENOSYS);
	KEXPECT_EQ(t, exits, 2);
	/* entering user mode outside the user range is refused */
	KEXPECT_EQ(t, hal_user_enter(0, 0, 0, 0), -AE_EINVAL);
}

/* proc.spawn's arguments (aegis/proc.h): more bytes than it takes and a
 * name longer than its field are refused before anything is asked of
 * proc, nothing started. */
KTEST(user, spawn_arguments_out_of_bounds_are_refused)
{
	static char args[PROC_ARGS_MAX + 1];

	memset(args, 'a', sizeof(args));
	args[sizeof(args) - 1] = '\0';
	KEXPECT_EQ(t, proc_spawn_args("true", args, sizeof(args), 0, 0),
		   -AE_E2BIG);
	KEXPECT_EQ(t, proc_spawn_args("abcdefghijklmnopqrstuvwx", NULL, 0, 0,
				      0), -AE_EINVAL);
	KEXPECT_EQ(t, proc_spawn_args(NULL, NULL, 0, 0, 0), -AE_EINVAL);
}

#if defined(__x86_64__)
/* What a nested hypervisor that does not switch privilege on SYSCALL
 * does (kvm_pvm, docs/TESTING.md), done by hand under any CPU: user code
 * jumps to the kernel's system-call entry, which faults in user mode at
 * exactly that address. The report says what it means; the thread dies
 * like any faulting one. */
KTEST(user, syscall_entry_in_user_mode_is_named)
{
	uint64_t entry = (uint64_t)(uintptr_t)hal_syscall_entry;
	char code[12] = { 0x48, (char)0xb8 };	/* movabs rax, entry */

	memcpy(code + 2, &entry, sizeof(entry));
	code[10] = (char)0xff;			/* jmp rax */
	code[11] = (char)0xe0;
	KEXPECT(t, user_fault_hint(entry) != NULL);
	KEXPECT(t, user_fault_hint(entry + 1) == NULL);
	KEXPECT(t, user_fault_hint(0) == NULL);
	KEXPECT_EQ(t, service_register(&watcher) == 0 ||
		   service_bus_id("ktest-exit-watch") >= 0, 1);
	bus_run(~0u);
	exits = 0;
	KEXPECT(t, run_user("pvm-like", code, sizeof(code)) >= 0);
	pump(1);
	KEXPECT_EQ(t, exits, 1);
	KEXPECT_EQ(t, last_code, -AE_EFAULT);
}
#endif
