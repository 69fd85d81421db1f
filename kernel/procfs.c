/*
 * procfs.c - /proc: the proc service's own file system (the node
 * interface, aegis/node.h), mounted on "proc" (docs/FILESYSTEM.md):
 *
 *   /proc/self             a link to the caller's pid
 *   /proc/PID/             one directory per process (its owner's uid)
 *   /proc/PID/exe, cwd     links to its program and working directory
 *   /proc/PID/cmdline      its argv, each NUL-terminated (256 bytes kept)
 *   /proc/PID/comm         its name
 *   /proc/PID/stat         Linux's one line (fields Aegis does not keep
 *                          are 0; all CPU time counts as user time)
 *   /proc/PID/status       Name, State, Pid, PPid, Uid, Gid, Threads,
 *                          VmRSS
 *   /proc/meminfo          mm's pages (no swap, buffers or cache: 0)
 *   /proc/uptime           the time since boot, and the CPU time no
 *                          thread used (all CPUs)
 *   /proc/PID/statm        its pages: size, resident (the same; the
 *                          rest 0)
 *   /proc/PID/maps         its mappings (mm's regions: mm.as.next) as
 *                          Linux's lines: the program's segments named
 *                          by its path, [heap], [stack], [sigpage];
 *                          device and inode 0 (copies, not files);
 *                          its owner's and root's only
 *   /proc/PID/fd/          one link a open file: its path, pipe:[N]
 *   /proc/loadavg          the scheduler's load averages
 *   /proc/version          the kernel's name and version
 *   /proc/mounts           ns's mount table, as Linux's lines
 *   /proc/stat             each CPU's busy and idle time (busy time is
 *                          all "user": Aegis does not split it), the
 *                          context switches, the boot time, processes
 *                          made, running and (0) blocked
 *
 * A file's text is made at each read from the values of that moment.
 * The links exe and cwd lead out of /proc: their open and stat answer
 * -EXDEV and ns follows them (aegis/node.h).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/clock.h>
#include <aegis/contract.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/linux.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/procfs.h>
#include <aegis/sched.h>
#include <aegis/smp.h>
#include <aegis/topics.h>

#define HANDLES_MAX	64
#define HANDLES_RESERVE	8
#define TEXT_MAX	1024
#define TICK_NS		10000000ull	/* Linux's USER_HZ: 100 */

enum kind { K_NONE, K_ROOT, K_PIDDIR, K_LINK, K_FILE, K_FDDIR };
enum file { F_MEMINFO, F_UPTIME, F_LOADAVG, F_VERSION, F_MOUNTS,
	    F_SYSSTAT, F_NTOP,
	    F_STAT = F_NTOP, F_STATUS, F_CMDLINE, F_COMM, F_STATM, F_MAPS,
	    F_NFILES,
	    L_EXE = F_NFILES, L_CWD, L_SELF, L_FD };

static const char *const top_names[] = { "meminfo", "uptime", "loadavg",
					 "version", "mounts", "stat" };
static const char *const pid_names[] = { "stat", "status", "cmdline",
					 "comm", "statm", "maps" };

struct node_ref {
	enum kind kind;
	int what;		/* enum file, for K_FILE and K_LINK */
	int pid;		/* K_PIDDIR, and the per-process ones */
	int fd;			/* L_FD */
};

static struct {
	bool used;
	struct node_ref ref;
	uint32_t uid;
} handles[HANDLES_MAX];

static uint32_t ns_gen;

