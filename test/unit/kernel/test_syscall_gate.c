/*
 * test_syscall_gate.c - kernel/syscall_gate.c with the table
 * tools/gen_syscalls.py generated from kernel/syscalls.def: what the
 * table says of each call, and every check of the gateway against a
 * made-up address space. The handlers here are doubles that record what
 * reached them (the kernel's are in kernel/syscall.c).
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/syscall.h>
#include "unit.h"

static unsigned int ran[SYS_COUNT];
static uint64_t got[SYS_ARGS_MAX];

#define DOUBLE(name)						\
	int64_t sys_##name(const uint64_t a[SYS_ARGS_MAX])	\
	{							\
		ran[SYS_##name]++;				\
		memcpy(got, a, sizeof(got));			\
		return 1000 + SYS_##name;			\
	}
DOUBLE(exit)
DOUBLE(write)
DOUBLE(getpid)
DOUBLE(yield)
DOUBLE(sleep)
DOUBLE(clock)
DOUBLE(cycles)
DOUBLE(uname)
DOUBLE(spawn)
DOUBLE(wait)
DOUBLE(map)
DOUBLE(unmap)
DOUBLE(protect)
DOUBLE(lookup)
DOUBLE(publish)
DOUBLE(send)
DOUBLE(call)
DOUBLE(subscribe)
DOUBLE(receive)
DOUBLE(open)
DOUBLE(read)
DOUBLE(close)
DOUBLE(ioctl)
DOUBLE(stat)
DOUBLE(readdir)
DOUBLE(seek)
DOUBLE(reboot)
DOUBLE(poweroff)
DOUBLE(thread)
DOUBLE(thread_exit)
DOUBLE(affinity)

/* The user range 0x10000..0x100000; pages: 0x10000 r-- user,
 * 0x11000 rw- user, 0x12000 rw- user, 0x13000 rw- kernel only,
 * 0x14000 not mapped, 0x15000 -w- user (write without read). */
#define LO 0x10000ull
#define HI 0x100000ull

static int lookup(void *ctx, uint64_t va, uint32_t *prot)
{
	(void)ctx;
	ck_assert_uint_eq(va & 0xfff, 0);	/* pages only */
	switch (va) {
	case 0x10000:
		*prot = USER_PROT_USER | USER_PROT_READ;
		return 0;
	case 0x11000:
	case 0x12000:
		*prot = USER_PROT_USER | USER_PROT_READ | USER_PROT_WRITE;
		return 0;
	case 0x13000:
		*prot = USER_PROT_READ | USER_PROT_WRITE;
		return 0;
	case 0x15000:
		*prot = USER_PROT_USER | USER_PROT_WRITE;
		return 0;
	default:
		return -AE_ENOENT;
	}
}

static const struct user_mem mem = { LO, HI, lookup, NULL };

static int64_t call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t a[SYS_ARGS_MAX] = { a0, a1, a2, 0, 0, 0 };

	return syscall_gate(nr, a, &mem);
}

static void setup(void)
{
	memset(ran, 0, sizeof(ran));
	memset(got, 0, sizeof(got));
}

/* ---- the generated table ------------------------------------------- */

START_TEST(test_table_numbers_and_names_agree)
{
	ck_assert_uint_eq(SYS_COUNT, 31);
	ck_assert_str_eq(syscall_table[SYS_exit].name, "exit");
	ck_assert_str_eq(syscall_table[SYS_write].name, "write");
	ck_assert_str_eq(syscall_table[SYS_uname].name, "uname");
	ck_assert_str_eq(syscall_table[SYS_affinity].name, "affinity");
	for (unsigned int i = 0; i < SYS_COUNT; i++) {
		ck_assert_ptr_nonnull(syscall_table[i].name);
		ck_assert_ptr_nonnull(syscall_table[i].fn);
		ck_assert_ptr_nonnull(syscall_table[i].owner);
		ck_assert_uint_le(syscall_table[i].nargs, SYS_ARGS_MAX);
	}
}
END_TEST

