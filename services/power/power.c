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

static bus_topic_t t_off, t_reboot;

static int power_init(void)
{
	int a = bus_topic("power.off"), b = bus_topic("power.reboot");

	if (a < 0 || b < 0)
		return -AE_ENOSPC;
	t_off = (bus_topic_t)a;
	t_reboot = (bus_topic_t)b;
	return 0;
}

static int power_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	const char *who = m->src == BUS_SVC_KERNEL ? "kernel" :
			  bus_svc_name(m->src);

	(void)state;
	(void)reply;
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic != t_off && m->topic != t_reboot)
		return -AE_ENOSYS;
	if (m->len)
		return -AE_EINVAL;
	kprintf("power: %s, asked by %s\n",
		m->topic == t_off ? "off" : "reboot", who ? who : "?");
	if (m->topic == t_off)
		hal_poweroff();
	hal_reboot();
}

SERVICE(power,
	.name = "power",
	.init = power_init,
	.handler = power_handle,
	.serves = SERVICE_LIST("power.off", "power.reboot"));
