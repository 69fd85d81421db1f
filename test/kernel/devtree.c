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
	KEXPECT_EQ(t, bus_call((bus_svc_t)svc, (bus_topic_t)td, &n, 2,
			       &reply), -AE_EINVAL);
}
