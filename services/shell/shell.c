/*
 * shell.c - the console shell: runs each line typed on the serial console
 * (the console service's "console.line" events) as a command, on the node
 * namespace and the service registry, and prints through the console.
 *
 *   help                          the commands
 *   ls [path]                     a directory's entries (default /)
 *   cat path                      a node's contents
 *   echo text > path              write text (and a newline) to a node
 *   tree [path]                   a directory tree, two levels deep
 *   svc list                      every service and its state
 *   svc stop|start|restart name   the supervisor's run-time control
 *   trace on FILTER | trace off   the live bus tracer
 *   attach|detach name            hot-plug a device (its instance name
 *                                 like rtc0, node name or tree path)
 *   poweroff | reboot             end or reset the machine (requests to
 *                                 the power service)
 *   prof start|stop|report|dump   the profiler (docs/PROFILER.md)
 *   waitfor                       who waits on whom on the bus (the
 *                                 wait-for graph, /sys/bus/waitfor)
 *   bus pub|echo|stats|top ...    the bus from the console (buscmd.c)
 *   run [+]program                a program of the initrd as a process
 *                                 (+: privileged; docs/PROCESSES.md)
 *
 * Errors come back as one line: "sh: <command>: <reason>". The shell runs
 * as root (uid 0) until user sessions exist.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/console.h>
#include <aegis/devtree.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/service.h>
#include <aegis/topics.h>
#include "buscmd.h"

#define ARGS_MAX 6

static int ran[8];		/* the pids "run" started, 0: free */

static void fail(const char *cmd, int rc)
{
	kprintf("sh: %s: %s\n", cmd, errno_desc(rc));
}

static void list(const char *path, int depth, int max)
{
	struct node_dirent d;
	char child[NODE_PATH_MAX];
	int fd = node_open(path, NODE_DIR | NODE_READ, NODE_CRED_KERNEL);

	if (fd < 0) {
		if (depth == 0)
			fail(max ? "tree" : "ls", fd);
		return;
	}
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0; i++) {
		kprintf("%s%s%s\n", depth == 0 ? "" : depth == 1 ? "  " :
			"    ", d.name, d.kind == NODE_KIND_DIR ? "/" : "");
		if (d.kind == NODE_KIND_DIR && depth < max) {
			ksnprintf(child, sizeof(child), "%s%s%s", path,
				  path[strlen(path) - 1] == '/' ? "" : "/",
				  d.name);
			list(child, depth + 1, max);
		}
	}
	node_close(fd);
}

static void cat(const char *path)
{
	char buf[64];
	int fd = node_open(path, NODE_READ, NODE_CRED_KERNEL), n;

	if (fd < 0) {
		fail("cat", fd);
		return;
	}
	while ((n = node_read(fd, buf, sizeof(buf))) > 0)
		klog_write(buf, (size_t)n);
	if (n < 0)
		fail("cat", n);
	node_close(fd);
}

static void echo(char **argv, int argc)
{
	char text[CONSOLE_LINE_MAX + 2];
	int fd, rc, n = 0, to = -1;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], ">") == 0)
			to = i;
	if (to < 0 || to + 2 != argc) {
		fail("echo", -AE_EINVAL);
		return;
	}
	text[0] = '\0';
	/* the words of one line and a newline always fit; checked anyway
	 * so a longer line could never run past the buffer */
	for (int i = 1; i < to && n < (int)sizeof(text); i++)
		n += ksnprintf(text + n, sizeof(text) - (size_t)n, "%s%s",
			       i > 1 ? " " : "", argv[i]);
	if (n < (int)sizeof(text))
		n += ksnprintf(text + n, sizeof(text) - (size_t)n, "\n");
	if (n >= (int)sizeof(text)) {
		fail("echo", -AE_E2BIG);
		return;
	}
	fd = node_open(argv[argc - 1], NODE_WRITE, NODE_CRED_KERNEL);
	if (fd < 0) {
		fail("echo", fd);
		return;
	}
	rc = node_write(fd, text, (uint32_t)n);
	if (rc < 0)
		fail("echo", rc);
	node_close(fd);
}