START_TEST(test_table_write_arguments)
{
	const struct syscall_desc *d = &syscall_table[SYS_write];

	ck_assert_uint_eq(d->nargs, 3);
	ck_assert_uint_eq(d->result, SYS_RES_SIZE);
	ck_assert_str_eq(d->owner, "ns");
	ck_assert_uint_eq(d->arg[0].kind, SYS_ARG_FD);
	ck_assert_uint_eq(d->arg[1].kind, SYS_ARG_IN);
	ck_assert_uint_eq(d->arg[1].len, 2);	/* buf's length is len */
	ck_assert_uint_eq(d->arg[2].kind, SYS_ARG_SIZE);
	ck_assert_uint_eq(d->arg[2].limit, 4096);
	ck_assert_str_eq(d->arg[1].name, "buf");
}
END_TEST

/* receive(msg[64], timeout): a buffer of a fixed length */
START_TEST(test_fixed_length_buffer_checked_whole)
{
	const struct syscall_desc *d = &syscall_table[SYS_receive];

	ck_assert_uint_eq(d->arg[0].len, SYS_LEN_FIXED);
	ck_assert_uint_eq(d->arg[0].limit, 64);	/* struct abi_msg */
	/* across two writable pages: fine */
	ck_assert_int_eq(call(SYS_receive, 0x12000 - 20, 0, 0),
			 1000 + SYS_receive);
	/* its end in a kernel-only page, or read-only memory: -EFAULT */
	ck_assert_int_eq(call(SYS_receive, 0x13000 - 20, 0, 0), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_receive, 0x10000, 0, 0), -AE_EFAULT);
	/* stat's in path[len] and out st[24] */
	ck_assert_int_eq(call(SYS_stat, 0x10000, 5, 0x11000),
			 1000 + SYS_stat);
	ck_assert_int_eq(call(SYS_stat, 0x10000, 5, 0x10000), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_stat, 0x10000, 200, 0x11000), -AE_E2BIG);
	ck_assert_uint_eq(ran[SYS_receive], 1);
	ck_assert_uint_eq(ran[SYS_stat], 1);
}
END_TEST

START_TEST(test_table_results_and_unused_slots)
{
	ck_assert_uint_eq(syscall_table[SYS_exit].result, SYS_RES_NORETURN);
	ck_assert_uint_eq(syscall_table[SYS_getpid].nargs, 0);
	ck_assert_uint_eq(syscall_table[SYS_getpid].arg[0].kind,
			  SYS_ARG_NONE);
	ck_assert_uint_eq(syscall_table[SYS_uname].arg[0].kind, SYS_ARG_OUT);
	ck_assert_uint_eq(syscall_table[SYS_sleep].arg[0].kind, SYS_ARG_UINT);
	ck_assert_uint_eq(syscall_table[SYS_sleep].arg[0].limit,
			  86400000000000ull);
}
END_TEST

/* ---- the gateway ----------------------------------------------------- */

START_TEST(test_gate_unknown_number_enosys)
{
	ck_assert_int_eq(call(SYS_COUNT, 0, 0, 0), -AE_ENOSYS);
	ck_assert_int_eq(call(~0ull, 0, 0, 0), -AE_ENOSYS);
	ck_assert_int_eq(call(1ull << 32, 0, 0, 0), -AE_ENOSYS);
}
END_TEST

START_TEST(test_gate_passes_checked_arguments_on)
{
	ck_assert_int_eq(call(SYS_write, 1, 0x10010, 16), 1000 + SYS_write);
	ck_assert_uint_eq(ran[SYS_write], 1);
	ck_assert_uint_eq(got[1], 0x10010);
	ck_assert_uint_eq(got[2], 16);
	ck_assert_int_eq(call(SYS_getpid, 0, 0, 0), 1000 + SYS_getpid);
}
END_TEST

