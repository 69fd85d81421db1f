/*
 * power.c - the power service: turns the machine off or resets it, on
 * request. Who may ask is the routing rules' business (aegis/route.h):
 * by default user processes without privilege are refused before their
 * request gets here (aegis/proc.h); the kernel's own services (the
 * shell) and privileged processes are not.
 *
 *   "power.off"     request, no payload: the machine turns off (QEMU
 *                   ends; on x86_64 through the test exit device)
 *   "power.reboot"  request, no payload: the machine resets
 *
 * Neither returns to the caller. Before acting the service says who
 * asked, on the console:
 *
 *	power: reboot, asked by root-reboot-3
 */
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/topics.h>

static int power_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	const char *who = m->src == BUS_SVC_KERNEL ? "kernel" :
			  bus_svc_name(m->src);

	(void)state;
	(void)reply;
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic != TOPIC_POWER_OFF && m->topic != TOPIC_POWER_REBOOT)
		return -AE_ENOSYS;
	if (m->len)
		return -AE_EINVAL;
	kprintf("power: %s, asked by %s\n",
		m->topic == TOPIC_POWER_OFF ? "off" : "reboot",
		who ? who : "?");
	if (m->topic == TOPIC_POWER_OFF)
		hal_poweroff();
	hal_reboot();
}

SERVICE(power,
	.name = "power",
	.handler = power_handle,
	.subscribe = SUBSCRIBES_POWER,
	.serves = SERVES_POWER);
