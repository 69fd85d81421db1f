/*
 * test_grant.c - bus/grant.c: memory lent by reference. A holder maps
 * what it was lent with the rights it was lent; everything else is
 * refused and counted: a forged or ended id, a sender that neither owns
 * nor holds the grant (a user process's service above all), rights not
 * granted, a range too short, a grant to or through a user process. A
 * stopped owner's grants end with it.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/sysfs.h>
#include "unit.h"

static bus_svc_t a, b, c, u;
static bus_topic_t t_use, t_fwd, t_lend;
static char lent_buf[8];
static bus_grant_t lent;

/* What the next handler run does with the grant its message names. */
static struct {
	uint32_t rights;	/* asked of bus_grant_map */
	bus_svc_t pass_to;	/* on t_fwd: pass and send on to this */
	int pass_rc;
	void *mapped;		/* what bus_grant_map gave */
	uint32_t len;
	unsigned int runs;
} h;

static int handler(void *state, const struct bus_msg *m,
		   struct bus_msg *reply)
{
	bus_grant_t g;

	(void)state;
	(void)reply;
	if (m->topic == t_lend) {
		/* c's handler lends lent_buf to b and sends b the id: c owns
		 * the grant, as a service owns what its handler lends */
		if (bus_grant_new(lent_buf, sizeof(lent_buf), BUS_GRANT_READ,
				  b, &lent) == 0)
			bus_send(b, t_use, 1, &lent, sizeof(lent));
		return 0;
	}
	if (m->len != sizeof(g))
		return 0;
	memcpy(&g, m->data, sizeof(g));
	h.runs++;
	if (m->topic == t_fwd) {
		h.pass_rc = bus_grant_pass(m, g, h.pass_to);
		if (h.pass_rc == 0)
			bus_send(h.pass_to, t_use, 1, &g, sizeof(g));
		return 0;
	}
	h.len = 0;
	h.mapped = bus_grant_map(m, g, h.rights, &h.len);
	return 0;
}

static bus_svc_t add(const char *name)
{
	int s = bus_svc_add(name, handler, NULL, 16, 4);

	ck_assert_int_ge(s, 0);
	return (bus_svc_t)s;
}

static void setup(void)
{
	bus_init(NULL);
	a = add("a");
	b = add("b");
	c = add("c");
	u = add("user-evil-1");
	ck_assert_int_eq(bus_svc_set_flags(u, BUS_SVC_F_USER), 0);
	t_use = (bus_topic_t)bus_topic("grant.use");
	t_fwd = (bus_topic_t)bus_topic("grant.fwd");
	t_lend = (bus_topic_t)bus_topic("grant.lend");
	lent = 0;
	memset(&h, 0, sizeof(h));
	h.rights = BUS_GRANT_READ;
}

/* Send g to dst from src (BUS_SVC_KERNEL: the test itself) and run. */
static void deliver(bus_svc_t src, bus_svc_t dst, bus_topic_t t,
		    bus_grant_t g)
{
	if (src == BUS_SVC_KERNEL)
		ck_assert_int_eq(bus_send(dst, t, 1, &g, sizeof(g)), 0);
	else
		ck_assert_int_eq(bus_send_as(src, dst, t, 1, &g, sizeof(g)),
				 0);
	bus_run(16);
}

static uint64_t refused(void)
{
	struct bus_grant_stats st;

	bus_grant_stats(&st);
	return st.refused;
}

START_TEST(test_holder_maps_what_it_was_lent)
{
	char buf[32] = "lent";
	struct bus_grant_stats st;
	bus_grant_t g;

	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_READ, b,
				       &g), 0);
	ck_assert_uint_ne(g, 0);
	deliver(BUS_SVC_KERNEL, b, t_use, g);
	ck_assert_uint_eq(h.runs, 1);
	ck_assert_ptr_eq(h.mapped, buf);
	ck_assert_uint_eq(h.len, sizeof(buf));
	bus_grant_stats(&st);
	ck_assert_uint_eq(st.live, 1);
	ck_assert_uint_eq(st.made, 1);
	ck_assert_uint_eq(st.refused, 0);
	bus_grant_end(g);
	bus_grant_stats(&st);
	ck_assert_uint_eq(st.live, 0);
}
END_TEST