/* A number made of the whole of s (no sign, at most 9 digits), or -1. */
static int number(const char *s, size_t n)
{
	int v = 0;

	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* What path (relative to /proc) names, for caller pid `self`, following
 * "self" always and a last link only when follow: 0 with *r, -ENOENT,
 * -EXDEV (a last link to follow that leads out of /proc). */
static int lookup(const char *path, int self, bool follow,
		  struct node_ref *r)
{
	char first[16];
	const char *rest, *slash = strchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : strlen(path);
	struct proc_view v;
	int pid;

	memset(r, 0, sizeof(*r));
	if (!*path) {
		r->kind = K_ROOT;
		return 0;
	}
	rest = slash ? slash + 1 : path + n;
	if (n < sizeof(first)) {
		memcpy(first, path, n);
		first[n] = '\0';
	} else {
		first[0] = '\0';
	}
	if (!slash) {
		for (int i = 0; i < F_NTOP; i++)
			if (strcmp(first, top_names[i]) == 0) {
				r->kind = K_FILE;
				r->what = i;
				return 0;
			}
	}
	if (strcmp(first, "self") == 0) {
		if (!slash && !follow) {
			r->kind = K_LINK;
			r->what = L_SELF;
			r->pid = self;
			return self > 0 ? 0 : -AE_ENOENT;
		}
		pid = self;
	} else {
		pid = number(path, n);
	}
	if (pid <= 0 || proc_view_pid(pid, &v))
		return -AE_ENOENT;
	r->pid = pid;
	if (!*rest) {
		r->kind = K_PIDDIR;
		return 0;
	}
	if (strcmp(rest, "fd") == 0) {
		r->kind = K_FDDIR;
		return 0;
	}
	if (strncmp(rest, "fd/", 3) == 0) {
		char t[8];
		int fd = number(rest + 3, strlen(rest + 3));

		if (fd < 0 || proc_fd_target(pid, fd, t, sizeof(t)))
			return -AE_ENOENT;
		r->kind = K_LINK;
		r->what = L_FD;
		r->fd = fd;
		return follow ? -AE_EXDEV : 0;
	}
	if (strchr(rest, '/'))
		return -AE_ENOENT;	/* nothing deeper */
	for (int i = 0; i < F_NFILES - F_NTOP; i++)
		if (strcmp(rest, pid_names[i]) == 0) {
			r->kind = K_FILE;
			r->what = F_NTOP + i;
			return 0;
		}
	if (strcmp(rest, "exe") == 0 || strcmp(rest, "cwd") == 0) {
		r->kind = K_LINK;
		r->what = rest[0] == 'e' ? L_EXE : L_CWD;
		return follow ? -AE_EXDEV : 0;
	}
	return -AE_ENOENT;
}

/* A link's target into buf: its length, or -ENOENT. */
static int target(const struct node_ref *r, char *buf, size_t size)
{
	struct proc_view v;

	if (r->what == L_SELF)
		return ksnprintf(buf, size, "%d", r->pid);
	if (r->what == L_FD) {
		int rc = proc_fd_target(r->pid, r->fd, buf, size);

		return rc ? rc : (int)strlen(buf);
	}
	if (proc_view_pid(r->pid, &v))
		return -AE_ENOENT;
	return ksnprintf(buf, size, "%s", r->what == L_EXE ? v.exe : v.cwd);
}

static uint32_t put(char *buf, uint32_t size, uint32_t n, int k)
{
	if (k < 0)
		return n;
	return n + (uint32_t)k >= size ? size - 1 : n + (uint32_t)k;
}

/* ns's mounts, from its "ns.mounted" events: those of its generation
 * gen (a new ns starts a new table; its owners mount again) */
#define MOUNTS_MAX	8
static struct ns_mount_event mounts[MOUNTS_MAX];
static unsigned int nmounts;
static uint32_t mounts_gen;

static void mounted(const struct bus_msg *m)
{
	struct ns_mount_event ev;

	/* ns's word only (the bus lets no process publish it; a kernel
	 * service other than ns has no say either) */
	if (m->len != sizeof(ev) ||
	    (int)m->src != bus_contract_owner(TOPIC_NS_OPEN))
		return;
	memcpy(&ev, m->data, sizeof(ev));
	ev.name[sizeof(ev.name) - 1] = ev.service[sizeof(ev.service) - 1] = 0;
	if (ev.gen != mounts_gen) {
		mounts_gen = ev.gen;
		nmounts = 0;
	}
	for (unsigned int k = 0; k < nmounts; k++)
		if (strcmp(mounts[k].name, ev.name) == 0) {
			mounts[k] = ev;
			return;
		}
	if (nmounts < MOUNTS_MAX)
		mounts[nmounts++] = ev;
}

/* /proc/mounts: ns's mount table as Linux's lines (device, mount point,
 * type, options, 0 0), each file system its Linux name */
static uint32_t mounts_text(char *buf, uint32_t size)
{
	static const char *const types[][3] = {
		{ "tmpfs", "tmpfs", "tmpfs" },	/* service, device, type */
		{ "devfs", "devtmpfs", "devtmpfs" },
		{ "sysfs", "sysfs", "sysfs" },
		{ "proc", "proc", "proc" },
	};
	uint32_t n = 0;

	for (unsigned int k = 0; k < nmounts; k++) {
		const char *dev = mounts[k].service, *type = dev;

		for (unsigned int i = 0; i < sizeof(types) / sizeof(types[0]);
		     i++)
			if (strcmp(dev, types[i][0]) == 0) {
				dev = types[i][1];
				type = types[i][2];
			}
		n = put(buf, size, n, ksnprintf(buf + n, size - n,
			"%s %s%s %s rw 0 0\n", dev,
			strcmp(mounts[k].name, "/") == 0 ? "" : "/",
			mounts[k].name, type));
	}
	return n;
}

/* /proc/stat: each CPU's busy time (as "user") and idle time in ticks of
 * 10 ms, and the counters Aegis keeps */
static uint32_t stat_text(char *buf, uint32_t size, uint64_t now)
{
	unsigned int cpus = smp_cpus_online(), running = 0;
	uint64_t busy[SMP_CPUS_MAX], all = 0;
	struct sched_stats ss;
	struct proc_view v;
	uint32_t n = 0;

	for (unsigned int c = 0; c < cpus && c < SMP_CPUS_MAX; c++) {
		busy[c] = sched_cpu_busy_ns(c);
		if (busy[c] > now)
			busy[c] = now;
		all += busy[c];
	}
	n = put(buf, size, n, ksnprintf(buf + n, size - n,
		"cpu  %llu 0 0 %llu 0 0 0 0 0 0\n",
		(unsigned long long)(all / TICK_NS),
		(unsigned long long)((now * cpus - all) / TICK_NS)));
	for (unsigned int c = 0; c < cpus && c < SMP_CPUS_MAX; c++)
		n = put(buf, size, n, ksnprintf(buf + n, size - n,
			"cpu%u %llu 0 0 %llu 0 0 0 0 0 0\n", c,
			(unsigned long long)(busy[c] / TICK_NS),
			(unsigned long long)((now - busy[c]) / TICK_NS)));
	for (unsigned int s = 0; s < PROC_MAX; s++)
		if (proc_view_slot(s, &v) == 0 && v.state == 'R')
			running++;
	sched_get_stats(&ss);
	return put(buf, size, n, ksnprintf(buf + n, size - n,
		"ctxt %llu\nbtime %lld\nprocesses %d\nprocs_running %u\n"
		"procs_blocked 0\n", (unsigned long long)ss.switches,
		(long long)(linux_wall_offset() / 1000000000), proc_made(),
		running));
}

/* File r's text now: its length. */
static uint32_t text(const struct node_ref *r, char *buf, uint32_t size)
{
	struct proc_view v;
	struct mm_stats ms;
	uint64_t la[3], now = clock_ns(), busy = 0;
	uint32_t n = 0;

	buf[0] = '\0';
	switch (r->what) {
	case F_MEMINFO:
		if (mm_get_stats(&ms))
			return 0;
		return put(buf, size, 0, ksnprintf(buf, size,
			"MemTotal:       %8llu kB\nMemFree:        %8llu kB\n"
			"MemAvailable:   %8llu kB\nBuffers:        %8u kB\n"
			"Cached:         %8u kB\nSwapCached:     %8u kB\n"
			"SwapTotal:      %8u kB\nSwapFree:       %8u kB\n"
			"Shmem:          %8u kB\n",
			(unsigned long long)ms.managed_pages * 4,
			(unsigned long long)ms.free_pages * 4,
			(unsigned long long)ms.free_pages * 4, 0, 0, 0, 0, 0,
			0));
	case F_UPTIME:
		/* idle: what no process's thread used, over every CPU */
		for (unsigned int s = 0; s < PROC_MAX; s++)
			if (proc_view_slot(s, &v) == 0)
				busy += v.cpu_ns;
		{
			uint64_t all = now * smp_cpus_online(),
				 idle = all > busy ? all - busy : 0;

			return put(buf, size, 0, ksnprintf(buf, size,
				"%llu.%02llu %llu.%02llu\n",
				(unsigned long long)(now / 1000000000),
				(unsigned long long)(now / TICK_NS % 100),
				(unsigned long long)(idle / 1000000000),
				(unsigned long long)(idle / TICK_NS % 100)));
		}
	case F_LOADAVG:
		sched_loadavg(la);
		for (int i = 0; i < 3; i++)
			n = put(buf, size, n, ksnprintf(buf + n, size - n,
				"%llu.%02llu ",
				(unsigned long long)(la[i] >> 16),
				(unsigned long long)(((la[i] & 0xffff) * 100) >>
						     16)));
		{
			unsigned int procs = 0, running = 0;
			int last = 0;

			for (unsigned int s = 0; s < PROC_MAX; s++)
				if (proc_view_slot(s, &v) == 0) {
					procs++;
					running += v.state == 'R';
					last = v.pid > last ? v.pid : last;
				}
			return put(buf, size, n, ksnprintf(buf + n, size - n,
				"%u/%u %d\n", running, procs, last));
		}
	case F_VERSION:
		return put(buf, size, 0, ksnprintf(buf, size,
			"Aegis version %s (%s)\n", AEGIS_VERSION,
			hal_arch_name()));
	case F_MOUNTS:
		return mounts_text(buf, size);
	case F_SYSSTAT:
		return stat_text(buf, size, now);
	default:
		break;
	}
	if (proc_view_pid(r->pid, &v))
		return 0;
	switch (r->what) {
	case F_STAT:
		return put(buf, size, 0, ksnprintf(buf, size,
			"%d (%s) %c %d 0 0 0 0 0 0 0 0 0 %llu 0 0 0 %d %d %u 0 "
			"%llu %llu %llu 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 "
			"0 0 0 0 0 0 0 0 0\n", v.pid, v.name, v.state, v.ppid,
			(unsigned long long)(v.cpu_ns / TICK_NS), 20 + v.nice,
			v.nice, v.threads,
			(unsigned long long)(v.start_ns / TICK_NS),
			(unsigned long long)v.pages * 4096,
			(unsigned long long)v.pages));
	case F_STATUS:
		return put(buf, size, 0, ksnprintf(buf, size,
			"Name:\t%s\nState:\t%c (%s)\nTgid:\t%d\nPid:\t%d\n"
			"PPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
			"Threads:\t%u\nVmRSS:\t%llu kB\n", v.name, v.state,
			v.state == 'R' ? "running" : v.state == 'Z' ? "zombie" :
			"sleeping", v.pid, v.pid, v.ppid, v.uid, v.uid, v.uid,
			v.uid, v.uid, v.uid, v.uid, v.uid, v.threads,
			(unsigned long long)v.pages * 4));
	case F_CMDLINE:
		n = v.cmdline_len < size ? v.cmdline_len : size;
		memcpy(buf, v.cmdline, n);
		return n;
	case F_COMM:
		return put(buf, size, 0, ksnprintf(buf, size, "%s\n", v.name));
	case F_STATM:
		/* size resident shared text lib data dt, in pages: all it
		 * holds is resident (Aegis does not page out) */
		return put(buf, size, 0, ksnprintf(buf, size,
			"%llu %llu 0 0 0 0 0\n",
			(unsigned long long)v.pages,
			(unsigned long long)v.pages));
	default:
		return 0;
	}
}

/* ---- /proc/PID/maps ------------------------------------------------- */

#define MAPS_LINE	256
#define MAPS_PAD	72	/* Linux pads to here, then a space: the
				 * name at column 73 (64-bit) */

/* What a piece of the address space at va is: its name and file offset
 * (""/0: anonymous), and where that stops being so (the next boundary
 * above va: a segment's, the heap's, the stack's, the signal page's). */
static uint64_t piece_of(const struct proc_maps *v, uint64_t va,
			 const char **name, uint64_t *off)
{
	uint64_t cut = UINT64_MAX, b[4] = { v->brk_start, v->brk_mapped,
					    v->stack_lo, v->stack_hi };

	*name = "";
	*off = 0;
	for (uint32_t k = 0; k < v->nseg; k++) {
		const struct proc_seg *g = &v->seg[k];

		if (va >= g->lo && va < g->hi) {
			*name = v->exe;
			*off = g->off + (va - g->lo);
			return g->hi;
		}
		if (g->lo > va && g->lo < cut)
			cut = g->lo;
	}
	if (v->brk_mapped > v->brk_start && va >= v->brk_start &&
	    va < v->brk_mapped) {
		*name = "[heap]";
		return v->brk_mapped;
	}
	if (va >= v->stack_lo && va < v->stack_hi) {
		*name = "[stack]";
		return v->stack_hi;
	}
	if (v->sigpage && va == v->sigpage) {
		*name = "[sigpage]";
		return va + 4096;
	}
	for (int i = 0; i < 4; i++)
		if (b[i] > va && b[i] < cut)
			cut = b[i];
	if (v->sigpage > va && v->sigpage < cut)
		cut = v->sigpage;
	return cut;
}

static uint32_t maps_line(char *buf, uint64_t lo, uint64_t hi, uint32_t prot,
			  bool shared, uint64_t off, const char *name)
{
	int n = ksnprintf(buf, MAPS_LINE, "%08llx-%08llx %c%c%c%c %08llx "
			  "00:00 0 ", (unsigned long long)lo,
			  (unsigned long long)hi,
			  (prot & HAL_PROT_READ) ? 'r' : '-',
			  (prot & HAL_PROT_WRITE) ? 'w' : '-',
			  (prot & HAL_PROT_EXEC) ? 'x' : '-',
			  shared ? 's' : 'p', (unsigned long long)off);

	if (n < 0 || n >= MAPS_LINE)
		return 0;
	if (name[0]) {
		while (n < MAPS_PAD)
			buf[n++] = ' ';
		n += ksnprintf(buf + n, MAPS_LINE - (size_t)n, " %s", name);
		if (n >= MAPS_LINE - 1)
			n = MAPS_LINE - 2;
	}
	buf[n++] = '\n';
	return (uint32_t)n;
}

static int maps_text(const struct proc_maps *v, uint32_t off, char *out,
		     uint32_t len);

/* The bytes off..off+len of pid's maps, made line by line into out: the
 * number of bytes, or -ENOENT. The process's address space is the same
 * one before and after: proc clears a process's space id before mm may
 * give it to another, and counts each change (as_gen), so an id given
 * back to it after an execve is not taken for the one read. Else the
 * text is made again from the new one (a process that changes its space
 * more than four times during one read gets the last text). */
static int maps_read(int pid, uint32_t off, char *out, uint32_t len)
{
	struct proc_maps v;
	uint32_t id, gen;
	int n = 0;

	for (int tries = 0; tries < 4; tries++) {
		if (proc_maps_view(pid, &v))
			return -AE_ENOENT;
		id = v.as_id;
		gen = v.as_gen;
		n = maps_text(&v, off, out, len);
		if (proc_maps_view(pid, &v))
			return -AE_ENOENT;
		if (v.as_id == id && v.as_gen == gen)
			break;
	}
	return n;
}

/* maps_read's text of the view v (a mapping's pieces named alike and
 * continuing each other are one line, as Linux merges its areas). */
static int maps_text(const struct proc_maps *v, uint32_t off, char *out,
		     uint32_t len)
{
	struct mm_as_region reg;
	char line[MAPS_LINE];
	uint64_t va = 0, lo = 0, hi = 0, loff = 0, pos = 0;
	uint32_t prot = 0, got = 0;
	bool shared = false, open = false;
	const char *lname = "";

	for (;;) {
		bool more = v->as_id && mm_as_next(v->as_id, va, &reg) == 0;
		const char *name = "";
		uint64_t a = more ? reg.va : 0, end = more ? reg.va + reg.len : 0;

		while (a < end || !more) {
			uint64_t poff = 0, stop = more ?
				piece_of(v, a, &name, &poff) : 0;

			if (stop > end)
				stop = end;
			/* this piece goes on the open line? */
			if (more && open && a == hi && reg.prot == prot &&
			    (bool)reg.shared == shared &&
			    strcmp(name, lname) == 0 &&
			    (name[0] == '[' || !name[0] ||
			     poff == loff + (hi - lo))) {
				hi = stop;
				a = stop;
				continue;
			}
			if (open) {
				uint32_t n = maps_line(line, lo, hi, prot,
						       shared, loff, lname);

				for (uint32_t i = 0; i < n; i++, pos++)
					if (pos >= off && got < len)
						out[got++] = line[i];
				open = false;
			}
			if (!more || got == len)
				return (int)got;
			lo = a;
			hi = stop;
			prot = reg.prot;
			shared = reg.shared;
			loff = name[0] == '[' ? 0 : poff;
			lname = name;
			open = true;
			a = stop;
		}
		va = end;
	}
}

static int describe(const struct node_ref *r, struct node_stat *st)
{
	struct proc_view v;
	char buf[TEXT_MAX];

	memset(st, 0, sizeof(*st));
	st->nlink = 1;
	switch (r->kind) {
	case K_ROOT:
		st->kind = NODE_KIND_DIR;
		st->mode = 0555;
		st->nlink = 2;
		return 0;
	case K_LINK:
		st->kind = NODE_KIND_LINK;
		st->mode = 0777;
		break;
	case K_PIDDIR:
		st->kind = NODE_KIND_DIR;
		st->mode = 0555;
		st->nlink = 2;
		break;
	case K_FDDIR:		/* its owner's only, as Linux's */
		st->kind = NODE_KIND_DIR;
		st->mode = 0500;
		st->nlink = 2;
		break;
	case K_FILE:
		st->kind = NODE_KIND_FILE;
		st->mode = 0444;
		st->size = 0;	/* as Linux: made when read */
		(void)buf;
		break;
	default:
		return -AE_ENOENT;
	}
	if (r->pid > 0) {
		if (proc_view_pid(r->pid, &v))
			return -AE_ENOENT;
		st->uid = st->gid = v.uid;
		st->atime = st->mtime = st->ctime = (int64_t)v.start_ns;
	}
	return 0;
}

/* ---- the node requests ------------------------------------------------- */

static int take(const struct bus_msg *m, const struct node_req *q,
		char *path)
{
	const char *p;
	int rc;

	path[0] = '\0';
	if (q->len == 0)
		return 0;
	if (q->len >= NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	p = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (!p)
		return rc ? rc : -AE_EFAULT;
	memcpy(path, p, q->len);
	path[q->len] = '\0';
	return 0;
}

static int put_word(struct bus_msg *reply, uint32_t w)
{
	memcpy(reply->data, &w, sizeof(w));
	reply->len = sizeof(w);
	return 0;
}

static int do_readdir(const struct bus_msg *m, const struct node_ref *r,
		      const struct node_req *q)
{
	struct node_dirent d, *out = node_req_out(m, q, sizeof(d));
	struct proc_view v;
	uint32_t i = q->off;

	if (!out)
		return -AE_EFAULT;
	memset(&d, 0, sizeof(d));
	d.next = i + 1;
	if (r->kind == K_ROOT) {
		/* ".", "..", self, the files, then a directory a process */
		if (i < 2) {
			memcpy(d.name, "..", i + 1);
			d.kind = NODE_KIND_DIR;
		} else if (i == 2) {
			memcpy(d.name, "self", 5);
			d.kind = NODE_KIND_LINK;
		} else if (i < 3 + F_NTOP) {
			memcpy(d.name, top_names[i - 3],
			       strlen(top_names[i - 3]) + 1);
			d.kind = NODE_KIND_FILE;
		} else {
			unsigned int s = i - 3 - F_NTOP;

			while (s < PROC_MAX && proc_view_slot(s, &v))
				s++;
			if (s >= PROC_MAX)
				return -AE_ENOENT;
			ksnprintf(d.name, sizeof(d.name), "%d", v.pid);
			d.kind = NODE_KIND_DIR;
			d.next = 3 + F_NTOP + s + 1;
		}
	} else if (r->kind == K_FDDIR) {
		/* ".", "..", then a link an open file */
		if (i < 2) {
			memcpy(d.name, "..", i + 1);
			d.kind = NODE_KIND_DIR;
		} else {
			char t[8];
			int fd = (int)i - 2;

			while (fd < PROC_FILES &&
			       proc_fd_target(r->pid, fd, t, sizeof(t)))
				fd++;
			if (fd >= PROC_FILES)
				return -AE_ENOENT;
			ksnprintf(d.name, sizeof(d.name), "%d", fd);
			d.kind = NODE_KIND_LINK;
			d.next = (uint32_t)fd + 3;
		}
	} else {
		static const char *const links[] = { "exe", "cwd", "fd" };

		if (i < 2) {
			memcpy(d.name, "..", i + 1);
			d.kind = NODE_KIND_DIR;
		} else if (i < 2 + F_NFILES - F_NTOP) {
			memcpy(d.name, pid_names[i - 2],
			       strlen(pid_names[i - 2]) + 1);
			d.kind = NODE_KIND_FILE;
		} else if (i < 5 + F_NFILES - F_NTOP) {
			unsigned int k = i - 2 - (F_NFILES - F_NTOP);

			memcpy(d.name, links[k], strlen(links[k]) + 1);
			d.kind = k == 2 ? NODE_KIND_DIR : NODE_KIND_LINK;
		} else {
			return -AE_ENOENT;
		}
	}
	memcpy(out, &d, sizeof(d));
	return 0;
}

static int used_handles(void)
{
	int n = 0;

	for (int i = 0; i < HANDLES_MAX; i++)
		n += handles[i].used;
	return n;
}

int procfs_handle(const struct bus_msg *m, struct bus_msg *reply)
{
	char path[NODE_PATH_MAX], buf[TEXT_MAX];
	struct node_ref r;
	struct node_req q;
	int rc, i;

	switch (node_owner_check(m, &ns_gen)) {
	case 2:
		if (node_mount("proc"))
			kprintf("proc: cannot mount /proc\n");
		/* fall through */
	case 1:
		memset(handles, 0, sizeof(handles));
		break;
	default:
		break;
	}
	if (m->kind == BUS_EVENT && m->topic == TOPIC_NS_MOUNTED)
		mounted(m);
	if (m->kind != BUS_REQUEST)
		return 0;
	rc = node_req_take(m, &q);
	if (rc)
		return rc;
	if (m->topic == TOPIC_NODE_OPEN || m->topic == TOPIC_NODE_STAT ||
	    m->topic == TOPIC_NODE_READLINK) {
		bool follow = m->topic == TOPIC_NODE_OPEN ||
			      (m->topic == TOPIC_NODE_STAT &&
			       !(q.flags & NODE_NOFOLLOW));

		if (m->topic == TOPIC_NODE_STAT &&
		    (q.flags & NODE_STAT_HANDLE)) {
			if (q.handle >= HANDLES_MAX || !handles[q.handle].used)
				return -AE_EBADF;
			r = handles[q.handle].ref;
		} else {
			rc = take(m, &q, path);
			if (rc)
				return rc;
			rc = lookup(path, (int)q.seek, follow, &r);
			if (rc)
				return rc;
		}
		if (m->topic == TOPIC_NODE_READLINK) {
			uint32_t size = q.off < sizeof(buf) ? q.off :
							       sizeof(buf);
			char *out = size ? node_req_out(m, &q, size) : NULL;

			if (r.kind != K_LINK)
				return -AE_EINVAL;
			if (!out)
				return -AE_EFAULT;
			rc = target(&r, buf, sizeof(buf));
			if (rc < 0)
				return rc;
			if ((uint32_t)rc > size)
				rc = (int)size;
			memcpy(out, buf, (size_t)rc);
			return put_word(reply, (uint32_t)rc);
		}
		if (m->topic == TOPIC_NODE_STAT) {
			struct node_stat st, *out = node_req_out(m, &q,
								 sizeof(st));

			if (!out)
				return -AE_EFAULT;
			rc = describe(&r, &st);
			if (rc == 0)
				memcpy(out, &st, sizeof(st));
			return rc;
		}
		/* open: read-only */
		if (q.flags & NODE_WRITE)
			return r.kind == K_FILE ? -AE_EACCES : -AE_EISDIR;
		if ((q.flags & NODE_DIR) && r.kind != K_ROOT &&
		    r.kind != K_PIDDIR && r.kind != K_FDDIR)
			return -AE_ENOTDIR;
		/* a process's fd directory and maps: its owner's (and
		 * root's; Linux asks ptrace's read access) */
		if ((r.kind == K_FDDIR ||
		     (r.kind == K_FILE && r.what == F_MAPS)) && q.uid != 0) {
			struct proc_view v;

			if (proc_view_pid(r.pid, &v) || v.uid != q.uid)
				return -AE_EACCES;
		}
		if (!node_slot_allowed((unsigned int)used_handles(),
				       HANDLES_MAX, HANDLES_RESERVE, q.uid))
			return -AE_EMFILE;
		for (i = 0; i < HANDLES_MAX && handles[i].used; i++)
			;
		if (i == HANDLES_MAX)
			return -AE_EMFILE;
		handles[i].used = true;
		handles[i].ref = r;
		handles[i].uid = q.uid;
		return put_word(reply, (uint32_t)i);
	}
	if (q.handle >= HANDLES_MAX || !handles[q.handle].used)
		return -AE_EBADF;
	r = handles[q.handle].ref;
	if (m->topic == TOPIC_NODE_CLOSE) {
		handles[q.handle].used = false;
		return 0;
	}
	if (m->topic == TOPIC_NODE_READDIR) {
		if (r.kind != K_ROOT && r.kind != K_PIDDIR &&
		    r.kind != K_FDDIR)
			return -AE_ENOTDIR;
		return do_readdir(m, &r, &q);
	}
	if (m->topic == TOPIC_NODE_READ) {
		uint32_t len, got;
		char *out;

		if (r.kind != K_FILE)
			return -AE_EISDIR;
		if (r.what == F_MAPS) {
			/* made line by line: no size limit but the read's */
			if (q.len == 0)
				return put_word(reply, 0);
			out = node_req_buf(m, &q, BUS_GRANT_WRITE, &rc);
			if (!out)
				return rc ? rc : -AE_EFAULT;
			rc = maps_read(r.pid, q.off, out, q.len);
			return rc < 0 ? rc : put_word(reply, (uint32_t)rc);
		}
		len = text(&r, buf, sizeof(buf));
		if (q.off >= len || q.len == 0)
			return put_word(reply, 0);
		got = len - q.off < q.len ? len - q.off : q.len;
		out = node_req_buf(m, &q, BUS_GRANT_WRITE, &rc);
		if (!out)
			return rc ? rc : -AE_EFAULT;
		memcpy(out, buf + q.off, got);
		return put_word(reply, got);
	}
	if (m->topic == TOPIC_NODE_WRITE)
		return -AE_EBADF;
	if (m->topic == TOPIC_NODE_IOCTL)
		return -AE_ENOTTY;
	return -AE_EROFS;	/* making and changing names: not here */
}