static void svc(char **argv, int argc)
{
	int rc;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (unsigned int s = 0; s < bus_svc_span(); s++) {
			enum bus_svc_state st = bus_svc_state((bus_svc_t)s);
			static const char *const names[] = {
				"free", "running", "stopped", "failed" };

			if (st != BUS_SVC_FREE)
				kprintf("%-12s %s\n", bus_svc_name((bus_svc_t)s),
					names[st]);
		}
		return;
	}
	if (argc != 3) {
		fail("svc", -AE_EINVAL);
		return;
	}
	if (service_state(argv[2]) == SERVICE_ABSENT &&
	    bus_svc_find(argv[2]) >= 0) {
		kprintf("sh: svc: %s: the kernel's own, not a service the "
			"supervisor runs\n", argv[2]);
		return;
	}
	if ((strcmp(argv[2], "shell") == 0 ||
	     strcmp(argv[2], "console") == 0) &&
	    strcmp(argv[1], "restart") != 0) {
		kprintf("sh: svc: %s %s would leave nothing to type on; "
			"restart it instead\n", argv[1], argv[2]);
		return;
	}
	if (strcmp(argv[2], "shell") == 0) {
		/* not from inside this handler: the supervisor restarts the
		 * shell once this line is done (its answer goes to the new
		 * instance, which ignores it); so a queued bus_request, not
		 * call_service_restart(), which would run it inline */
		int sup = bus_contract_owner(TOPIC_SERVICE_RESTART);

		rc = sup < 0 ? sup :
		     bus_request((bus_svc_t)sup, TOPIC_SERVICE_RESTART,
				 BUS_PRIO_DEFAULT, "shell", 5);
		if (rc < 0)
			fail("svc", rc);
		else
			kprintf("svc: shell restarting\n");
		return;
	}
	rc = service_request(argv[1], argv[2]);
	if (rc)
		fail("svc", rc);
	else
		kprintf("svc: %s %s\n", argv[2], service_state_name(
				service_state(argv[2])));
}

/* The filter goes to the console service, which checks it and says
 * what it did (or why not: -EINVAL). */
static void trace_cmd(char **argv, int argc)
{
	const char *filter;
	int rc;

	if (argc == 2 && strcmp(argv[1], "off") == 0)
		filter = "off";
	else if (argc == 3 && strcmp(argv[1], "on") == 0)
		filter = argv[2];
	else {
		fail("trace", -AE_EINVAL);
		return;
	}
	rc = call_trace_filter(filter, strlen(filter));
	if (rc && rc != -AE_EINVAL)	/* no console, or refused by the bus */
		fail("trace", rc);
}

/* Hot-plug through the devtree service, which says why it refuses. */
static void hotplug(char **argv, int argc)
{
	int rc = argc == 2 ? devtree_hotplug(argv[0][0] == 'a', argv[1])
			   : -AE_EINVAL;

	if (rc)
		fail(argv[0], rc);
	else
		kprintf("%s: %s %sed\n", argv[0], argv[1], argv[0]);
}

/* run [+]name: a program from the initrd as a process (+: privileged);
 * its end is reported when the proc service says so. */
static void run_prog(char **argv, int argc)
{
	const char *name = argc == 2 ? argv[1] : "";
	bool priv = name[0] == '+';
	int pid;

	if (argc != 2 || !name[priv]) {
		kprintf("sh: run: run [+]program (a program of the initrd)\n");
		return;
	}
	pid = proc_spawn(name + priv, 0, priv ? PROC_SPAWN_PRIV : 0);
	if (pid < 0) {
		fail("run", pid);
		return;
	}
	kprintf("sh: %s: pid %d%s\n", name + priv, pid,
		priv ? ", privileged" : "");
	for (unsigned int k = 0; k < ARRAY_SIZE(ran); k++)
		if (!ran[k]) {
			ran[k] = pid;
			break;
		}
}

static void exited(const struct bus_msg *m)
{
	struct proc_exit_event ev;

	if (m->len != sizeof(ev))
		return;
	memcpy(&ev, m->data, sizeof(ev));
	for (unsigned int k = 0; k < ARRAY_SIZE(ran); k++)
		if (ran[k] && ran[k] == ev.pid) {
			ran[k] = 0;
			kprintf("sh: %s (pid %d) exited with %d\n", ev.name,
				ev.pid, ev.code);
		}
}

