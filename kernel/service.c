/*
 * service.c - the service registry and the supervisor.
 *
 * The registry turns const descriptors (SERVICE() or service_register)
 * into bus services, in dependency order, and keeps each one's run-time
 * state here. The supervisor is itself a bus service: the bus publishes
 * "bus.svc.failed" when a handler reports a fault; the supervisor marks
 * the service failed and service_poll() restarts it after an exponential
 * back-off, so a crash loop costs at most one init per back-off period
 * and cannot starve the other services.
 *
 * Context: boot and thread context on the dispatching CPU; the
 * supervisor's handler runs from the dispatcher.
 */
#include <string.h>
#include <aegis/contract.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/topics.h>

#define BACKOFF_FIRST_MS	1
#define BACKOFF_MAX_MS		1000
#define STABLE_MS		5000

struct rt {
	const struct service_desc *d;
	enum service_state st;
	int bus;		/* bus id, -1 before the first start */
	uint32_t restarts;
	uint64_t backoff;	/* ticks; 0 until the first failure */
	uint64_t due;		/* restart time while FAILED */
	uint64_t up_since;
	uint8_t mark;		/* dependency walk: 0 new, 1 on path, 2 done */
	bool placed;		/* on its declared CPU, or told why not */
	bool rerun;		/* a restart: running again from its init */
};

static struct rt rts[SERVICE_MAX];
static unsigned int nrt;
static bus_clock_fn clk;
static uint64_t tpm;		/* clock ticks per millisecond */
static service_log_fn log_line;
static service_init_guard_fn init_guard;	/* kept across service_init */

void service_set_init_guard(service_init_guard_fn g)
{
	init_guard = g;
}

static uint64_t now(void)
{
	return clk ? clk() : 0;
}

static void say(const char *fmt, ...) __printf(1, 2);

static void say(const char *fmt, ...)
{
	char line[192];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_line)
		log_line(line);
}

static struct rt *find(const char *name)
{
	for (unsigned int i = 0; i < nrt; i++)
		if (strcmp(rts[i].d->name, name) == 0)
			return &rts[i];
	return NULL;
}

static struct rt *find_bus(int id)
{
	for (unsigned int i = 0; i < nrt; i++)
		if (rts[i].bus == id)
			return &rts[i];
	return NULL;
}

static bool valid(const struct service_desc *d)
{
	return d && d->name && d->name[0] && d->handler &&
	       strnlen(d->name, BUS_NAME_MAX) < BUS_NAME_MAX &&
	       d->qlimit <= BUS_POOL_SIZE && d->prio <= BUS_PRIOS &&
	       (!d->cpu || d->anycpu);
}

/* Put r on its declared CPU if that CPU runs; tell = say why not (once
 * the kernel has started its CPUs). */
static bool place(struct rt *r, bool tell)
{
	int rc;

	if (!r->d->cpu || r->placed || r->bus < 0)
		return false;
	rc = bus_svc_place((bus_svc_t)r->bus, r->d->cpu);
	if (rc == 0) {
		r->placed = true;
		say("service: %s runs on CPU %u (its declaration)", r->d->name,
		    r->d->cpu);
		return true;
	}
	if (tell) {
		r->placed = true;
		say("service: %s wants CPU %u, which does not run; it runs on "
		    "CPU 0", r->d->name, r->d->cpu);
	}
	return false;
}

static void schedule(struct rt *r)
{
	uint64_t t = now();

	/* A service that fails while up, after a stable run, starts over.
	 * An init that fails again is no stable run, however long ago the
	 * service was last up, or if it never was (the clock at boot may
	 * already read more than STABLE_MS). */
	if (r->backoff && r->st == SERVICE_UP &&
	    t - r->up_since > STABLE_MS * tpm)
		r->backoff = 0;
	r->backoff = r->backoff ? r->backoff * 2 : BACKOFF_FIRST_MS * tpm;
	if (r->backoff > BACKOFF_MAX_MS * tpm)
		r->backoff = BACKOFF_MAX_MS * tpm;
	r->due = t + r->backoff;
	r->st = SERVICE_FAILED;
}