START_TEST(test_gate_fd_out_of_range_ebadf)
{
	ck_assert_int_eq(call(SYS_write, 64, 0x10000, 1), -AE_EBADF);
	ck_assert_int_eq(call(SYS_write, ~0ull, 0x10000, 1), -AE_EBADF);
	ck_assert_uint_eq(ran[SYS_write], 0);
	ck_assert_int_eq(call(SYS_write, 63, 0x10000, 1), 1000 + SYS_write);
}
END_TEST

START_TEST(test_gate_size_over_limit_e2big_before_pointer)
{
	/* a null pointer and a huge length: the length decides */
	ck_assert_int_eq(call(SYS_write, 1, 0, 1ull << 40), -AE_E2BIG);
	ck_assert_int_eq(call(SYS_write, 1, 0x10000, 4097), -AE_E2BIG);
	ck_assert_uint_eq(ran[SYS_write], 0);
}
END_TEST

START_TEST(test_gate_uint_over_limit_einval)
{
	ck_assert_int_eq(call(SYS_sleep, 86400000000001ull, 0, 0),
			 -AE_EINVAL);
	ck_assert_int_eq(call(SYS_sleep, ~0ull, 0, 0), -AE_EINVAL);
	ck_assert_int_eq(call(SYS_sleep, 86400000000000ull, 0, 0),
			 1000 + SYS_sleep);
}
END_TEST

START_TEST(test_gate_null_and_kernel_pointers_efault)
{
	ck_assert_int_eq(call(SYS_write, 1, 0, 1), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_write, 1, 0xffffffff80000000ull, 8),
			 -AE_EFAULT);
	ck_assert_int_eq(call(SYS_write, 1, HI, 1), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_write, 1, LO - 1, 2), -AE_EFAULT);
	ck_assert_uint_eq(ran[SYS_write], 0);
}
END_TEST

START_TEST(test_gate_wrapping_range_efault)
{
	/* va + len would wrap past the top of memory */
	ck_assert_int_eq(call(SYS_write, 1, ~0ull - 2, 16), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_uname, HI - 8, 16, 0), -AE_EFAULT);
}
END_TEST

START_TEST(test_gate_every_page_of_a_buffer_checked)
{
	/* 0x11000..0x12fff are mapped: fine; into 0x13000 (kernel only):
	 * refused; into 0x14000 (not mapped): refused */
	ck_assert_int_eq(call(SYS_write, 1, 0x11000, 4096), 1000 + SYS_write);
	ck_assert_int_eq(call(SYS_write, 1, 0x12f00, 512), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_write, 1, 0x13ff0, 32), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_write, 1, 0x10ff0, 32), 1000 + SYS_write);
}
END_TEST

START_TEST(test_gate_kernel_only_page_efault)
{
	ck_assert_int_eq(call(SYS_write, 1, 0x13000, 1), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_uname, 0x13000, 8, 0), -AE_EFAULT);
}
END_TEST

START_TEST(test_gate_out_buffer_needs_write)
{
	ck_assert_int_eq(call(SYS_uname, 0x10000, 8, 0), -AE_EFAULT); /* r-- */
	ck_assert_int_eq(call(SYS_uname, 0x11000, 8, 0), 1000 + SYS_uname);
	ck_assert_uint_eq(ran[SYS_uname], 1);
}
END_TEST

START_TEST(test_gate_in_buffer_needs_read)
{
	/* a page that is writable but not readable */
	ck_assert_int_eq(call(SYS_write, 1, 0x15000, 1), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_uname, 0x15000, 1, 0), -AE_EFAULT);
}
END_TEST

START_TEST(test_gate_empty_buffer_anywhere)
{
	ck_assert_int_eq(call(SYS_write, 1, 0, 0), 1000 + SYS_write);
	ck_assert_int_eq(call(SYS_uname, 0xdead0000ull, 0, 0),
			 1000 + SYS_uname);
}
END_TEST

