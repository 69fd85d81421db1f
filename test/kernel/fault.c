/*
 * fault.c - in-kernel tests of fault containment (kernel/fault.c): a
 * synchronous fault in a service's handler fails that service, answers
 * its caller and its pending requests with -ESHUTDOWN, and the supervisor
 * restarts it; the kernel, and a caller that called it inline, go on.
 * Each kind of fault the arch takes in kernel mode is tried for real
 * (hal_fault_test); a kind it does not take is said so and skipped.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/service.h>

#define MASK_FIRST	0x100u	/* with interrupts masked in the handler */

static unsigned int faulty_runs, faulty_after;

/* A request's payload is the kind of fault to take (HAL_FAULT_*), or 0
 * for a plain request, answered 0. */
static int faulty_handle(void *state, const struct bus_msg *m,
			 struct bus_msg *reply)
{
	uint32_t how = 0;
	int rc;

	(void)state;
	(void)reply;
	faulty_runs++;
	if (m->len == sizeof(how))
		memcpy(&how, m->data, sizeof(how));
	if (!how)
		return 0;
	if (how & MASK_FIRST)
		(void)hal_irq_cpu_save();
	rc = hal_fault_test(how & ~MASK_FIRST);
	faulty_after++;		/* only if it was not taken */
	return rc;
}

static const struct service_desc faulty = {
	.name = "ktest-faulty",
	.handler = faulty_handle,
};

static int faulty_id(struct ktest_ctx *t)
{
	if (service_state("ktest-faulty") == SERVICE_ABSENT)
		KEXPECT_EQ(t, service_register(&faulty), 0);
	return service_bus_id("ktest-faulty");
}

static bus_topic_t fault_topic(void)
{
	return (bus_topic_t)bus_topic("ktest.fault");
}

/* Wait (up to 1 s, the supervisor's back-off grows with each fault) for
 * the faulty service to be up again. */
static void await_restart(struct ktest_ctx *t)
{
	uint64_t deadline = hal_cycles() + hal_cycles_per_sec();

	bus_run(100);
	while (service_state("ktest-faulty") != SERVICE_UP &&
	       hal_cycles() < deadline)
		service_poll();
	KEXPECT_EQ(t, service_state("ktest-faulty"), SERVICE_UP);
}

static bool irqs_on(void)
{
	bool on = hal_irq_cpu_save();

	hal_irq_cpu_enable(on);
	return on;
}

/* Ask the faulty service to take a fault of kind how, and check that it
 * was contained. */
static void contained(struct ktest_ctx *t, uint32_t how, const char *what)
{
	int id = faulty_id(t), rc;
	struct bus_svc_stats st0, st1;
	uint32_t gen, plain = 0, restarts;
	bool on = irqs_on();

	KEXPECT(t, id >= 0);
	if (id < 0)
		return;
	await_restart(t);	/* from an earlier test's fault */
	gen = bus_svc_generation((bus_svc_t)id);
	restarts = service_restarts("ktest-faulty");
	bus_svc_stats((bus_svc_t)id, &st0);
	faulty_after = 0;
	rc = bus_call((bus_svc_t)id, fault_topic(), &how, sizeof(how), NULL);
	if (rc == -AE_ENODEV) {
		kprintf("ktest: fault: %s not taken in kernel mode on %s\n",
			what, hal_arch_name());
		return;
	}
	KEXPECT_EQ(t, (long long)rc, (long long)-AE_ESHUTDOWN);
	KEXPECT_EQ(t, faulty_after, 0u);	/* the handler did not go on */
	KEXPECT_EQ(t, irqs_on(), on);		/* the mask as it was */
	bus_svc_stats((bus_svc_t)id, &st1);
	KEXPECT_EQ(t, (long long)st1.faults, (long long)st0.faults + 1);
	bus_run(100);		/* the supervisor hears of it */
	KEXPECT_EQ(t, service_state("ktest-faulty"), SERVICE_FAILED);
	await_restart(t);
	KEXPECT_EQ(t, bus_svc_generation((bus_svc_t)id), gen + 1);
	KEXPECT_EQ(t, service_restarts("ktest-faulty"), restarts + 1);
	/* the new instance answers */
	KEXPECT_EQ(t, (long long)bus_call((bus_svc_t)id, fault_topic(), &plain,
					  sizeof(plain), NULL), 0LL);
	kprintf("ktest: fault: %s contained\n", what);
}

