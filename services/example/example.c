/*
 * example.c - the worked example service (docs/WRITING_A_SERVICE.md).
 *
 * Copy this file to services/<name>/<name>.c, rename "example" (also in
 * capitals: SERVES_EXAMPLE, TOPIC_EXAMPLE_PING), copy its contract,
 * contracts/example.def, to contracts/<name>.def, add the file to
 * services/SConscript, boot: the boot log says "service: started <name>",
 * and `trace=*` shows its messages.
 *
 * What it does:
 *  - when the kernel publishes "kernel.boot.done", it greets through the
 *    console service (a request: call_console_write() of aegis/clients.h,
 *    answered inline);
 *  - it answers "example.ping" requests with "pong" and how many pings it
 *    has answered since it (re)started;
 *  - it has a directory of its own under /sys (aegis/sysfs.h):
 *    /sys/example/pings (read-only) and /sys/example/greeting, which a
 *    write changes (1 to 30 printable characters; the service says the
 *    new greeting at once, and at the next boot.done).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>

#define GREETING_MAX 31	/* "example: ", 30 characters and a newline fit
				 * one console.write */

/* The service's own state. Its topics need no look-up: contracts/ names
 * them, and aegis/topics.h has their ids (TOPIC_EXAMPLE_PING). */
static struct {
	uint32_t pings;
	char greeting[GREETING_MAX];
} ex;

static const struct sysfs_attr attrs[] = {
	{ "pings", 0444, 0 },
	{ "greeting", 0644, 0 },
};

static int example_init(void)
{
	ex.pings = 0;
	ksnprintf(ex.greeting, sizeof(ex.greeting), "hello from a service");
	return 0;
}

static void greet(void)
{
	char line[GREETING_MAX + 16];
	int n = ksnprintf(line, sizeof(line), "example: %s\n", ex.greeting);

	/* Without a console (-ENODEV) there is nobody to tell. */
	if (n < (int)sizeof(line))
		call_console_write(line, (size_t)n);
}

/* /sys/example/...: what sysfs asks (aegis/sysfs.h). */
static int sysfs_request(const struct bus_msg *m, struct bus_msg *reply)
{
	struct sysfs_io io;
	char *buf;
	int rc;
	uint32_t n;

	if (m->topic == TOPIC_SYSFS_ATTR)
		return sysfs_attr_answer(attrs, sizeof(attrs) / sizeof(attrs[0]),
					 m, reply);
	buf = sysfs_io_take(m, &io, m->topic != TOPIC_SYSFS_SHOW, &rc);
	if (!buf)
		return rc;
	if (io.index >= sizeof(attrs) / sizeof(attrs[0]))
		return -AE_EINVAL;
	if (m->topic == TOPIC_SYSFS_SHOW) {
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
	if (m->topic == TOPIC_KERNEL_BOOT_DONE) {
		greet();
		return 0;
	}
	if (m->kind != BUS_REQUEST)
		return -AE_ENOSYS;
	if (m->topic == TOPIC_EXAMPLE_PING) {
		ex.pings++;
		memcpy(reply->data, "pong", 4);
		memcpy(reply->data + 4, &ex.pings, sizeof(ex.pings));
		reply->len = 4 + sizeof(ex.pings);
		return 0;
	}
	if (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW ||
	    m->topic == TOPIC_SYSFS_STORE)
		return sysfs_request(m, reply);
	return -AE_ENOSYS;
}

SERVICE(example,
	.name = "example",
	.init = example_init,
	.handler = example_handle,
	.subscribe = SUBSCRIBES_EXAMPLE,
	.serves = SERVES_EXAMPLE,
	.needs = SERVICE_LIST("console"),
	.sysfs = "example");