START_TEST(test_rights_not_lent_are_refused)
{
	char buf[8] = "";
	bus_grant_t g;

	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_READ, b,
				       &g), 0);
	h.rights = BUS_GRANT_WRITE;
	deliver(BUS_SVC_KERNEL, b, t_use, g);
	ck_assert_ptr_null(h.mapped);
	h.rights = 0;		/* no rights asked is no use either */
	deliver(BUS_SVC_KERNEL, b, t_use, g);
	ck_assert_ptr_null(h.mapped);
	ck_assert_uint_eq(refused(), 2);
}
END_TEST

START_TEST(test_a_service_not_holding_it_is_refused)
{
	char buf[8] = "";
	bus_grant_t g;

	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_READ, b,
				       &g), 0);
	deliver(BUS_SVC_KERNEL, c, t_use, g);	/* c was not lent it */
	ck_assert_uint_eq(h.runs, 1);
	ck_assert_ptr_null(h.mapped);
	ck_assert_uint_eq(refused(), 1);
}
END_TEST

/* The attack of issue 13: a user process names a grant (any id at all) in
 * a request to a holder. The sender neither owns nor holds it. */
START_TEST(test_a_user_process_cannot_name_a_grant)
{
	char buf[8] = "";
	bus_grant_t g;
	unsigned int refusals = 0;

	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_READ |
				       BUS_GRANT_WRITE, b, &g), 0);
	deliver(u, b, t_use, g);
	ck_assert_ptr_null(h.mapped);
	/* every id a process could guess, the live one included */
	for (bus_grant_t id = 0; id < 4u << 8; id++) {
		deliver(u, b, t_use, id);
		ck_assert_ptr_null(h.mapped);
		refusals++;
	}
	ck_assert_uint_eq(refused(), refusals + 1);
	/* and the kernel's own use of it still works */
	deliver(BUS_SVC_KERNEL, b, t_use, g);
	ck_assert_ptr_eq(h.mapped, buf);
}
END_TEST

START_TEST(test_an_ended_id_names_nothing_even_when_its_slot_is_reused)
{
	char x[8] = "", y[8] = "";
	bus_grant_t g1, g2;

	ck_assert_int_eq(bus_grant_new(x, sizeof(x), BUS_GRANT_READ, b, &g1),
			 0);
	bus_grant_end(g1);
	ck_assert_int_eq(bus_grant_new(y, sizeof(y), BUS_GRANT_READ, b, &g2),
			 0);
	ck_assert_uint_eq(g1 & 0xff, g2 & 0xff);	/* the same slot */
	ck_assert_uint_ne(g1, g2);
	deliver(BUS_SVC_KERNEL, b, t_use, g1);
	ck_assert_ptr_null(h.mapped);
	deliver(BUS_SVC_KERNEL, b, t_use, g2);
	ck_assert_ptr_eq(h.mapped, y);
}
END_TEST


START_TEST(test_only_the_owner_ends_a_grant)
{
	struct bus_grant_stats st;

	ck_assert_int_eq(bus_send(c, t_lend, 1, NULL, 0), 0);
	bus_run(16);
	ck_assert_uint_ne(lent, 0);
	ck_assert_ptr_eq(h.mapped, lent_buf);	/* b mapped it */
	bus_grant_end(lent);		/* the kernel does not own it */
	h.mapped = NULL;
	deliver(c, b, t_use, lent);
	ck_assert_ptr_eq(h.mapped, lent_buf);
	bus_grant_stats(&st);
	ck_assert_uint_eq(st.live, 1);
}
END_TEST

