/*
 * aegis/service.h - declaring a service, the registry that starts them in
 * dependency order, and the supervisor that restarts failed ones.
 *
 * A built-in service declares itself once, in its own file:
 *
 *	SERVICE(example,
 *		.name = "example",
 *		.init = example_init,
 *		.handler = example_handle,
 *		.subscribe = SERVICE_LIST("kernel.boot.done"),
 *		.serves = SERVICE_LIST("example.ping"),
 *		.needs = SERVICE_LIST("console"));
 *
 * The descriptor is const and lands in the "aegis_services" linker
 * section; the registry keeps each service's run-time state apart from it.
 * Nothing is listed centrally: linking the file in is registering it.
 *
 * Context: boot and thread context on the dispatching CPU (the registry
 * calls handlers' init functions directly, outside any handler).
 */
#ifndef AEGIS_SERVICE_H
#define AEGIS_SERVICE_H

#include <aegis/bus.h>

#define SERVICE_MAX		BUS_SVC_MAX
#define SERVICE_QLIMIT_DEFAULT	64

struct service_desc {
	const char *name;		/* unique, [a-z0-9_-], < 48 bytes */
	uint8_t prio;			/* SERVICE_PRIO(p), or 0: the default */
	uint32_t qlimit;		/* queue bound; 0: the default (64) */
	int (*init)(void);		/* each (re)start; 0 or -errno */
	bus_handler_fn handler;		/* required */
	void *state;			/* passed to the handler */
	const char *const *subscribe;	/* NULL-terminated patterns */
	const char *const *serves;	/* request topics it answers */
	const char *const *needs;	/* services started before it */
	const char *sysfs;		/* its directory under /sys, or NULL
					 * (aegis/sysfs.h) */
	bool rescue;			/* on the console's way to the rules
					 * (BUS_SVC_F_RESCUE, aegis/bus.h) */
	bool anycpu;			/* its handlers are safe on any CPU:
					 * it may be placed on one
					 * (BUS_SVC_F_ANYCPU, aegis/bus.h) */
	uint8_t cpu;			/* the CPU it runs on once that CPU
					 * runs (needs anycpu); 0: the boot
					 * CPU (docs/SMP.md) */
};

#define SERVICE_LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The priority of a service's own messages: SERVICE_PRIO(0) is the most
 * urgent; a descriptor that says nothing gets BUS_PRIO_DEFAULT. */
#define SERVICE_PRIO(p)	((uint8_t)((p) + 1))

#define SERVICE_SECTION "aegis_services"
#define SERVICE(id, ...)						\
	static const struct service_desc __service_##id			\
		__section(SERVICE_SECTION) __used __aligned(8) = {	\
		__VA_ARGS__ }

enum service_state {
	SERVICE_ABSENT = 0,
	SERVICE_BLOCKED,	/* a dependency is missing, blocked or a cycle */
	SERVICE_UP,
	SERVICE_FAILED,		/* waiting for the supervisor's restart */
	SERVICE_STOPPED,	/* stopped by request */
};

/* service_log_fn - receives each registry/supervisor line (no '\n'). */
typedef void (*service_log_fn)(const char *line);

/*
 * service_init - reset the registry. clock is the bus clock; ticks_per_ms
 * converts the back-off (first retry after 1 ms, doubling to 1 s; a
 * service that stays up for 5 s has its back-off reset). Also adds the
 * "supervisor" service to the bus. Call after bus_init(). Returns 0 or a
 * bus error.
 */
int service_init(bus_clock_fn clock, uint64_t ticks_per_ms,
		 service_log_fn log);

/*
 * service_start_all - start every service of table[0..n) in dependency
 * order. A missing dependency or a cycle is reported by name and blocks
 * only the services that depend on it; an init failure marks the service
 * failed (the supervisor retries it). Returns how many came up.
 */
int service_start_all(const struct service_desc *table, size_t n);

/* service_init_guard_fn - how the registry runs a service's init, when
 * one is set: it must call init() and return what it returns, or
 * -ENOTRECOVERABLE when init faulted (kernel/fault.c). A failed init
 * marks the service failed; the supervisor retries it after its
 * back-off. service_set_init_guard(NULL): call init directly. Boot. */
typedef int (*service_init_guard_fn)(const char *name, int (*init)(void));
void service_set_init_guard(service_init_guard_fn g);

/* service_builtin - the SERVICE() descriptors linked into this kernel. */
const struct service_desc *service_builtin(size_t *n);

/*
 * service_register - add and start a service at run time. -EEXIST (name
 * taken), -ENOENT (a dependency is not up; the reason is logged),
 * -EINVAL (bad descriptor), -ENOSPC, or init's error (the service is then
 * failed and the supervisor retries it).
 */
int service_register(const struct service_desc *d);

/*
 * service_place_declared - put every started service whose descriptor
 * names a CPU (.cpu) on that CPU. One that cannot be (its CPU does not
 * run) is said once and stays on the boot CPU. The kernel calls it when
 * its CPUs have started; a service registered later is placed as it
 * starts. Returns how many moved.
 */
unsigned int service_place_declared(void);

/*
 * service_place_option - the place= boot option: "NAME:CPU[,NAME:CPU...]"
 * puts each named service (marked anycpu) on that CPU, after the
 * declarations. Every element that cannot be done is said with why (not
 * NAME:CPU, no such service, bound to the boot CPU, the CPU does not
 * run) and the rest go on. Returns how many were placed.
 */
unsigned int service_place_option(const char *spec);

/* service_stop - stop a service: it receives nothing more; queued
 * requests are answered with -ESHUTDOWN. -ENOENT, -EBUSY (running now). */
int service_stop(const char *name);

/* service_restart - stop (if up) and start again: init runs again and the
 * bus generation changes. -ENOENT, or init's error. */
int service_restart(const char *name);

/*
 * The same on the bus, as requests to the "supervisor" service, the
 * service's name the payload (not NUL-terminated):
 *   "service.stop"     stop it (already stopped: 0)
 *   "service.start"    start it (already up: 0)
 *   "service.restart"  stop if up, and start
 * Errors as above (a start whose init faulted answers -EIO), -EINVAL
 * for an empty or too long name. sysfs's
 * /sys/bus/services/<name>/state and the shell's svc go through these.
 *
 * service_request - send one: verb "stop", "start" or "restart". The
 * request's status, -EINVAL for another verb, -ENAMETOOLONG, -ENODEV
 * when the supervisor is not there.
 */
int service_request(const char *verb, const char *name);

/*
 * "service.up" - the supervisor's event when a service has started, at
 * boot or again (its init succeeded): struct service_up_event. Services
 * whose state lives partly in another service subscribe to it and
 * re-establish that state when they see a new instance (devfs and sysfs
 * mount again when ns comes back).
 */
struct service_up_event {
	uint32_t svc;		/* bus id */
	uint32_t gen;		/* its generation now */
};

/*
 * service_poll - the supervisor's clock work: restart failed services
 * whose back-off has expired. Returns the time of the next restart due
 * (bus clock), or 0 if none is pending. Call from the kernel's main loop.
 */
uint64_t service_poll(void);

/* service_sysfs_dir - the /sys directory the service with bus id s
 * declared, or NULL. */
const char *service_sysfs_dir(int s);

/* service_state / service_restarts / service_bus_id - by name. */
enum service_state service_state(const char *name);
uint32_t service_restarts(const char *name);
int service_bus_id(const char *name);

/* service_state_name - printable state. */
const char *service_state_name(enum service_state s);

#endif