static uint64_t backoff_ms(const struct rt *r)
{
	return tpm ? r->backoff / tpm : 0;
}

/* A service's init, run as that service (bus_run_as: what it posts is
 * its own) and under the fault guard, if one is set. */
static int run_init(void *ctx)
{
	struct rt *r = ctx;
	const struct service_desc *d = r->d;

	/* A restart's new generation takes messages only from here on,
	 * with the init already its own (bus_run_as): another CPU's
	 * dispatcher waits for the init before it runs a handler, and no
	 * message of the new generation reaches the old instance's state
	 * (ns once took a remount in between, then its init forgot it) */
	if (r->rerun) {
		r->rerun = false;
		bus_svc_set_state((bus_svc_t)r->bus, BUS_SVC_RUNNING);
	}
	return init_guard ? init_guard(d->name, d->init) : d->init();
}

/* Attach to the bus (first time) or set running again, then init. */
static int start(struct rt *r)
{
	const struct service_desc *d = r->d;
	const char *why;
	int rc;

	if (r->bus < 0) {
		rc = bus_svc_add(d->name, d->handler, d->state,
				 d->qlimit ? d->qlimit : SERVICE_QLIMIT_DEFAULT,
				 d->prio ? (uint8_t)(d->prio - 1)
					 : BUS_PRIO_DEFAULT);
		if (rc < 0) {
			say("service: %s not started: bus refused it (%s)",
			    d->name, errno_name(rc));
			r->st = SERVICE_BLOCKED;
			return rc;
		}
		r->bus = rc;
		if (d->rescue || d->anycpu)
			bus_svc_set_flags((bus_svc_t)r->bus,
					  (d->rescue ? BUS_SVC_F_RESCUE : 0) |
					  (d->anycpu ? BUS_SVC_F_ANYCPU : 0));
		place(r, false);	/* at boot its CPU is not up yet */
		for (const char *const *p = d->subscribe; p && *p; p++) {
			rc = bus_subscribe((bus_svc_t)r->bus, *p, &why);
			if (rc && rc != -AE_EEXIST) {
				say("service: %s not started: subscription "
				    "'%s': %s", d->name, *p, why);
				bus_svc_remove((bus_svc_t)r->bus);
				r->bus = -1;
				r->st = SERVICE_BLOCKED;
				return rc;
			}
		}
		for (const char *const *p = d->serves; p && *p; p++) {
			rc = bus_serve((bus_svc_t)r->bus, *p);
			if (rc) {
				say("service: %s not started: serves '%s': %s",
				    d->name, *p, errno_name(rc));
				bus_svc_remove((bus_svc_t)r->bus);
				r->bus = -1;
				r->st = SERVICE_BLOCKED;
				return rc;
			}
		}
	} else if (d->init) {
		r->rerun = true;	/* running again inside run_init */
	} else {
		bus_svc_set_state((bus_svc_t)r->bus, BUS_SVC_RUNNING);
	}
	rc = d->init ? bus_run_as((bus_svc_t)r->bus, run_init, r) : 0;
	if (r->rerun) {
		/* bus_run_as refused before run_init ran: running, and its
		 * init failed (as below) */
		r->rerun = false;
		bus_svc_set_state((bus_svc_t)r->bus, BUS_SVC_RUNNING);
	}
	if (rc) {
		bus_svc_set_state((bus_svc_t)r->bus, BUS_SVC_FAILED);
		schedule(r);
		say("service: %s init failed: %s; retry in %llu ms", d->name,
		    errno_name(rc), (unsigned long long)backoff_ms(r));
		return rc;
	}
	r->st = SERVICE_UP;
	r->up_since = now();
	say("service: started %s (bus id %d, generation %u)", d->name,
	    r->bus, bus_svc_generation((bus_svc_t)r->bus));
	{
		struct service_up_event ev = {
			(uint32_t)r->bus, bus_svc_generation((bus_svc_t)r->bus)
		};

		/* (a full queue loses the news: a dependent then sees the
		 * new generation on its next exchange) */
		bus_publish(TOPIC_SERVICE_UP, BUS_PRIO_DEFAULT, &ev, sizeof(ev));
	}
	return 0;
}