START_TEST(test_a_stopped_owner_ends_its_grants)
{
	struct bus_grant_stats st;

	ck_assert_int_eq(bus_send(c, t_lend, 1, NULL, 0), 0);
	bus_run(16);
	ck_assert_ptr_eq(h.mapped, lent_buf);
	ck_assert_int_eq(bus_svc_set_state(c, BUS_SVC_STOPPED), 0);
	bus_grant_stats(&st);
	ck_assert_uint_eq(st.live, 0);
	h.mapped = NULL;
	ck_assert_int_eq(bus_svc_set_state(c, BUS_SVC_RUNNING), 0);
	deliver(c, b, t_use, lent);	/* its new instance: gone all the same */
	ck_assert_ptr_null(h.mapped);
}
END_TEST

START_TEST(test_no_grant_to_or_through_a_user_process)
{
	char buf[8] = "";
	bus_grant_t g;

	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_READ, u,
				       &g), -AE_EPERM);
	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_READ, b,
				       &g), 0);
	h.pass_to = u;
	deliver(BUS_SVC_KERNEL, b, t_fwd, g);
	ck_assert_int_eq(h.pass_rc, -AE_EPERM);
	h.pass_to = BUS_SVC_KERNEL;
	deliver(BUS_SVC_KERNEL, b, t_fwd, g);
	ck_assert_int_eq(h.pass_rc, -AE_EPERM);
}
END_TEST

START_TEST(test_a_holder_passes_it_on)
{
	char buf[8] = "";
	bus_grant_t g;

	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_READ, b,
				       &g), 0);
	h.pass_to = c;
	deliver(BUS_SVC_KERNEL, b, t_fwd, g);	/* b passes to c, c maps */
	ck_assert_int_eq(h.pass_rc, 0);
	ck_assert_uint_eq(h.runs, 2);
	ck_assert_ptr_eq(h.mapped, buf);
	/* a non-holder cannot pass it */
	h.pass_to = b;
	deliver(BUS_SVC_KERNEL, a, t_fwd, g);
	ck_assert_int_eq(h.pass_rc, -AE_EFAULT);
	/* nor can a holder pass what a user process named */
	h.pass_to = c;
	deliver(u, b, t_fwd, g);
	ck_assert_int_eq(h.pass_rc, -AE_EFAULT);
	/* holders are bounded */
	h.pass_to = a;
	deliver(BUS_SVC_KERNEL, b, t_fwd, g);
	ck_assert_int_eq(h.pass_rc, 0);
	for (unsigned int i = 3; i < BUS_GRANT_HOLDERS; i++) {
		char name[8] = "x0";
		bus_svc_t x;

		name[1] = (char)('0' + i);
		x = add(name);
		h.pass_to = x;
		deliver(BUS_SVC_KERNEL, b, t_fwd, g);
		ck_assert_int_eq(h.pass_rc, 0);
	}
	h.pass_to = add("one-too-many");
	deliver(BUS_SVC_KERNEL, b, t_fwd, g);
	ck_assert_int_eq(h.pass_rc, -AE_ENOSPC);
}
END_TEST

START_TEST(test_bad_arguments)
{
	char buf[8] = "";
	bus_grant_t g;

	ck_assert_int_eq(bus_grant_new(NULL, 8, BUS_GRANT_READ, b, &g),
			 -AE_EINVAL);
	ck_assert_int_eq(bus_grant_new(buf, 0, BUS_GRANT_READ, b, &g),
			 -AE_EINVAL);
	ck_assert_int_eq(bus_grant_new(buf, BUS_GRANT_LEN_MAX + 1,
				       BUS_GRANT_READ, b, &g), -AE_EINVAL);
	ck_assert_int_eq(bus_grant_new(buf, 8, 0, b, &g), -AE_EINVAL);
	ck_assert_int_eq(bus_grant_new(buf, 8, BUS_GRANT_KERNEL, b, &g),
			 -AE_EINVAL);
	ck_assert_int_eq(bus_grant_new(buf, 8, 0x80 | BUS_GRANT_READ, b, &g),
			 -AE_EINVAL);
	ck_assert_int_eq(bus_grant_new(buf, 8, BUS_GRANT_READ, b, NULL),
			 -AE_EINVAL);
	bus_grant_end(0);		/* nothing: no such grant */
	bus_grant_end(0xdead00);
	ck_assert_int_eq(bus_grant_pass(NULL, 0, b), 0);	/* no grant */
}
END_TEST

