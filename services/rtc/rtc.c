/*
 * rtc.c - the real-time clock driver: the time of day, UTC.
 *
 * It drives what the device tree calls "motorola,mc146818" (the PC's
 * CMOS clock, on x86_64's platform tree) and "arm,pl031" (QEMU virt's
 * clock); the HAL reads the registers (hal_rtc_read). The devtree
 * service tells it which devices it has ("devtree.device.added" and
 * ".removed" for its driver), and devfs forwards reads of /dev/rtcN to
 * it as "device.read" requests (aegis/driver.h):
 *
 *	$ cat /dev/rtc0
 *	2026-11-25 11:52:03 UTC
 *
 * and "device.ioctl" requests: ABI_RTC_SECONDS (aegis/abi.h) gives the
 * time as seconds since 1970 (int64_t, 8 bytes), for programs.
 *
 * A device detached (hot-plug) is forgotten at once: a read of it is
 * -ENODEV, and its registers are not touched again until it is attached.
 * Every read asks the devtree whether the device is still this driver's
 * and attached (so a detach takes effect at once, before its event
 * arrives); after a restart the driver learns its devices that way too.
 */
#include <string.h>
#include <aegis/abi.h>
#include <aegis/bus.h>
#include <aegis/devtree.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/topics.h>
#include "civil.h"

#define RTC_MAX 4

DRIVER(rtc,
       .name = "rtc",
       .owner = "rtc",
       .hotplug = true,
       .compatible = DRIVER_LIST("motorola,mc146818", "arm,pl031"));

static struct rtc_dev {
	bool present;
	uint32_t index;		/* devtree index */
	uint32_t kind;		/* HAL_RTC_* */
	uint64_t base;
	char text[40];		/* the reading a read at offset 0 took */
} devs[RTC_MAX];

static int self = -1;		/* this driver's index in driver_builtin */

static int rtc_init(void)
{
	const struct driver_desc *d;
	size_t n;

	memset(devs, 0, sizeof(devs));
	d = driver_builtin(&n);
	self = -1;
	for (size_t i = 0; i < n; i++)
		if (d[i].name == __driver_rtc.name)
			self = (int)i;
	return self < 0 ? -AE_ENODEV : 0;
}

static struct rtc_dev *find(uint32_t index)
{
	for (unsigned int i = 0; i < RTC_MAX; i++)
		if (devs[i].present && devs[i].index == index)
			return &devs[i];
	return NULL;
}

/* Which kind of clock a device is: the devtree's full description says
 * (the compatible string this driver was matched on). */
static uint32_t kind_of(uint32_t index)
{
	struct devtree_info info;

	if (devtree_info(index, &info))
		return 0;
	if (strcmp(info.matched, "arm,pl031") == 0)
		return HAL_RTC_PL031;
	if (strcmp(info.matched, "motorola,mc146818") == 0)
		return HAL_RTC_MC146818;
	return 0;
}

/* Take a device the devtree gave this driver. */
static struct rtc_dev *adopt(const struct devtree_event *ev)
{
	struct rtc_dev *d;

	for (d = devs; d < devs + RTC_MAX && d->present; d++)
		;
	if (d == devs + RTC_MAX) {
		kprintf("rtc: more than %u clocks; %s ignored\n", RTC_MAX,
			ev->name);
		return NULL;
	}
	d->kind = kind_of(ev->index);
	if (!d->kind) {
		kprintf("rtc: %s: not a clock this driver knows\n", ev->name);
		return NULL;
	}
	d->index = ev->index;
	d->base = ev->reg;
	d->text[0] = '\0';
	d->present = true;
	return d;
}

/* The devtree's word on a device now: whether it is this driver's and
 * attached. Asked on every read, so a device detached a moment ago is
 * never touched, even before the removal event arrives. */
static bool ours_and_attached(uint32_t index, struct devtree_event *ev)
{
	return devtree_device(index, ev) == 0 && ev->driver == self &&
	       ev->attached;
}

