/*
 * init.c - the init service: runs the user programs the command line
 * names (run=hello,fault) from the initrd as processes (aegis/proc.h),
 * and reports how each ended. A name with a leading '+' runs privileged
 * (uid 0, its bus service "root-<name>-<pid>"); the others without.
 * Each program is loaded by the proc service; a failure says why, and
 * the next program is still tried:
 *
 *	init: hello: started as pid 1
 *	init: hello (pid 1) exited with 0
 *	init: nothing: not in the initrd
 *
 * With run.exit on the command line, init ends the machine once every
 * program it started has ended: a success if each exited with 0.
 */
#include <string.h>
#include <aegis/bootparam.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/proc.h>
#include <aegis/service.h>
#include <aegis/topics.h>

static char run_list[128];
BOOT_PARAM_STRING(run_list, "run",
		  "user programs to run from the initrd at boot, "
		  "comma-separated; +name runs one privileged "
		  "(run=hello,+power)");

static bool run_exit;
BOOT_PARAM_FLAG(run_exit, "run.exit",
		"end the machine once every program run= started has ended "
		"(exit status: failure if one ended with a code other than 0)");

#define PROGS_MAX PROC_MAX

static bool started;
static unsigned int running, failures;
static int progs[PROGS_MAX];	/* the pids init started, or 0 */

static void start(const char *name, bool priv)
{
	int pid = proc_spawn(name, 0, priv ? PROC_SPAWN_PRIV : 0);

	if (pid == -AE_ENOENT) {
		kprintf("init: %s: not in the initrd\n", name);
		return;
	}
	if (pid < 0) {
		kprintf("init: %s: cannot start: %s\n", name, errno_desc(pid));
		return;
	}
	kprintf("init: %s: started as pid %d%s\n", name, pid,
		priv ? ", privileged" : "");
	for (unsigned int k = 0; k < PROGS_MAX; k++)
		if (!progs[k]) {
			progs[k] = pid;
			break;
		}
	running++;
}

static void run_all(void)
{
	char name[32];

	for (const char *p = run_list; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		bool priv = n && *p == '+';

		if (priv) {
			p++;
			n--;
		}
		if (n >= sizeof(name))
			kprintf("init: a name in run= is longer than %zu bytes; "
				"skipped\n", sizeof(name) - 1);
		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			start(name, priv);
		}
		p += n + (end ? 1 : 0);
	}
}
static int init_handle(void *state, const struct bus_msg *m,
		       struct bus_msg *reply)
{
	struct proc_exit_event ev;

	(void)state;
	(void)reply;
	if (m->topic == TOPIC_KERNEL_BOOT_DONE && !started) {
		started = true;
		run_all();
		if (run_exit && running == 0) {
			kprintf("init: nothing started; exiting\n");
			hal_exit(1);
		}
		return 0;
	}
	if (m->topic == TOPIC_PROC_EXIT && m->len == sizeof(ev)) {
		unsigned int k;

		memcpy(&ev, m->data, sizeof(ev));
		for (k = 0; k < PROGS_MAX && progs[k] != ev.pid; k++)
			;
		if (k == PROGS_MAX)
			return 0;	/* a process init did not start */
		progs[k] = 0;
		kprintf("init: %s (pid %d) exited with %d\n", ev.name, ev.pid,
			ev.code);
		if (ev.code)
			failures++;
		if (running && --running == 0 && run_exit) {
			kprintf("init: every program has ended; exiting (%u "
				"failed)\n", failures);
			hal_exit(failures ? 1 : 0);
		}
	}
	return 0;
}

SERVICE(init,
	.name = "init",
	.handler = init_handle,
	.subscribe = SUBSCRIBES_INIT,
	.serves = SERVES_INIT,
	.needs = SERVICE_LIST("proc"));