START_TEST(test_buf_checks_the_length)
{
	char buf[8] = "";
	bus_grant_t g;
	struct bus_msg m;
	int rc;

	ck_assert_int_eq(bus_grant_new(buf, sizeof(buf), BUS_GRANT_WRITE, b,
				       &g), 0);
	memset(&m, 0, sizeof(m));
	m.src = BUS_SVC_KERNEL;		/* the owner sent it; b is not running
					 * a handler here, so bus_current()
					 * is the kernel, the owner */
	ck_assert_ptr_eq(bus_grant_buf(&m, g, 8, BUS_GRANT_WRITE, &rc), buf);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(bus_grant_buf(&m, g, 9, BUS_GRANT_WRITE, &rc));
	ck_assert_int_eq(rc, -AE_EFAULT);
	ck_assert_ptr_null(bus_grant_buf(&m, g, 0, BUS_GRANT_WRITE, &rc));
	ck_assert_int_eq(rc, 0);	/* nothing to move */
	ck_assert_ptr_null(bus_grant_buf(&m, g, 4, BUS_GRANT_READ, &rc));
	ck_assert_int_eq(rc, -AE_EFAULT);
	ck_assert_ptr_null(bus_grant_map(NULL, g, BUS_GRANT_WRITE, NULL));
}
END_TEST

START_TEST(test_the_table_fills_and_says_so)
{
	static char buf[BUS_GRANTS_MAX + 1];
	bus_grant_t g[BUS_GRANTS_MAX], extra;
	struct bus_grant_stats st;

	for (unsigned int i = 0; i < BUS_GRANTS_MAX; i++)
		ck_assert_int_eq(bus_grant_new(&buf[i], 1, BUS_GRANT_READ, b,
					       &g[i]), 0);
	ck_assert_int_eq(bus_grant_new(&buf[BUS_GRANTS_MAX], 1,
				       BUS_GRANT_READ, b, &extra),
			 -AE_ENOSPC);
	bus_grant_stats(&st);
	ck_assert_uint_eq(st.live, BUS_GRANTS_MAX);
	ck_assert_uint_eq(st.live_max, BUS_GRANTS_MAX);
	bus_grant_end(g[7]);
	ck_assert_int_eq(bus_grant_new(&buf[BUS_GRANTS_MAX], 1,
				       BUS_GRANT_READ, b, &extra), 0);
	ck_assert_uint_eq(extra & 0xff, 7);
}
END_TEST

START_TEST(test_a_kernel_grant_is_held_by_every_kernel_service)
{
	char ring[16] = "";
	bus_grant_t g;

	ck_assert_int_eq(bus_grant_new(ring, sizeof(ring), BUS_GRANT_READ |
				       BUS_GRANT_KERNEL, BUS_SVC_KERNEL, &g),
			 0);
	deliver(BUS_SVC_KERNEL, a, t_use, g);
	ck_assert_ptr_eq(h.mapped, ring);
	deliver(BUS_SVC_KERNEL, c, t_use, g);
	ck_assert_ptr_eq(h.mapped, ring);
	deliver(u, c, t_use, g);	/* named by a user process */
	ck_assert_ptr_null(h.mapped);
	h.rights = BUS_GRANT_WRITE;	/* read-only to all of them */
	deliver(BUS_SVC_KERNEL, a, t_use, g);
	ck_assert_ptr_null(h.mapped);
}
END_TEST

