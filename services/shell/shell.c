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
 *   svc list                      every service, its state and the CPU
 *                                 that dispatches its queue
 *   svc stop|start|restart name   the supervisor's run-time control
 *   svc place name cpu            dispatch a service's queue on a CPU
 *                                 (services marked anycpu), pinned
 *   svc place name auto           unpinned: the kernel's balancer may
 *                                 move it (aegis/balance.h)
 *   trace on FILTER | trace off   the live bus tracer
 *   attach|detach name            hot-plug a device (its instance name
 *                                 like rtc0, node name or tree path)
 *   poweroff | reboot             end or reset the machine (requests to
 *                                 the power service)
 *   prof start|stop|report|dump   the profiler (docs/PROFILER.md)
 *   waitfor                       who waits on whom on the bus (the
 *                                 wait-for graph, /sys/bus/waitfor)
 *   bus pub|echo|stats|top ...    the bus from the console (buscmd.c)
 *   run [+]program [args]         a program of the initrd as a process
 *                                 (arguments: Linux programs only)
 *                                 (+: privileged; docs/PROCESSES.md);
 *                                 run alone lists the initrd
 *   ps | top | uptime | dmesg     services, threads and processes (top:
 *                                 each second until a key), time since
 *                                 boot, the kernel log (ps.c)
 *
 * The shell says when it is ready: it asks the console for the prompt
 * "sh> " (console.mode) after each command, and keeps the console busy
 * while a command runs on (cat of an endless file steps through
 * shell.more messages to itself, so Ctrl-C - console.intr - is read
 * between steps) or takes single keys (top, bus echo and bus top end on
 * one). Tab on the console asks the shell to complete a command or a
 * path (shell.complete). Errors come back as one line: "sh: <command>:
 * [<what>: ]<reason>". The shell runs as root (uid 0) until user sessions
 * exist.
 */
#include <string.h>
#include <aegis/bootparam.h>
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
#include <aegis/shell.h>
#include <aegis/tty.h>
#include "buscmd.h"
#include "ps.h"

#define ARGS_MAX 16

#define PROMPT	"sh> "
#define CAT_STEP 16	/* reads of cat per step between keys */

static int ran[8];		/* the pids "run" started, 0: free */

/* what runs on after its line: nothing (the prompt is back), cat's next
 * steps, or a command that ends on a key */
static enum { JOB_NONE, JOB_CAT, JOB_KEYS, JOB_SESSION } job;

/* The console session (docs/TTY.md): a program on the console's
 * terminal, which gets what is typed; Ctrl-] asks for the monitor's
 * prompt, for one command (monitor). */
static int session_pid;
static bool monitor;
static char session_name[PROC_NAME_MAX];
static char init_prog[20];
BOOT_PARAM_STRING(init_prog, "init",
		  "a Linux program of the initrd the console runs at boot as "
		  "its session (busybox); the monitor is a Ctrl-] away");
static char init_args[64] = "sh,-i";
BOOT_PARAM_STRING(init_args, "init.args",
		  "the session program's arguments, comma-separated (sh,-i: "
		  "busybox's interactive shell)");
static int cat_fd = -1;
static char cat_path[NODE_PATH_MAX];

static void fail(const char *cmd, int rc)
{
	cprintf("sh: %s: %s\n", cmd, errno_desc(rc));
}

static void failp(const char *cmd, const char *what, int rc)
{
	cprintf("sh: %s: %s: %s\n", cmd, what, errno_desc(rc));
}

static void console_mode_as(enum console_input m, const char *prompt)
{
	struct console_mode q;

	memset(&q, 0, sizeof(q));
	q.mode = (uint8_t)m;
	if (m == CONSOLE_PROMPT) {
		q.len = (uint8_t)strlen(prompt);
		memcpy(q.prompt, prompt, q.len);
	}
	call_console_mode(&q);
}

static void console_mode(enum console_input m)
{
	console_mode_as(m, PROMPT);
}

