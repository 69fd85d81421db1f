/*
 * sysfs.c - in-kernel tests of /sys: values read live from their owners,
 * the trace filter written through its attribute (and a bad one refused),
 * directories listed, writes by others than root refused.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/trace.h>
#include <aegis/route.h>

static int read_all(const char *path, char *buf, uint32_t len)
{
	int fd = node_open(path, NODE_READ, NODE_CRED_KERNEL), n;

	if (fd < 0)
		return fd;
	n = node_read(fd, buf, len - 1);
	node_close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

KTEST(sysfs, values_read_live)
{
	char text[64];
	struct mm_stats st;

	KEXPECT(t, read_all("/sys/bus/services/console/state", text,
			    sizeof(text)) > 0);
	KEXPECT_STREQ(t, text, "running\n");
	KEXPECT(t, read_all("/sys/bus/services/mm/generation", text,
			    sizeof(text)) > 0);
	KEXPECT_STREQ(t, text, "1\n");
	KEXPECT(t, read_all("/sys/mm/total", text, sizeof(text)) > 0);
	KEXPECT_EQ(t, mm_get_stats(&st), 0);
	{
		char want[32];

		ksnprintf(want, sizeof(want), "%llu\n",
			  (unsigned long long)st.managed_pages);
		KEXPECT_STREQ(t, text, want);
	}
	KEXPECT_EQ(t, read_all("/sys/bus/services/nosuch/state", text,
			       sizeof(text)), -AE_ENOENT);
	KEXPECT_EQ(t, read_all("/sys/mm", text, sizeof(text)), -AE_EISDIR);
}

KTEST(sysfs, trace_filter_written_through_sysfs)
{
	char text[64], old[64];
	int fd;

	KEXPECT(t, read_all("/sys/bus/trace_filter", old, sizeof(old)) > 0);
	fd = node_open("/sys/bus/trace_filter", NODE_WRITE,
		       NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	KEXPECT_EQ(t, node_write(fd, "example.*\n", 10), 10);
	KEXPECT_EQ(t, node_write(fd, "Bad*", 4), -AE_EINVAL);
	node_close(fd);
	KEXPECT_STREQ(t, trace_filter_get(), "example.*");
	KEXPECT(t, read_all("/sys/bus/trace_filter", text, sizeof(text)) > 0);
	KEXPECT_STREQ(t, text, "example.*\n");
	/* put it back */
	fd = node_open("/sys/bus/trace_filter", NODE_WRITE, NODE_CRED_KERNEL);
	old[strlen(old) - 1] = '\0';
	node_write(fd, old, (uint32_t)strlen(old));
	node_close(fd);
	/* not root: the attribute is 0644 */
	KEXPECT_EQ(t, node_open("/sys/bus/trace_filter", NODE_WRITE,
				((struct node_cred){ 1000, 1000, 0 })),
		   -AE_EACCES);
	KEXPECT_EQ(t, node_open("/sys/mm/free", NODE_WRITE, NODE_CRED_KERNEL),
		   -AE_EACCES);
}

KTEST(sysfs, directories_list)
{
	struct node_dirent d;
	bool console = false, sys = false;
	int fd;

	fd = node_open("/sys/bus/services", NODE_DIR | NODE_READ,
		       NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0; i++)
		console |= strcmp(d.name, "console") == 0;
	node_close(fd);
	KEXPECT(t, console);
	fd = node_open("/", NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0; i++)
		sys |= strcmp(d.name, "sys") == 0;
	node_close(fd);
	KEXPECT(t, sys);
}

static int write_str(const char *path, const char *text)
{
	int fd = node_open(path, NODE_WRITE, NODE_CRED_KERNEL), n;

	if (fd < 0)
		return fd;
	n = node_write(fd, text, (uint32_t)strlen(text));
	node_close(fd);
	return n;
}

KTEST(sysfs, devices_and_a_services_own_attributes)
{
	char text[64];

	/* both platforms' trees have a /timer node */
	KEXPECT(t, read_all("/sys/devices/timer/compatible", text,
			    sizeof(text)) > 0);
	KEXPECT(t, strstr(text, "timer") != NULL);
	KEXPECT(t, read_all("/sys/devices/timer/status", text,
			    sizeof(text)) > 0);
	KEXPECT_STREQ(t, text, "attached\n");
	/* the example service's directory, served by the service itself */
	KEXPECT(t, read_all("/sys/example/greeting", text, sizeof(text)) > 0);
	KEXPECT_STREQ(t, text, "hello from a service\n");
	KEXPECT_EQ(t, write_str("/sys/example/greeting", "hi from ktest\n"),
		   14);
	KEXPECT(t, read_all("/sys/example/greeting", text, sizeof(text)) > 0);
	KEXPECT_STREQ(t, text, "hi from ktest\n");
	KEXPECT_EQ(t, write_str("/sys/example/greeting", "bell\a"),
		   -AE_EINVAL);
	KEXPECT_EQ(t, write_str("/sys/example/pings", "1"), -AE_EACCES);
	KEXPECT_EQ(t, write_str("/sys/example/greeting",
				"hello from a service"), 20);
}

KTEST(sysfs, rule_written_changes_routing)
{
	int fd = node_open("/dev/console", NODE_WRITE, NODE_CRED_KERNEL);

	char del[16];

	KEXPECT(t, fd >= 0);
	KEXPECT_EQ(t, write_str("/sys/bus/rules",
				"add deny,topic=node.write,src=devfs"), 35);
	KEXPECT_EQ(t, node_write(fd, "lost\n", 5), -AE_EPERM);
	/* it went to the end, after the proc service's */
	ksnprintf(del, sizeof(del), "del %u", bus_rule_count() - 1);
	KEXPECT_EQ(t, write_str("/sys/bus/rules", del), (long long)strlen(del));
	KEXPECT_EQ(t, node_write(fd, "sysfs: routed again\n", 20), 20);
	KEXPECT_EQ(t, write_str("/sys/bus/rules", "add nonsense"),
		   -AE_EINVAL);
	node_close(fd);
}