/* sysfs_io_take: what an attribute's service does with a sysfs.store */
static int store_rc;
static char stored[16];

static int attr_handler(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	struct sysfs_io io;
	char *v;

	(void)state;
	(void)reply;
	v = sysfs_io_take(m, &io, true, &store_rc);
	if (v)
		memcpy(stored, v, io.len + 1);
	return 0;
}

START_TEST(test_sysfs_store_needs_a_lent_terminated_value)
{
	int s = bus_svc_add("attrs", attr_handler, NULL, 16, 4);
	char v[8] = "hello";
	struct sysfs_io io = { 0, 5, 0, 0 };
	/* a topic without a contract, so that the bus lets through what
	 * sysfs.store's contract would refuse first and sysfs_io_take is
	 * what is tested */
	bus_topic_t t = (bus_topic_t)bus_topic("test.store");

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bus_grant_new(v, 6, BUS_GRANT_READ, (bus_svc_t)s,
				       &io.buf), 0);
	ck_assert_int_eq(bus_send((bus_svc_t)s, t, 1, &io, sizeof(io)), 0);
	bus_run(4);
	ck_assert_int_eq(store_rc, 0);
	ck_assert_str_eq(stored, "hello");
	v[5] = 'X';		/* no longer ends where it says */
	ck_assert_int_eq(bus_send((bus_svc_t)s, t, 1, &io, sizeof(io)), 0);
	bus_run(4);
	ck_assert_int_eq(store_rc, -AE_EINVAL);
	io.len = 6;		/* longer than lent */
	ck_assert_int_eq(bus_send((bus_svc_t)s, t, 1, &io, sizeof(io)), 0);
	bus_run(4);
	ck_assert_int_eq(store_rc, -AE_EFAULT);
	io.len = UINT32_MAX;	/* len + 1 would wrap */
	ck_assert_int_eq(bus_send((bus_svc_t)s, t, 1, &io, sizeof(io)), 0);
	bus_run(4);
	ck_assert_int_eq(store_rc, -AE_EINVAL);
	io.len = 5;		/* from a user process: refused */
	v[5] = '\0';
	ck_assert_int_eq(bus_send_as(u, (bus_svc_t)s, t, 1, &io, sizeof(io)),
			 0);
	bus_run(4);
	ck_assert_int_eq(store_rc, -AE_EFAULT);
	ck_assert_int_eq(bus_send((bus_svc_t)s, t, 1, &io, 3), 0);
	bus_run(4);
	ck_assert_int_eq(store_rc, -AE_EINVAL);	/* not a sysfs_io */
}
END_TEST

Suite *suite_bus_grant(void)
{
	Suite *s = suite_create("bus_grant");
	TCase *tc = tcase_create("grant");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_holder_maps_what_it_was_lent);
	tcase_add_test(tc, test_rights_not_lent_are_refused);
	tcase_add_test(tc, test_a_service_not_holding_it_is_refused);
	tcase_add_test(tc, test_a_user_process_cannot_name_a_grant);
	tcase_add_test(tc,
		test_an_ended_id_names_nothing_even_when_its_slot_is_reused);
	tcase_add_test(tc, test_only_the_owner_ends_a_grant);
	tcase_add_test(tc, test_no_grant_to_or_through_a_user_process);
	tcase_add_test(tc, test_a_holder_passes_it_on);
	tcase_add_test(tc, test_a_stopped_owner_ends_its_grants);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_buf_checks_the_length);
	tcase_add_test(tc, test_the_table_fills_and_says_so);
	tcase_add_test(tc, test_a_kernel_grant_is_held_by_every_kernel_service);
	tcase_add_test(tc, test_sysfs_store_needs_a_lent_terminated_value);
	suite_add_tcase(s, tc);
	return s;
}