/* ---- dependency order -------------------------------------------------- */

static char path_text[256];

/* Depth-first: start r's needs, then r. Returns true if r is up (or
 * failed but started: its dependents may still start). */
static bool visit(struct rt *r, struct rt **path, unsigned int depth)
{
	if (r->mark == 2)
		return r->st == SERVICE_UP;
	if (r->mark == 1) {
		unsigned int i = 0, len = 0;

		while (path[i] != r)
			i++;
		for (; i < depth; i++)
			len += (unsigned int)ksnprintf(
				path_text + len, sizeof(path_text) - len,
				"%s -> ", path[i]->d->name);
		ksnprintf(path_text + len, sizeof(path_text) - len, "%s",
			  r->d->name);
		say("service: dependency cycle %s; not started", path_text);
		return false;
	}
	r->mark = 1;
	path[depth] = r;
	for (const char *const *n = r->d->needs; n && *n; n++) {
		struct rt *dep = find(*n);

		if (!dep) {
			say("service: %s not started: needs '%s', which is "
			    "not registered", r->d->name, *n);
			r->st = SERVICE_BLOCKED;
		} else if (!visit(dep, path, depth + 1)) {
			if (r->st != SERVICE_BLOCKED)
				say("service: %s not started: needs '%s', "
				    "which is not up", r->d->name, *n);
			r->st = SERVICE_BLOCKED;
		}
	}
	r->mark = 2;
	if (r->st == SERVICE_BLOCKED)
		return false;
	return start(r) == 0;
}

static bool needs_up(const struct rt *r)
{
	for (const char *const *n = r->d->needs; n && *n; n++) {
		struct rt *dep = find(*n);

		if (!dep || dep->st != SERVICE_UP)
			return false;
	}
	return true;
}

/* Start blocked services whose dependencies have all come up. */
static void unblock(void)
{
	bool again = true;

	while (again) {
		again = false;
		for (unsigned int i = 0; i < nrt; i++) {
			if (rts[i].st == SERVICE_BLOCKED && needs_up(&rts[i])) {
				if (start(&rts[i]) == 0)
					again = true;
			}
		}
	}
}

int service_start_all(const struct service_desc *table, size_t n)
{
	struct rt *path[SERVICE_MAX];
	unsigned int first = nrt;
	int up = 0;

	for (size_t i = 0; i < n; i++) {
		if (!valid(&table[i]) && table[i].name &&
		    table[i].cpu && !table[i].anycpu) {
			say("service: %s names CPU %u but is not marked anycpu; "
			    "ignored", table[i].name, table[i].cpu);
			continue;
		}
		if (!valid(&table[i])) {
			say("service: descriptor %zu is malformed (name, "
			    "handler, qlimit or prio); ignored", i);
			continue;
		}
		if (find(table[i].name)) {
			say("service: %s registered twice; the second is "
			    "ignored", table[i].name);
			continue;
		}
		if (nrt == SERVICE_MAX) {
			say("service: more than %d services; %s ignored",
			    SERVICE_MAX, table[i].name);
			continue;
		}
		memset(&rts[nrt], 0, sizeof(rts[nrt]));
		rts[nrt].d = &table[i];
		rts[nrt].bus = -1;
		nrt++;
	}
	for (unsigned int i = first; i < nrt; i++)
		visit(&rts[i], path, 0);
	for (unsigned int i = first; i < nrt; i++)
		up += rts[i].st == SERVICE_UP;
	return up;
}

/* ---- placement ---------------------------------------------------------- */

unsigned int service_place_declared(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nrt; i++)
		n += place(&rts[i], true);
	return n;
}

/* One NAME:CPU element of place= (len bytes at e): placed, or said why
 * not. */
