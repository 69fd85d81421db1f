/*
 * devtree.c - in-kernel tests of the device-tree service: the console's
 * UART is among the enumerated devices, driven by the console, with its
 * interrupt; requests past the end are refused.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/devtree.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/ktest.h>
#include <aegis/kprintf.h>
#include <aegis/node.h>

KTEST(devtree, console_uart_enumerated)
{
	int svc = bus_svc_find("devtree");
	int tc = bus_topic("devtree.count"), td = bus_topic("devtree.device");
	const struct driver_desc *drv;
	struct devtree_event ev;
	struct bus_msg reply;
	uint32_t n = 0, i;
	bool found = false;
	size_t nd;

	KEXPECT(t, svc >= 0 && tc >= 0 && td >= 0);
	if (svc < 0)
		return;
	KEXPECT_EQ(t, bus_call((bus_svc_t)svc, (bus_topic_t)tc, NULL, 0,
			       &reply), 0);
	memcpy(&n, reply.data, sizeof(n));
	KEXPECT(t, n >= 3);
	drv = driver_builtin(&nd);
	for (i = 0; i < n && !found; i++) {
		KEXPECT_EQ(t, bus_call((bus_svc_t)svc, (bus_topic_t)td, &i,
				       sizeof(i), &reply), 0);
		memcpy(&ev, reply.data, sizeof(ev));
		KEXPECT_EQ(t, ev.index, i);
		if (ev.driver >= 0 && (size_t)ev.driver < nd &&
		    strcmp(drv[ev.driver].name, "uart") == 0) {
			found = true;
			KEXPECT(t, ev.irq != DEVTREE_NO_IRQ);
			KEXPECT(t, ev.reg != 0);
		}
	}
	KEXPECT(t, found);
	KEXPECT_EQ(t, bus_call((bus_svc_t)svc, (bus_topic_t)td, &n, sizeof(n),
			       &reply), -AE_ENOENT);
	/* a payload its contract does not allow never reaches devtree */
	KEXPECT_EQ(t, bus_call((bus_svc_t)svc, (bus_topic_t)td, &n, 2,
			       &reply), -AE_EBADMSG);
}

/* The test hook for hot-plug: detach the real-time clock while a handle
 * to it is open, then attach it again, as the shell's detach and attach
 * do. */
static int hotplug(const char *how, const char *name)
{
	return devtree_hotplug(strcmp(how, "devtree.attach") == 0, name);
}

KTEST(devtree, hotplug_detach_and_attach)
{
	char text[40];
	int old, fresh, n;

	old = node_open("/dev/rtc0", NODE_READ, NODE_CRED_KERNEL);
	KEXPECT(t, old >= 0);
	n = node_read(old, text, sizeof(text) - 1);
	KEXPECT(t, n == 24);		/* "YYYY-MM-DD HH:MM:SS UTC\n" */
	if (n > 0) {
		text[n] = '\0';
		KEXPECT(t, text[4] == '-' && text[13] == ':');
		kprintf("devtree: rtc0 says %s", text);
	}
	KEXPECT_EQ(t, hotplug("devtree.detach", "rtc0"), 0);
	bus_run(~0u);		/* devfs and rtc hear of it */
	KEXPECT_EQ(t, node_read(old, text, sizeof(text)), -AE_ENODEV);
	KEXPECT_EQ(t, node_open("/dev/rtc0", NODE_READ, NODE_CRED_KERNEL),
		   -AE_ENOENT);
	KEXPECT_EQ(t, hotplug("devtree.detach", "rtc0"), -AE_ENODEV);
	KEXPECT_EQ(t, hotplug("devtree.detach", "uart0"), -AE_EPERM);
	KEXPECT_EQ(t, hotplug("devtree.detach", "nothing9"), -AE_ENOENT);
	KEXPECT_EQ(t, hotplug("devtree.attach", "rtc0"), 0);
	bus_run(~0u);
	KEXPECT_EQ(t, hotplug("devtree.attach", "rtc0"), -AE_EEXIST);
	fresh = node_open("/dev/rtc0", NODE_READ, NODE_CRED_KERNEL);
	KEXPECT(t, fresh >= 0);
	KEXPECT_EQ(t, node_read(fresh, text, sizeof(text)), 24);
	KEXPECT_EQ(t, node_read(old, text, sizeof(text)), -AE_ENODEV);
	KEXPECT_EQ(t, node_close(old), 0);
	KEXPECT_EQ(t, node_close(fresh), 0);
}
