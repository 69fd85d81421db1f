/*
 * example.c - the worked example service (docs/WRITING_A_SERVICE.md).
 *
 * Copy this file to services/<name>/<name>.c, rename "example", add the
 * file to services/SConscript, boot: the boot log says "service: started
 * <name>", and `trace=*` shows its messages.
 *
 * What it does:
 *  - when the kernel publishes "kernel.boot.done", it greets through the
 *    console service (a request: bus_call, answered inline);
 *  - it answers "example.ping" requests with "pong" and how many pings it
 *    has answered since it (re)started;
 *  - it has a directory of its own under /sys (aegis/sysfs.h):
 *    /sys/example/pings (read-only) and /sys/example/greeting, which a
 *    write changes (1 to 30 printable characters; the service says the
 *    new greeting at once, and at the next boot.done).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>

#define GREETING_MAX 31	/* "example: ", 30 characters and a newline fit
				 * one console.write */

/* The service's own state: its topics, looked up once in init. */
static struct {
	bus_topic_t boot_done;
	bus_topic_t ping;
	bus_topic_t console_write;
	bus_topic_t attr, show, store;
	uint32_t pings;
	char greeting[GREETING_MAX];
} ex;

static const struct sysfs_attr attrs[] = {
	{ "pings", 0444, 0 },
	{ "greeting", 0644, 0 },
};

static int example_init(void)
{
	static const char *const names[] = {
		"kernel.boot.done", "example.ping", "console.write",
		"sysfs.attr", "sysfs.show", "sysfs.store",
	};
	bus_topic_t *const topics[] = { &ex.boot_done, &ex.ping,
					&ex.console_write, &ex.attr, &ex.show,
					&ex.store };

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int t = bus_topic(names[i]);

		if (t < 0)
			return -AE_ENOSPC;
		*topics[i] = (bus_topic_t)t;
	}
	ex.pings = 0;
	ksnprintf(ex.greeting, sizeof(ex.greeting), "hello from a service");
	return 0;
}

static void greet(void)
{
	char line[GREETING_MAX + 16];
	int console = bus_svc_find("console");
	int n = ksnprintf(line, sizeof(line), "example: %s\n", ex.greeting);

	if (console >= 0 && n < (int)sizeof(line))	/* else nobody to tell */
		bus_call((bus_svc_t)console, ex.console_write, line,
			 (size_t)n, NULL);
}

/* /sys/example/...: what sysfs asks (aegis/sysfs.h). */
static int sysfs_request(const struct bus_msg *m, struct bus_msg *reply)
{
	struct sysfs_io io;
	char *buf;
	int rc;
	uint32_t n;

	if (m->topic == ex.attr)
		return sysfs_attr_answer(attrs, sizeof(attrs) / sizeof(attrs[0]),
					 m, reply);
	buf = sysfs_io_take(m, &io, m->topic != ex.show, &rc);
	if (!buf)
		return rc;
	if (io.index >= sizeof(attrs) / sizeof(attrs[0]))
		return -AE_EINVAL;
	if (m->topic == ex.show) {
		int k = io.index == 0 ?
			ksnprintf(buf, io.len, "%u\n",
				  ex.pings) :
			ksnprintf(buf, io.len, "%s\n",
				  ex.greeting);

		n = k < (int)io.len ? (uint32_t)k : io.len;
		memcpy(reply->data, &n, sizeof(n));
		reply->len = sizeof(n);
		return 0;
	}
	if (io.index != 1)
		return -AE_EACCES;
	{
		const char *v = buf;

		if (io.len == 0 || io.len >= GREETING_MAX) {
			kprintf("example: greeting: 1 to %u characters\n",
				GREETING_MAX - 1);
			return -AE_EINVAL;
		}
		for (uint32_t i = 0; i < io.len; i++)
			if (v[i] < ' ' || v[i] > '~') {
				kprintf("example: greeting: printable "
					"characters only\n");
				return -AE_EINVAL;
			}
		memcpy(ex.greeting, v, io.len);
		ex.greeting[io.len] = '\0';
	}
	greet();
	return 0;
}

static int example_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	(void)state;
	if (m->topic == ex.boot_done) {
		greet();
		return 0;
	}
	if (m->kind != BUS_REQUEST)
		return -AE_ENOSYS;
	if (m->topic == ex.ping) {
		ex.pings++;
		memcpy(reply->data, "pong", 4);
		memcpy(reply->data + 4, &ex.pings, sizeof(ex.pings));
		reply->len = 4 + sizeof(ex.pings);
		return 0;
	}
	if (m->topic == ex.attr || m->topic == ex.show || m->topic == ex.store)
		return sysfs_request(m, reply);
	return -AE_ENOSYS;
}

SERVICE(example,
	.name = "example",
	.init = example_init,
	.handler = example_handle,
	.subscribe = SERVICE_LIST("kernel.boot.done"),
	.serves = SERVICE_LIST("example.ping", "sysfs.attr", "sysfs.show",
			       "sysfs.store"),
	.needs = SERVICE_LIST("console"),
	.sysfs = "example");