static bool place_one(const char *e, size_t len)
{
	const char *colon = memchr(e, ':', len);
	char name[BUS_NAME_MAX];
	unsigned int cpu = 0;
	size_t nl;
	int id, rc;

	if (!colon || colon == e || colon + 1 == e + len ||
	    (size_t)(colon - e) >= sizeof(name)) {
		say("service: place=: '%.*s' is not NAME:CPU", (int)len, e);
		return false;
	}
	nl = (size_t)(colon - e);
	memcpy(name, e, nl);
	name[nl] = '\0';
	for (const char *p = colon + 1; p < e + len; p++) {
		if (*p < '0' || *p > '9' || cpu > 1000) {
			say("service: place=: '%.*s' is not NAME:CPU",
			    (int)len, e);
			return false;
		}
		cpu = cpu * 10 + (unsigned int)(*p - '0');
	}
	id = service_bus_id(name);
	if (id < 0) {
		say("service: place=: no service '%s'", name);
		return false;
	}
	rc = bus_svc_place((bus_svc_t)id, cpu);
	if (rc == -AE_EPERM)
		say("service: place=: %s is bound to the boot CPU (not marked "
		    "anycpu)", name);
	else if (rc)
		say("service: place=: %s: CPU %u does not run", name, cpu);
	else
		say("service: %s runs on CPU %u (place=)", name, cpu);
	return rc == 0;
}

unsigned int service_place_option(const char *spec)
{
	unsigned int n = 0;

	while (spec && *spec) {
		const char *end = strchr(spec, ',');
		size_t len = end ? (size_t)(end - spec) : strlen(spec);

		if (len)
			n += place_one(spec, len);
		spec += len + (end ? 1 : 0);
	}
	return n;
}

/* ---- run time ---------------------------------------------------------- */

int service_register(const struct service_desc *d)
{
	struct rt *r;

	if (!valid(d))
		return -AE_EINVAL;
	if (find(d->name))
		return -AE_EEXIST;
	if (nrt == SERVICE_MAX)
		return -AE_ENOSPC;
	r = &rts[nrt];
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->bus = -1;
	r->mark = 2;
	if (!needs_up(r)) {
		say("service: %s not started: a service it needs is not up",
		    d->name);
		return -AE_ENOENT;
	}
	nrt++;
	return start(r);
}

int service_stop(const char *name)
{
	struct rt *r = find(name);
	int rc;

	if (!r)
		return -AE_ENOENT;
	if (r->bus >= 0) {
		rc = bus_svc_set_state((bus_svc_t)r->bus, BUS_SVC_STOPPED);
		if (rc)
			return rc;
	}
	r->st = SERVICE_STOPPED;
	say("service: stopped %s", name);
	return 0;
}

int service_restart(const char *name)
{
	struct rt *r = find(name);
	int rc;

	if (!r)
		return -AE_ENOENT;
	if (r->st == SERVICE_UP) {
		rc = service_stop(name);
		if (rc)
			return rc;
	}
	r->restarts++;
	rc = start(r);
	if (rc == 0)
		unblock();
	return rc;
}

uint64_t service_poll(void)
{
	uint64_t t = now(), next = 0;

	for (unsigned int i = 0; i < nrt; i++) {
		struct rt *r = &rts[i];

		if (r->st != SERVICE_FAILED)
			continue;
		if (r->due > t) {
			if (!next || r->due < next)
				next = r->due;
			continue;
		}
		r->restarts++;
		if (start(r) == 0) {
			say("supervisor: restarted %s (restart %u)", r->d->name,
			    r->restarts);
			unblock();
		} else if (!next || r->due < next) {
			next = r->due;
		}
	}
	return next;
}

/* A request to the supervisor to stop, start or restart a service by
 * name (the payload, not NUL-terminated). */