START_TEST(test_gate_last_byte_of_the_range)
{
	/* a buffer ending exactly at the top of the range is inside it */
	ck_assert_int_eq(call(SYS_write, 1, HI - 1, 1), -AE_EFAULT);
	ck_assert_int_eq(call(SYS_write, 1, 0x11fff, 1), 1000 + SYS_write);
	ck_assert_int_eq(call(SYS_write, 1, 0x12fff, 2), -AE_EFAULT);
}
END_TEST

START_TEST(test_gate_int_arguments_unchecked)
{
	ck_assert_int_eq(call(SYS_exit, ~0ull, 0, 0), 1000 + SYS_exit);
	ck_assert_uint_eq(got[0], ~0ull);
}
END_TEST

START_TEST(test_check_alone_runs_nothing)
{
	uint64_t a[SYS_ARGS_MAX] = { 1, 0x10000, 8, 0, 0, 0 };

	ck_assert_int_eq(syscall_check(SYS_write, a, &mem), 0);
	ck_assert_uint_eq(ran[SYS_write], 0);
	a[0] = 99;
	ck_assert_int_eq(syscall_check(SYS_write, a, &mem), -AE_EBADF);
}
END_TEST

START_TEST(test_gate_first_failing_argument_decides)
{
	/* a bad fd and a bad pointer: the fd (first scalar) decides */
	ck_assert_int_eq(call(SYS_write, 100, 0, 8), -AE_EBADF);
	/* a good fd, an oversized length and a bad pointer: the length */
	ck_assert_int_eq(call(SYS_write, 1, 0, 5000), -AE_E2BIG);
}
END_TEST

/* The Linux table's kinds (kernel/linux_syscalls.def), on descriptions
 * made here: a buffer that may be NULL, and a count the call caps (any
 * length passes; the buffer is checked for, and the handler gets, at
 * most the cap). */
static int64_t opt_fn(const uint64_t a[SYS_ARGS_MAX])
{
	memcpy(got, a, sizeof(got));
	return 77;
}

static const struct syscall_desc opt_desc = {
	.name = "opt", .owner = "kernel", .nargs = 2,
	.arg = { { "new", SYS_ARG_IN_OPT, SYS_LEN_FIXED, 16 },
		 { "old", SYS_ARG_OUT_OPT, SYS_LEN_FIXED, 16 } },
	.fn = opt_fn,
};

static const struct syscall_desc count_desc = {
	.name = "cw", .owner = "kernel", .nargs = 3,
	.arg = { { "fd", SYS_ARG_FD, 0, 0 },
		 { "buf", SYS_ARG_IN, 2, 0 },
		 { "count", SYS_ARG_COUNT, 0, 4096 } },
	.fn = opt_fn,
};

START_TEST(test_gate_optional_buffers_and_counts)
{
	uint64_t a[SYS_ARGS_MAX] = { 0, 0, 0, 0, 0, 0 };

	/* NULL is none lent; anything else is checked as IN/OUT */
	ck_assert_int_eq(syscall_run(&opt_desc, a, &mem), 77);
	a[0] = 0x10000;			/* r--: readable */
	ck_assert_int_eq(syscall_run(&opt_desc, a, &mem), 77);
	a[1] = 0x10000;			/* but not writable */
	ck_assert_int_eq(syscall_run(&opt_desc, a, &mem), -AE_EFAULT);
	a[1] = 0x11000;
	ck_assert_int_eq(syscall_run(&opt_desc, a, &mem), 77);
	a[0] = 0x14ff8;			/* not mapped */
	ck_assert_int_eq(syscall_run(&opt_desc, a, &mem), -AE_EFAULT);
	a[0] = 1;			/* not NULL: a bad pointer */
	ck_assert_int_eq(syscall_run(&opt_desc, a, &mem), -AE_EFAULT);
	/* a count of any size: the handler is given at most 4096, and only
	 * that much of the buffer is checked (0x11000..0x12fff mapped) */
	memset(a, 0, sizeof(a));
	a[0] = 1;
	a[1] = 0x11000;
	a[2] = 1ull << 40;
	ck_assert_int_eq(syscall_run(&count_desc, a, &mem), 77);
	ck_assert_uint_eq(got[2], 4096);
	a[2] = 100;
	ck_assert_int_eq(syscall_run(&count_desc, a, &mem), 77);
	ck_assert_uint_eq(got[2], 100);
	a[1] = 0x12800;			/* 4096 from here reach 0x13000 */
	a[2] = 1ull << 40;
	ck_assert_int_eq(syscall_run(&count_desc, a, &mem), -AE_EFAULT);
	a[2] = 0x800;
	ck_assert_int_eq(syscall_run(&count_desc, a, &mem), 77);
}
END_TEST

