/*
 * devfs.c - in-kernel tests of the node namespace and /dev: open, read,
 * write, stat and readdir through ns and devfs, permissions, bad handles.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/node.h>

KTEST(devfs, null_and_zero)
{
	uint8_t buf[16];
	int fd;

	fd = node_open("/dev/null", NODE_READ | NODE_WRITE, NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	KEXPECT_EQ(t, node_write(fd, "gone", 4), 4);
	KEXPECT_EQ(t, node_read(fd, buf, sizeof(buf)), 0);
	KEXPECT_EQ(t, node_close(fd), 0);
	KEXPECT_EQ(t, node_close(fd), -AE_EBADF);
	fd = node_open("/dev/zero", NODE_READ, NODE_CRED_KERNEL);
	memset(buf, 0xff, sizeof(buf));
	KEXPECT_EQ(t, node_read(fd, buf, sizeof(buf)), sizeof(buf));
	KEXPECT_EQ(t, buf[0] | buf[15], 0);
	KEXPECT_EQ(t, node_write(fd, "x", 1), -AE_EBADF);	/* read-only fd */
	node_close(fd);
}

KTEST(devfs, console_write_and_timer_read)
{
	char text[32];
	int fd, n;

	fd = node_open("/dev/console", NODE_WRITE, NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	KEXPECT_EQ(t, node_write(fd, "devfs: hello through /dev/console\n",
				 34), 34);
	node_close(fd);
	fd = node_open("/dev/timer", NODE_READ, NODE_CRED_KERNEL);
	n = node_read(fd, text, sizeof(text) - 1);
	KEXPECT(t, n > 6);
	if (n > 0) {
		text[n] = '\0';
		KEXPECT(t, strncmp(text, "ticks ", 6) == 0);
	}
	node_close(fd);
}

KTEST(devfs, readdir_lists_dev_and_root)
{
	struct node_dirent d;
	bool null = false, uart = false, dev = false;
	int fd;

	fd = node_open("/dev", NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0; i++) {
		null |= strcmp(d.name, "null") == 0;
		uart |= strcmp(d.name, "uart0") == 0;
	}
	node_close(fd);
	KEXPECT(t, null);
	KEXPECT(t, uart);	/* the console UART, from the devtree */
	fd = node_open("/", NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0; i++)
		dev |= strcmp(d.name, "dev") == 0;
	node_close(fd);
	KEXPECT(t, dev);
}

KTEST(devfs, permissions_and_errors)
{
	struct node_cred user = { 1000, 1000, 0 }, tty = { 1000, 5, 0 };
	struct node_stat st;

	KEXPECT_EQ(t, node_stat("/dev/console", &st, user), 0);
	KEXPECT_EQ(t, st.mode, 0620);
	KEXPECT_EQ(t, st.gid, 5);
	/* a user outside group tty: denied; inside: may write, not read */
	KEXPECT_EQ(t, node_open("/dev/console", NODE_WRITE, user),
		   -AE_EACCES);
	{
		int fd = node_open("/dev/console", NODE_WRITE, tty);

		KEXPECT(t, fd >= 0);
		node_close(fd);
	}
	KEXPECT_EQ(t, node_open("/dev/console", NODE_READ, tty), -AE_EACCES);
	KEXPECT_EQ(t, node_open("/dev/uart0", NODE_READ, user), -AE_EACCES);
	KEXPECT_EQ(t, node_open("/dev/nothing", NODE_READ, NODE_CRED_KERNEL),
		   -AE_ENOENT);
	KEXPECT_EQ(t, node_open("/nothing/x", NODE_READ, NODE_CRED_KERNEL),
		   -AE_ENOENT);
	KEXPECT_EQ(t, node_open("dev/null", NODE_READ, NODE_CRED_KERNEL),
		   -AE_EINVAL);
	KEXPECT_EQ(t, node_open("/dev/null", 0, NODE_CRED_KERNEL),
		   -AE_EINVAL);
	KEXPECT_EQ(t, node_open("/dev", NODE_READ, NODE_CRED_KERNEL),
		   -AE_EISDIR);
	KEXPECT_EQ(t, node_open("/dev/null", NODE_DIR | NODE_READ,
				NODE_CRED_KERNEL), -AE_ENOTDIR);
	KEXPECT_EQ(t, node_read(63, &st, 4), -AE_EBADF);
	KEXPECT_EQ(t, node_read(-1, &st, 4), -AE_EBADF);
}