static void device_event(const struct bus_msg *m)
{
	struct devtree_event ev;
	struct rtc_dev *d;

	if (m->len != sizeof(ev) || (int)m->src != bus_svc_find("devtree"))
		return;
	memcpy(&ev, m->data, sizeof(ev));
	if (ev.driver != self)
		return;
	d = find(ev.index);
	if (m->topic == TOPIC_DEVTREE_DEVICE_REMOVED) {
		if (d)
			d->present = false;
		return;
	}
	if (!d)			/* announced again: already have it */
		adopt(&ev);
}

/* The device a request names, if it is still ours and attached. */
static struct rtc_dev *device_of(const struct bus_msg *m,
				 struct device_io *io, int *rc)
{
	struct devtree_event ev;
	struct rtc_dev *d;

	*rc = -AE_EINVAL;
	if (m->len != sizeof(*io))
		return NULL;
	memcpy(io, m->data, sizeof(*io));
	d = find(io->index);
	*rc = -AE_ENODEV;
	if (!ours_and_attached(io->index, &ev)) {
		if (d)
			d->present = false;
		return NULL;
	}
	if (!d)		/* restarted after it was announced */
		d = adopt(&ev);
	*rc = 0;
	return d;
}

static int do_ioctl(const struct bus_msg *m, struct bus_msg *reply)
{
	struct device_io io;
	struct rtc_dev *d;
	int64_t secs;
	int32_t n = sizeof(secs);
	void *buf;
	int rc;

	d = device_of(m, &io, &rc);
	if (!d)
		return rc ? rc : -AE_ENODEV;
	if (io.cmd != ABI_RTC_SECONDS)
		return -AE_ENOTTY;
	if (io.len < sizeof(secs))
		return -AE_EINVAL;
	buf = bus_grant_buf(m, io.buf, sizeof(secs), BUS_GRANT_WRITE, &rc);
	if (!buf)
		return rc;
	secs = hal_rtc_read(d->kind, d->base);
	if (secs < 0)
		return (int)secs;
	memcpy(buf, &secs, sizeof(secs));
	memcpy(reply->data, &n, sizeof(n));
	reply->len = sizeof(n);
	return 0;
}

static int do_read(const struct bus_msg *m, struct bus_msg *reply)
{
	struct device_io io;
	struct rtc_dev *d;
	int64_t secs;
	uint32_t n;
	char *buf;
	int rc;

	d = device_of(m, &io, &rc);
	if (!d)
		return rc ? rc : -AE_ENODEV;
	buf = bus_grant_buf(m, io.buf, io.len, BUS_GRANT_WRITE, &rc);
	if (rc)
		return rc;
	/* a read from the start takes a new reading; one further on reads
	 * the rest of that reading, so split reads never mix two times */
	if (io.off == 0 || !d->text[0]) {
		secs = hal_rtc_read(d->kind, d->base);
		if (secs < 0)
			return (int)secs;
		civil_format((uint64_t)secs, d->text, sizeof(d->text));
	}
	n = (uint32_t)strlen(d->text);
	n = io.off >= n ? 0 : n - io.off;
	if (n > io.len)
		n = io.len;
	if (n)
		memcpy(buf, d->text + io.off, n);
	memcpy(reply->data, &n, sizeof(n));
	reply->len = sizeof(n);
	return 0;
}

static int rtc_handle(void *state, const struct bus_msg *m,
		      struct bus_msg *reply)
{
	(void)state;
	if (m->kind == BUS_EVENT) {
		if (m->topic == TOPIC_DEVTREE_DEVICE_ADDED ||
		    m->topic == TOPIC_DEVTREE_DEVICE_REMOVED)
			device_event(m);
		return 0;
	}
	if (m->kind == BUS_REQUEST && m->topic == TOPIC_DEVICE_READ)
		return do_read(m, reply);
	if (m->kind == BUS_REQUEST && m->topic == TOPIC_DEVICE_IOCTL)
		return do_ioctl(m, reply);
	return -AE_ENOSYS;
}

SERVICE(rtc,
	.name = "rtc",
	.init = rtc_init,
	.handler = rtc_handle,
	.subscribe = SUBSCRIBES_RTC,
	.serves = SERVES_RTC,
	.needs = SERVICE_LIST("devtree"));