START_TEST(test_gate_random_arguments_never_reach_a_bad_handler)
{
	/* a small fuzz: random numbers and arguments; whatever reaches a
	 * handler has passed every check */
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 20000; i++) {
		uint64_t a[SYS_ARGS_MAX];
		uint64_t nr;
		int64_t r;

		for (int k = 0; k < SYS_ARGS_MAX; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			a[k] = (k % 2) ? x : x % 0x20000;
		}
		nr = a[5] % (SYS_COUNT + 2);
		r = syscall_gate(nr, a, &mem);
		if (nr >= SYS_COUNT) {
			ck_assert_int_eq(r, -AE_ENOSYS);
			continue;
		}
		if (r >= 1000) {
			ck_assert_int_eq(syscall_check(nr, a, &mem), 0);
			if (nr == SYS_write) {
				ck_assert_uint_lt(a[0], SYS_FD_MAX);
				ck_assert_uint_le(a[2], 4096);
			}
		} else {
			ck_assert(r == -AE_EFAULT || r == -AE_EBADF ||
				  r == -AE_EINVAL || r == -AE_E2BIG);
		}
	}
}
END_TEST

Suite *suite_syscall_gate(void)
{
	Suite *s = suite_create("syscall_gate");
	TCase *tc = tcase_create("gate");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_table_numbers_and_names_agree);
	tcase_add_test(tc, test_table_write_arguments);
	tcase_add_test(tc, test_table_results_and_unused_slots);
	tcase_add_test(tc, test_gate_unknown_number_enosys);
	tcase_add_test(tc, test_gate_passes_checked_arguments_on);
	tcase_add_test(tc, test_gate_fd_out_of_range_ebadf);
	tcase_add_test(tc, test_gate_size_over_limit_e2big_before_pointer);
	tcase_add_test(tc, test_gate_uint_over_limit_einval);
	tcase_add_test(tc, test_gate_null_and_kernel_pointers_efault);
	tcase_add_test(tc, test_gate_wrapping_range_efault);
	tcase_add_test(tc, test_gate_every_page_of_a_buffer_checked);
	tcase_add_test(tc, test_gate_kernel_only_page_efault);
	tcase_add_test(tc, test_gate_out_buffer_needs_write);
	tcase_add_test(tc, test_gate_in_buffer_needs_read);
	tcase_add_test(tc, test_gate_empty_buffer_anywhere);
	tcase_add_test(tc, test_gate_last_byte_of_the_range);
	tcase_add_test(tc, test_gate_int_arguments_unchecked);
	tcase_add_test(tc, test_check_alone_runs_nothing);
	tcase_add_test(tc, test_fixed_length_buffer_checked_whole);
	tcase_add_test(tc, test_gate_first_failing_argument_decides);
	tcase_add_test(tc, test_gate_random_arguments_never_reach_a_bad_handler);
	tcase_add_test(tc, test_gate_optional_buffers_and_counts);
	suite_add_tcase(s, tc);
	return s;
}