static int control(const struct bus_msg *m)
{
	char name[BUS_NAME_MAX];
	struct rt *r;
	int rc;

	if (m->len == 0 || m->len >= sizeof(name))
		return -AE_EINVAL;
	memcpy(name, m->data, m->len);
	name[m->len] = '\0';
	r = find(name);
	if (!r)
		return -AE_ENOENT;
	if (m->topic == TOPIC_SERVICE_STOP)
		return r->st == SERVICE_STOPPED ? 0 : service_stop(name);
	if (m->topic == TOPIC_SERVICE_START && r->st == SERVICE_UP)
		return 0;
	rc = service_restart(name);
	/* an init that faulted: the supervisor's answer must not read as
	 * the supervisor's own fault (a handler's -ENOTRECOVERABLE) */
	return rc == -AE_ENOTRECOVERABLE ? -AE_EIO : rc;
}

/* The supervisor's handler: a service's handler reported a fault, or a
 * request to control one. */
static int supervise(void *state, const struct bus_msg *m,
		     struct bus_msg *reply)
{
	struct { uint32_t svc, gen; } ev;
	struct rt *r;

	(void)state;
	(void)reply;
	if (m->kind == BUS_REQUEST && (m->topic == TOPIC_SERVICE_STOP ||
				       m->topic == TOPIC_SERVICE_START ||
				       m->topic == TOPIC_SERVICE_RESTART))
		return control(m);
	if (m->topic != TOPIC_BUS_SVC_FAILED || m->len < sizeof(ev))
		return -AE_EINVAL;
	memcpy(&ev, m->data, sizeof(ev));
	r = find_bus((int)ev.svc);
	if (!r || r->st != SERVICE_UP)
		return 0;
	schedule(r);
	say("supervisor: %s failed (generation %u); restart in %llu ms",
	    r->d->name, ev.gen, (unsigned long long)backoff_ms(r));
	return 0;
}

int service_init(bus_clock_fn clock, uint64_t ticks_per_ms,
		 service_log_fn log)
{
	int id, t;

	memset(rts, 0, sizeof(rts));
	nrt = 0;
	clk = clock;
	tpm = ticks_per_ms ? ticks_per_ms : 1;
	log_line = log;
	id = bus_svc_add("supervisor", supervise, NULL, 64, 0);
	if (id < 0)
		return id;
	for (const char *const *p = SERVES_SUPERVISOR; *p; p++) {
		t = bus_serve((bus_svc_t)id, *p);
		if (t)
			return t;
	}
	for (const char *const *p = SUBSCRIBES_SUPERVISOR; *p; p++) {
		t = bus_subscribe((bus_svc_t)id, *p, NULL);
		if (t)
			return t;
	}
	return 0;
}

/* ---- queries ----------------------------------------------------------- */

enum service_state service_state(const char *name)
{
	struct rt *r = find(name);

	return r ? r->st : SERVICE_ABSENT;
}

uint32_t service_restarts(const char *name)
{
	struct rt *r = find(name);

	return r ? r->restarts : 0;
}

int service_request(const char *verb, const char *name)
{
	char topic[24];
	int sup = bus_svc_find("supervisor"), t;
	size_t n = strlen(name);

	if (strcmp(verb, "stop") && strcmp(verb, "start") &&
	    strcmp(verb, "restart"))
		return -AE_EINVAL;
	if (n >= BUS_NAME_MAX)
		return -AE_ENAMETOOLONG;
	ksnprintf(topic, sizeof(topic), "service.%s", verb);
	t = bus_topic(topic);
	if (sup < 0 || t < 0)
		return -AE_ENODEV;
	return bus_call((bus_svc_t)sup, (bus_topic_t)t, name, n, NULL);
}

const char *service_sysfs_dir(int s)
{
	struct rt *r = find_bus(s);

	return r ? r->d->sysfs : NULL;
}

int service_bus_id(const char *name)
{
	struct rt *r = find(name);

	return r && r->bus >= 0 ? r->bus : -AE_ENOENT;
}

const char *service_state_name(enum service_state s)
{
	static const char *const names[] = {
		"absent", "blocked", "up", "failed", "stopped",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}