KTEST(fault, page_fault_in_a_handler_fails_only_its_service)
{
	contained(t, HAL_FAULT_PAGE, "page fault");
}

KTEST(fault, undefined_instruction_in_a_handler_fails_only_its_service)
{
	contained(t, HAL_FAULT_ILLEGAL, "undefined instruction");
}

KTEST(fault, misaligned_access_in_a_handler_fails_only_its_service)
{
	contained(t, HAL_FAULT_ALIGN, "misaligned access");
}

KTEST(fault, protection_fault_in_a_handler_fails_only_its_service)
{
	contained(t, HAL_FAULT_PROTECTION, "protection fault");
}

KTEST(fault, division_by_zero_in_a_handler_fails_only_its_service)
{
	contained(t, HAL_FAULT_ARITH, "division by zero");
}

KTEST(fault, fault_with_interrupts_masked_comes_back_unmasked)
{
	contained(t, HAL_FAULT_PAGE | MASK_FIRST, "page fault, masked");
}

/* A service that calls the faulty one: inline from its handler (on
 * ktest.fault: it gets -ESHUTDOWN and finishes its own work), or by
 * queueing three requests (on ktest.fault.queue), whose replies it
 * keeps. */
static int inner_rc, replies[4];
static unsigned int nreplies;

static int caller_handle(void *state, const struct bus_msg *m,
			 struct bus_msg *reply)
{
	uint32_t how = HAL_FAULT_PAGE, plain = 0, done = 0x600d;
	int id = service_bus_id("ktest-faulty");

	(void)state;
	if (m->kind == BUS_REPLY) {
		if (nreplies < 4)
			replies[nreplies] = m->status;
		nreplies++;
		return 0;
	}
	if (id < 0)
		return id;
	if (m->topic == (bus_topic_t)bus_topic("ktest.fault.queue")) {
		bus_request((bus_svc_t)id, fault_topic(), BUS_PRIO_DEFAULT,
			    &how, sizeof(how));
		bus_request((bus_svc_t)id, fault_topic(), BUS_PRIO_DEFAULT,
			    &plain, sizeof(plain));
		bus_request((bus_svc_t)id, fault_topic(), BUS_PRIO_DEFAULT,
			    &plain, sizeof(plain));
		return 0;
	}
	inner_rc = bus_call((bus_svc_t)id, fault_topic(), &how, sizeof(how),
			    NULL);
	memcpy(reply->data, &done, sizeof(done));
	reply->len = sizeof(done);
	return 0;
}

static const struct service_desc caller = {
	.name = "ktest-fault-caller",
	.handler = caller_handle,
};

static int caller_id(struct ktest_ctx *t)
{
	if (service_state("ktest-fault-caller") == SERVICE_ABSENT)
		KEXPECT_EQ(t, service_register(&caller), 0);
	return service_bus_id("ktest-fault-caller");
}

KTEST(fault, inline_caller_gets_eshutdown_and_goes_on)
{
	int id = caller_id(t), fid = faulty_id(t);
	struct bus_svc_stats st;
	struct bus_msg r;
	uint32_t done = 0;

	KEXPECT(t, id >= 0 && fid >= 0);
	if (id < 0 || fid < 0)
		return;
	await_restart(t);
	KEXPECT_EQ(t, (long long)bus_call((bus_svc_t)id, fault_topic(), NULL,
					  0, &r), 0LL);
	KEXPECT_EQ(t, (long long)inner_rc, (long long)-AE_ESHUTDOWN);
	if (r.len == sizeof(done))
		memcpy(&done, r.data, sizeof(done));
	KEXPECT_EQ(t, done, 0x600du);
	bus_svc_stats((bus_svc_t)id, &st);
	KEXPECT_EQ(t, (long long)st.faults, 0LL);
	KEXPECT_EQ(t, service_state("ktest-fault-caller"), SERVICE_UP);
	await_restart(t);
}