static void list(const char *path, int depth, int max)
{
	struct node_dirent d;
	char child[NODE_PATH_MAX];
	int fd = node_open(path, NODE_DIR | NODE_READ, NODE_CRED_KERNEL);

	if (fd < 0) {
		if (depth == 0)
			failp(max ? "tree" : "ls", path, fd);
		return;
	}
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0;
	     i = d.next ? d.next : i + 1) {
		if (strcmp(d.name, ".") == 0 || strcmp(d.name, "..") == 0)
			continue;
		cprintf("%s%s%s\n", depth == 0 ? "" : depth == 1 ? "  " :
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

/* cat's end: the file closed, an error said */
static void cat_end(int rc)
{
	if (rc < 0)
		failp("cat", cat_path, rc);
	node_close(cat_fd);
	cat_fd = -1;
	job = JOB_NONE;
}

/* Up to CAT_STEP reads; then, if the file goes on, the next step comes
 * as a message to the shell itself, after whatever waits (Ctrl-C). */
static void cat_step(void)
{
	char buf[64];
	int n = 0;

	for (int i = 0; i < CAT_STEP; i++) {
		n = node_read(cat_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		kcons_write(buf, (size_t)n);
	}
	if (n <= 0) {
		cat_end(n);
		return;
	}
	n = send_shell_more();
	if (n < 0)
		cat_end(n);
}

static void cat(const char *path)
{
	int fd = node_open(path, NODE_READ, NODE_CRED_KERNEL);

	if (fd < 0) {
		failp("cat", path, fd);
		return;
	}
	cat_fd = fd;
	memcpy(cat_path, path, strnlen(path, sizeof(cat_path) - 1));
	cat_path[strnlen(path, sizeof(cat_path) - 1)] = '\0';
	job = JOB_CAT;
	cat_step();
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
		failp("echo", argv[argc - 1], fd);
		return;
	}
	rc = node_write(fd, text, (uint32_t)n);
	if (rc < 0)
		failp("echo", argv[argc - 1], rc);
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
				cprintf("%-12s %-8s cpu %d%s\n",
					bus_svc_name((bus_svc_t)s), names[st],
					bus_svc_cpu((bus_svc_t)s),
					!(bus_svc_flags((bus_svc_t)s) &
					  BUS_SVC_F_ANYCPU) ? "" :
					bus_svc_pinned((bus_svc_t)s) ?
					" (any, pinned)" : " (any)");
		}
		return;
	}
	if (argc == 4 && strcmp(argv[1], "place") == 0) {
		int s = bus_svc_find(argv[2]);
		unsigned int cpu = 0;
		const char *p = argv[3];

		if (s >= 0 && strcmp(p, "auto") == 0) {
			rc = bus_svc_unpin((bus_svc_t)s);
			if (rc == -AE_EPERM)
				cprintf("sh: svc place: %s runs on the boot CPU "
					"only (it is not marked anycpu)\n",
					argv[2]);
			else if (rc)
				fail("svc place", rc);
			else
				cprintf("svc: %s placed by the kernel (on cpu "
					"%d now)\n", argv[2],
					bus_svc_cpu((bus_svc_t)s));
			return;
		}
		for (; *p >= '0' && *p <= '9' && cpu < 1000; p++)
			cpu = cpu * 10 + (unsigned int)(*p - '0');
		if (s < 0 || *p || p == argv[3]) {
			fail("svc place", s < 0 ? s : -AE_EINVAL);
			return;
		}
		rc = bus_svc_place((bus_svc_t)s, cpu);
		if (rc == -AE_EPERM)
			cprintf("sh: svc place: %s runs on the boot CPU only "
				"(it is not marked anycpu)\n", argv[2]);
		else if (rc == -AE_ENODEV)
			cprintf("sh: svc place: cpu %u runs no dispatcher\n",
				cpu);
		else if (rc)
			fail("svc place", rc);
		else
			cprintf("svc: %s dispatched on cpu %u\n", argv[2], cpu);
		return;
	}
	if (argc != 3) {
		fail("svc", -AE_EINVAL);
		return;
	}
	if (service_state(argv[2]) == SERVICE_ABSENT &&
	    bus_svc_find(argv[2]) >= 0) {
		cprintf("sh: svc: %s: the kernel's own, not a service the "
			"supervisor runs\n", argv[2]);
		return;
	}
	if ((strcmp(argv[2], "shell") == 0 ||
	     strcmp(argv[2], "console") == 0) &&
	    strcmp(argv[1], "restart") != 0) {
		cprintf("sh: svc: %s %s would leave nothing to type on; "
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
			cprintf("svc: shell restarting\n");
		return;
	}
	rc = service_request(argv[1], argv[2]);
	if (rc)
		failp("svc", argv[2], rc);
	else
		cprintf("svc: %s %s\n", argv[2], service_state_name(
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
		failp(argv[0], argc == 2 ? argv[1] : "attach|detach device", rc);
	else
		cprintf("%s: %s %sed\n", argv[0], argv[1], argv[0]);
}

/* run [+]name [args]: a program from the initrd as a process (+:
 * privileged), with arguments if it is a Linux program; its end is
 * reported when the proc service says so. */
static void run_prog(char **argv, int argc)
{
	const char *name = argc >= 2 ? argv[1] : "";
	bool priv = name[0] == '+';
	char args[PROC_ARGS_MAX];
	uint32_t len = 0;
	int pid;

	if (argc == 1) {
		cprintf("run [+]program [arguments], a program of the "
			"initrd:\n");
		sh_cat_file("run", "/sys/proc/initrd");
		return;
	}
	if (!name[priv]) {
		cprintf("sh: run: run [+]program [arguments] (a program of "
			"the initrd)\n");
		return;
	}
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (n > sizeof(args) - len) {
			fail("run", -AE_E2BIG);
			return;
		}
		memcpy(args + len, argv[i], n);
		len += (uint32_t)n;
	}
	pid = proc_spawn_args(name + priv, args, len, 0,
			      priv ? PROC_SPAWN_PRIV : 0);
	if (pid == -AE_ENOENT) {
		cprintf("sh: run: %s: not in the initrd (run alone lists it)\n",
			name + priv);
		return;
	}
	if (pid < 0) {
		failp("run", name + priv, pid);
		return;
	}
	cprintf("sh: %s: pid %d%s\n", name + priv, pid,
		priv ? ", privileged" : "");
	for (unsigned int k = 0; k < ARRAY_SIZE(ran); k++)
		if (!ran[k]) {
			ran[k] = pid;
			break;
		}
}

/* ---- the console session ------------------------------------------------ */

static void run(char *line);

/* session [+]program [args]: the program on the console's terminal. */
static void session_start(char **argv, int argc)
{
	const char *name = argc >= 2 ? argv[1] : "";
	bool priv = name[0] == '+';
	char args[PROC_ARGS_MAX];
	uint32_t len = 0;
	int pid;

	if (!name[priv]) {
		cprintf("sh: session [+]program [arguments]: a Linux program "
			"of the initrd on the console's terminal\n");
		return;
	}
	if (session_pid) {
		cprintf("sh: session: pid %d is the console's session already\n",
			session_pid);
		return;
	}
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (n > sizeof(args) - len) {
			fail("session", -AE_E2BIG);
			return;
		}
		memcpy(args + len, argv[i], n);
		len += (uint32_t)n;
	}
	pid = proc_spawn_args(name + priv, args, len, 0,
			      (priv ? PROC_SPAWN_PRIV : 0) | PROC_SPAWN_TTY);
	if (pid < 0) {
		failp("session", name + priv, pid);
		return;
	}
	session_pid = pid;
	monitor = false;
	memset(session_name, 0, sizeof(session_name));
	memcpy(session_name, name + priv,
	       strnlen(name + priv, sizeof(session_name) - 1));
	job = JOB_SESSION;
	cprintf("sh: session: %s (pid %d) has the console's terminal; "
		"Ctrl-] gives the monitor's prompt for a command\n",
		session_name, pid);
}

/* A line typed at the monitor's prompt during the session (Ctrl-]): the
 * monitor's command, then the terminal again. */
static void session_line(char *line)
{
	monitor = false;
	if (line[0])
		run(line);
	if (job != JOB_SESSION && session_pid)
		job = JOB_SESSION;	/* (the session goes on) */
}

static void session_ended(const struct proc_exit_event *ev)
{
	session_pid = 0;
	monitor = false;
	if (job == JOB_SESSION)
		job = JOB_NONE;
	cprintf("sh: session: %s (pid %d) ended with %d; the monitor's "
		"prompt again\n", ev->name, ev->pid, ev->code);
}

/* The console restarted: its terminal is new and belongs to no session.
 * The session takes it again (its leader's group in the foreground,
 * the termios a new terminal's), and typing goes back to it. */
static void session_reattach(void)
{
	struct tty_caller c;
	int h = node_open("/dev/console", NODE_READ | NODE_WRITE,
			  NODE_CRED_KERNEL), rc;

	if (h < 0) {
		fail("session: the console's terminal", h);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.pid = c.pgrp = c.sid = session_pid;
	c.flags = TTY_C_LEADER;
	rc = node_tty(h, TOPIC_NS_IOCTL, TTY_ATTACH, NULL, 0, -1, &c);
	node_close(h);
	if (rc < 0)
		fail("session: the console's terminal", rc);
	else
		cprintf("sh: session: %s (pid %d) has the console's new "
			"terminal\n", session_name, session_pid);
}

/* init= at boot: the session, its arguments from init.args */
static void session_boot(void)
{
	static char buf[sizeof(init_args)];
	char *argv[ARGS_MAX + 1] = { "session", init_prog };
	int argc = 2;

	memcpy(buf, init_args, sizeof(buf));
	for (char *p = buf; *p && argc < ARGS_MAX;) {
		argv[argc++] = p;
		while (*p && *p != ',')
			p++;
		if (*p)
			*p++ = '\0';
	}
	session_start(argv, argc);
}

static void exited(const struct bus_msg *m)
{
	struct proc_exit_event ev;

	if (m->len != sizeof(ev))
		return;
	memcpy(&ev, m->data, sizeof(ev));
	if (session_pid && ev.pid == session_pid)
		session_ended(&ev);
	for (unsigned int k = 0; k < ARRAY_SIZE(ran); k++)
		if (ran[k] && ran[k] == ev.pid) {
			ran[k] = 0;
			cprintf("sh: %s (pid %d) exited with %d\n", ev.name,
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
	cprintf("sh: prof: start, stop, report or dump\n");
}

/* Through the power service, like any other caller. */
static void power(const char *what)
{
	int rc = strcmp(what, "reboot") == 0 ? call_power_reboot()
					     : call_power_off();

	cprintf("sh: %s: %s\n", what, errno_desc(rc));
}

/* The wait-for graph: read here, in the shell's own handler, it shows
 * the shell running and whatever else waits. */
static void waitfor(void)
{
	static char text[1024];

	if (bus_waitfor(text, sizeof(text)) >= 0)
		cprintf("%s", text);
}

static const char *const commands[] = {
	"attach", "bus", "cat", "detach", "dmesg", "echo", "help", "ls",
	"poweroff", "prof", "ps", "reboot", "run", "session", "svc", "top",
	"trace",
	"tree", "uptime", "waitfor",
};

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
		cprintf("commands: help, ls [path], cat path, echo text > path, "
			"tree [path], svc list|stop|start|restart name, "
			"svc place name cpu|auto, "
			"trace on FILTER|off, attach|detach device, "
			"prof start|stop|report|dump, waitfor, bus pub|echo|stats|"
			"top, run [+]program [args], session [+]program [args], ps, "
			"top, uptime, dmesg, poweroff, "
			"reboot\nkeys: Tab completes, Up/Down recall, Ctrl-C "
			"stops a command, Ctrl-L clears\n");
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
	else if (strcmp(argv[0], "session") == 0)
		session_start(argv, argc);
	else if (strcmp(argv[0], "waitfor") == 0 && argc == 1)
		waitfor();
	else if (strcmp(argv[0], "bus") == 0) {
		buscmd(argv, argc);
		if (buscmd_busy())
			job = JOB_KEYS;
	} else if (strcmp(argv[0], "ps") == 0 && argc == 1)
		ps();
	else if (strcmp(argv[0], "top") == 0 && argc == 1) {
		if (top_start())
			job = JOB_KEYS;
	} else if (strcmp(argv[0], "uptime") == 0 && argc == 1)
		uptime();
	else if (strcmp(argv[0], "dmesg") == 0 && argc == 1)
		dmesg();
	else if ((strcmp(argv[0], "poweroff") == 0 ||
		  strcmp(argv[0], "reboot") == 0) && argc == 1)
		power(argv[0]);
	else
		cprintf("sh: %s: unknown command (help lists them)\n",
			argv[0]);
}

/* ---- Tab ------------------------------------------------------------ */

struct matches {
	const char *typed;	/* the part of the name typed */
	size_t tlen;
	unsigned int n;
	char first[NODE_NAME_MAX];	/* the first match, whole */
	size_t common;		/* what every match shares */
	bool dir;		/* the only match is a directory */
	bool listing;		/* second pass: print them */
};

static void consider(struct matches *mt, const char *name, bool dir)
{
	size_t k = 0;

	if (strncmp(name, mt->typed, mt->tlen) != 0)
		return;
	if (mt->listing) {
		cprintf("%s%s  ", name, dir ? "/" : "");
		return;
	}
	if (mt->n++ == 0) {
		size_t len = strnlen(name, sizeof(mt->first) - 1);

		memcpy(mt->first, name, len);
		mt->first[len] = '\0';
		mt->common = len;
		mt->dir = dir;
		return;
	}
	while (k < mt->common && name[k] == mt->first[k])
		k++;
	mt->common = k;
}

/* Each name that can complete the word: commands, or a directory's
 * entries. */
static int each(struct matches *mt, bool first, const char *dir)
{
	struct node_dirent d;
	int fd;

	if (first) {
		for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++)
			consider(mt, commands[i], false);
		return 0;
	}
	fd = node_open(dir, NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	if (fd < 0)
		return fd;
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0;
	     i = d.next ? d.next : i + 1)
		if (strcmp(d.name, ".") != 0 && strcmp(d.name, "..") != 0)
			consider(mt, d.name, d.kind == NODE_KIND_DIR);
	node_close(fd);
	return 0;
}

/* shell.complete: what to insert after the word before the cursor. */
static int complete(const struct bus_msg *m, struct bus_msg *reply)
{
	struct shell_complete q;
	struct shell_completion r;
	char word[SHELL_WORD_MAX + 1], dir[SHELL_WORD_MAX + 2];
	struct matches mt;
	const char *slash;
	size_t add;
	int rc;

	memcpy(&q, m->data, sizeof(q));
	if (q.len > SHELL_WORD_MAX)
		return -AE_EINVAL;
	memcpy(word, q.word, q.len);
	word[q.len] = '\0';
	if (strlen(word) != q.len)
		return -AE_EINVAL;
	memset(&r, 0, sizeof(r));
	memset(&mt, 0, sizeof(mt));
	mt.typed = word;
	dir[0] = '\0';
	if (!q.first) {
		/* paths are absolute: an empty word starts one */
		if (q.len == 0) {
			r.len = 1;
			r.text[0] = '/';
			goto answer;
		}
		slash = strrchr(word, '/');
		if (!slash || word[0] != '/')
			return -AE_ENOENT;
		memcpy(dir, word, (size_t)(slash - word) + 1);
		dir[slash - word + (slash == word)] = '\0';
		mt.typed = slash + 1;
	}
	mt.tlen = strlen(mt.typed);
	rc = each(&mt, q.first, dir);
	if (rc)
		return rc;
	if (!mt.n)
		return -AE_ENOENT;
	add = mt.common - mt.tlen;
	if (mt.n == 1) {
		memcpy(r.text, mt.first + mt.tlen, add);
		r.text[add++] = mt.dir ? '/' : ' ';
	} else if (add) {
		memcpy(r.text, mt.first + mt.tlen, add);
	} else {
		/* nothing more in common: show them; the console draws the
		 * line again below */
		mt.listing = true;
		cprintf("\n");
		each(&mt, q.first, dir);
		cprintf("\n");
	}
	r.len = (uint8_t)(add > SHELL_WORD_MAX ? SHELL_WORD_MAX : add);
answer:
	memcpy(reply->data, &r, sizeof(r));
	reply->len = sizeof(r);
	return 0;
}

/* ---- jobs and the prompt -------------------------------------------- */

/* Whatever runs on stops (a key, or Ctrl-C). */
static void stop_job(void)
{
	if (job == JOB_SESSION) {
		monitor = false;	/* the session goes on */
		return;
	}
	if (cat_fd >= 0)
		cat_end(0);
	buscmd_stop();
	top_stop();
	job = JOB_NONE;
}

/* After a line, or the end of what it started: the prompt, single keys
 * for a command that ends on one, or nothing while cat steps on. */
static void ready(void)
{
	if (job == JOB_NONE)
		console_mode(CONSOLE_PROMPT);
	else if (job == JOB_KEYS)
		console_mode(CONSOLE_KEYS);
	else if (job == JOB_SESSION && monitor)
		console_mode(CONSOLE_PROMPT);	/* the monitor's, once */
	else if (job == JOB_SESSION)
		console_mode(CONSOLE_TTY);	/* typing is the terminal's */
}

static bool from(const struct bus_msg *m, const char *svc)
{
	return (int)m->src == bus_svc_find(svc);
}

static int shell_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	char line[CONSOLE_LINE_MAX + 1];
	int rc;

	(void)state;
	if (m->topic == TOPIC_SHELL_COMPLETE && m->kind == BUS_REQUEST)
		/* the console's Tab only: it lists paths with the kernel's
		 * credentials and prints on the console */
		return from(m, "console") ? complete(m, reply) : -AE_EPERM;
	if (m->topic == TOPIC_PROC_EXIT && m->kind == BUS_EVENT) {
		exited(m);
		if (job == JOB_NONE && !session_pid)
			ready();
		return 0;
	}
	if (m->topic == TOPIC_SERVICE_UP && m->kind == BUS_EVENT &&
	    (m->src == BUS_SVC_KERNEL || from(m, "supervisor"))) {
		struct service_up_event ev;

		if (m->len == sizeof(ev)) {
			memcpy(&ev, m->data, sizeof(ev));
			if (session_pid && (int)ev.svc == bus_svc_find("console") &&
			    ev.gen > 1) {
				session_reattach();
				ready();
			}
		}
		return 0;
	}
	if (m->topic == TOPIC_KERNEL_BOOT_DONE && m->kind == BUS_EVENT) {
		if (init_prog[0] && !session_pid) {
			session_boot();
			ready();
		}
		return 0;
	}
	if (m->topic == TOPIC_SHELL_MORE && m->src == bus_current()) {
		if (job == JOB_CAT) {
			cat_step();
			ready();
		}
		return 0;
	}
	if (m->topic == TOPIC_CONSOLE_MONITOR && from(m, "console")) {
		/* Ctrl-] on the terminal: the monitor's prompt, once */
		if (job == JOB_SESSION) {
			monitor = true;
			ready();
		}
		return 0;
	}
	if (m->topic == TOPIC_CONSOLE_INTR && from(m, "console") &&
	    (job == JOB_SESSION || job == JOB_NONE)) {
		/* Ctrl-C at the monitor's prompt: the console has dropped
		 * the line already; in a session, back to the terminal */
		if (job == JOB_SESSION) {
			monitor = false;
			ready();
		}
		return 0;
	}
	if ((m->topic == TOPIC_SHELL_KEY || m->topic == TOPIC_CONSOLE_INTR) &&
	    from(m, "console")) {
		if (job != JOB_NONE || m->topic == TOPIC_CONSOLE_INTR) {
			stop_job();
			ready();
		}
		return 0;
	}
	if (m->topic != TOPIC_CONSOLE_LINE || m->kind != BUS_EVENT ||
	    !from(m, "console")) {
		buscmd_event(m);	/* bus echo and bus top */
		top_event(m);
		return 0;
	}
	rc = console_line_take(m, line, sizeof(line));
	if (rc == -AE_EAGAIN)
		cprintf("sh: a line was overwritten before it could run\n");
	if (job == JOB_SESSION) {
		if (rc >= 0)
			session_line(line);
		ready();
		return 0;
	}
	if (job != JOB_NONE)	/* a line typed ahead of a stop */
		stop_job();
	if (rc >= 0)
		run(line);
	ready();
	return 0;
}

static int shell_init(void)
{
	/* a restart in the middle of a command lets go of what it held */
	stop_job();
	console_mode(CONSOLE_PROMPT);
	return 0;
}

SERVICE(shell,
	.name = "shell",
	.rescue = true,
	.init = shell_init,
	.handler = shell_handle,
	.subscribe = SUBSCRIBES_SHELL,
	.serves = SERVES_SHELL,
	.needs = SERVICE_LIST("console", "ns", "devtree"));