/* prof start|stop|report|dump: requests to the profiler. */
static void prof(char **argv, int argc)
{
	static const struct {
		const char *name;
		int (*call)(void);
	} cmds[] = {
		{ "start", call_profiler_start },
		{ "stop", call_profiler_stop },
		{ "report", call_profiler_report },
		{ "dump", call_profiler_dump },
	};
	int rc;

	for (unsigned int i = 0; argc == 2 && i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		rc = cmds[i].call();
		if (rc)
			fail("prof", rc);
		return;
	}
	kprintf("sh: prof: start, stop, report or dump\n");
}

/* Through the power service, like any other caller. */
static void power(const char *what)
{
	int rc = strcmp(what, "reboot") == 0 ? call_power_reboot()
					     : call_power_off();

	kprintf("sh: %s: %s\n", what, errno_desc(rc));
}

/* The wait-for graph: read here, in the shell's own handler, it shows
 * the shell running and whatever else waits. */
static void waitfor(void)
{
	static char text[1024];

	if (bus_waitfor(text, sizeof(text)) >= 0)
		kprintf("%s", text);
}

static void run(char *line)
{
	char *argv[ARGS_MAX + 1];
	int argc = 0;

	for (char *p = line; *p && argc <= ARGS_MAX;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	if (argc == 0)
		return;
	if (argc > ARGS_MAX) {
		fail(argv[0], -AE_E2BIG);
		return;
	}
	if (strcmp(argv[0], "help") == 0)
		kprintf("commands: help, ls [path], cat path, echo text > path, "
			"tree [path], svc list|stop|start|restart name, "
			"trace on FILTER|off, attach|detach device, "
			"prof start|stop|report|dump, waitfor, bus pub|echo|stats|"
			"top, run [+]program, poweroff, reboot\n");
	else if (strcmp(argv[0], "ls") == 0 && argc <= 2)
		list(argc == 2 ? argv[1] : "/", 0, 0);
	else if (strcmp(argv[0], "tree") == 0 && argc <= 2)
		list(argc == 2 ? argv[1] : "/", 0, 2);
	else if (strcmp(argv[0], "cat") == 0 && argc == 2)
		cat(argv[1]);
	else if (strcmp(argv[0], "echo") == 0)
		echo(argv, argc);
	else if (strcmp(argv[0], "svc") == 0)
		svc(argv, argc);
	else if (strcmp(argv[0], "trace") == 0)
		trace_cmd(argv, argc);
	else if (strcmp(argv[0], "attach") == 0 ||
		 strcmp(argv[0], "detach") == 0)
		hotplug(argv, argc);
	else if (strcmp(argv[0], "prof") == 0)
		prof(argv, argc);
	else if (strcmp(argv[0], "run") == 0)
		run_prog(argv, argc);
	else if (strcmp(argv[0], "waitfor") == 0 && argc == 1)
		waitfor();
	else if (strcmp(argv[0], "bus") == 0)
		buscmd(argv, argc);
	else if ((strcmp(argv[0], "poweroff") == 0 ||
		  strcmp(argv[0], "reboot") == 0) && argc == 1)
		power(argv[0]);
	else
		kprintf("sh: %s: unknown command (help lists them)\n",
			argv[0]);
}

static int shell_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	char line[CONSOLE_LINE_MAX + 1];
	int rc;

	(void)state;
	(void)reply;
	if (m->topic == TOPIC_PROC_EXIT && m->kind == BUS_EVENT) {
		exited(m);
		return 0;
	}
	if (m->topic != TOPIC_CONSOLE_LINE || m->kind != BUS_EVENT ||
	    (int)m->src != bus_svc_find("console")) {
		buscmd_event(m);	/* bus echo and bus top */
		return 0;
	}
	rc = console_line_take(m, line, sizeof(line));
	if (rc == -AE_EAGAIN)
		kprintf("sh: a line was overwritten before it could run\n");
	if (rc >= 0 && !buscmd_line())	/* a line ends echo or top */
		run(line);
	return 0;
}

SERVICE(shell,
	.name = "shell",
	.rescue = true,
	.handler = shell_handle,
	.subscribe = SUBSCRIBES_SHELL,
	.serves = SERVES_SHELL,
	.needs = SERVICE_LIST("console", "ns", "devtree"));