/* Requests queued behind the one that faults are answered -ESHUTDOWN, not
 * lost, and never reach the failed instance. */
KTEST(fault, queued_requests_are_answered_not_run)
{
	int id = caller_id(t), fid = faulty_id(t);
	int queue = bus_topic("ktest.fault.queue");
	unsigned int runs;

	KEXPECT(t, id >= 0 && fid >= 0 && queue >= 0);
	if (id < 0 || fid < 0 || queue < 0)
		return;
	await_restart(t);
	runs = faulty_runs;
	nreplies = 0;
	KEXPECT_EQ(t, bus_send((bus_svc_t)id, (bus_topic_t)queue,
			       BUS_PRIO_DEFAULT, NULL, 0), 0);
	bus_run(100);
	KEXPECT_EQ(t, faulty_runs, runs + 1);	/* only the first ran */
	KEXPECT_EQ(t, nreplies, 3u);
	for (unsigned int i = 0; i < 3; i++)
		KEXPECT_EQ(t, (long long)replies[i],
			   (long long)-AE_ESHUTDOWN);
	await_restart(t);
}

/*
 * A fault in a service's init fails that start, not the kernel: the
 * registry's start (as at boot) gets -ENOTRECOVERABLE and the service is
 * failed; the supervisor's retry comes up. Then the same from the
 * supervisor's own handler (a restart request, as `svc restart` sends):
 * the request is answered with the error and the supervisor goes on.
 */
static unsigned int init_faults;	/* faults still to take */
static unsigned int init_runs;

static int fragile_init(void)
{
	init_runs++;
	if (init_faults) {
		init_faults--;
		return hal_fault_test(HAL_FAULT_PAGE);
	}
	return 0;
}

static int fragile_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	(void)state;
	(void)m;
	(void)reply;
	return 0;
}

static const struct service_desc fragile = {
	.name = "ktest-fragile",
	.init = fragile_init,
	.handler = fragile_handle,
};

static void await_up(struct ktest_ctx *t, const char *name)
{
	uint64_t deadline = hal_cycles() + hal_cycles_per_sec();

	bus_run(100);
	while (service_state(name) != SERVICE_UP && hal_cycles() < deadline)
		service_poll();
	KEXPECT_EQ(t, service_state(name), SERVICE_UP);
}

KTEST(fault, fault_in_init_fails_only_that_start)
{
	unsigned int runs;

	init_faults = 1;
	init_runs = 0;
	if (service_state("ktest-fragile") == SERVICE_ABSENT)
		KEXPECT_EQ(t, (long long)service_register(&fragile),
			   (long long)-AE_ENOTRECOVERABLE);
	KEXPECT_EQ(t, init_runs, 1u);
	KEXPECT_EQ(t, service_state("ktest-fragile"), SERVICE_FAILED);
	await_up(t, "ktest-fragile");
	KEXPECT_EQ(t, init_runs, 2u);
	/* from the supervisor's handler */
	runs = init_runs;
	init_faults = 1;
	KEXPECT_EQ(t, (long long)service_request("restart", "ktest-fragile"),
		   (long long)-AE_EIO);
	KEXPECT_EQ(t, init_runs, runs + 1);
	KEXPECT(t, bus_svc_state((bus_svc_t)bus_svc_find("supervisor")) ==
		   BUS_SVC_RUNNING);
	await_up(t, "ktest-fragile");
	KEXPECT_EQ(t, (long long)service_request("restart", "ktest-fragile"),
		   0LL);
}
