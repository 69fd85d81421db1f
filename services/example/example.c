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
 *    has answered since it (re)started.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/service.h>

/* The service's own state: its topics, looked up once in init. */
static struct {
	bus_topic_t boot_done;
	bus_topic_t ping;
	bus_topic_t console_write;
	uint32_t pings;
} ex;

static int example_init(void)
{
	int a = bus_topic("kernel.boot.done");
	int b = bus_topic("example.ping");
	int c = bus_topic("console.write");

	if (a < 0 || b < 0 || c < 0)
		return -AE_ENOSPC;
	ex.boot_done = (bus_topic_t)a;
	ex.ping = (bus_topic_t)b;
	ex.console_write = (bus_topic_t)c;
	ex.pings = 0;
	return 0;
}

static int example_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	static const char hello[] = "example: hello from a service\n";
	int console;

	(void)state;
	if (m->topic == ex.boot_done) {
		console = bus_svc_find("console");
		if (console < 0)
			return 0;	/* an event: nobody to tell */
		bus_call((bus_svc_t)console, ex.console_write, hello,
			 sizeof(hello) - 1, NULL);
		return 0;
	}
	if (m->topic == ex.ping && m->kind == BUS_REQUEST) {
		ex.pings++;
		memcpy(reply->data, "pong", 4);
		memcpy(reply->data + 4, &ex.pings, sizeof(ex.pings));
		reply->len = 4 + sizeof(ex.pings);
		return 0;
	}
	return -AE_ENOSYS;
}

SERVICE(example,
	.name = "example",
	.init = example_init,
	.handler = example_handle,
	.subscribe = SERVICE_LIST("kernel.boot.done"),
	.serves = SERVICE_LIST("example.ping"),
	.needs = SERVICE_LIST("console"));
