/*
 * systest.c - every system call family, each checked against what the
 * reference promises: files on the node namespace, memory, processes,
 * the bus and its routing rules, and the calls kept for privileged
 * callers. Run twice (run=systest,+systest): without privilege (uid
 * 1000, service user-systest-<pid>) the devices, root's attributes,
 * kernel topics and reboot are refused; with privilege (root-systest-
 * <pid>) the device and the attribute answer. It must run alone (it
 * counts the free pages around a child's life). One line per failure;
 * exits with the number of failures (0: all good).
 */
#include "ulib.h"

static int checks, fails, priv;
static char me[48];		/* its bus service */

#define CHECK(cond)							\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			fails++;					\
			printf("systest: line %d: %s\n", __LINE__, #cond); \
		}							\
	} while (0)

#define E(name, v) static const long name = -(v)
E(EPERM, 1); E(ENOENT, 2); E(ESRCH, 3); E(EBADF, 9); E(ECHILD, 10);
E(EAGAIN, 11); E(EACCES, 13); E(EFAULT, 14); E(EEXIST, 17);
E(ENOTDIR, 20); E(EINVAL, 22); E(ENOTTY, 25); E(ETIMEDOUT, 110);
E(ESTALE, 116); E(EBADMSG, 74);


static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void files(void)
{
	struct abi_stat st;
	struct abi_dirent d;
	char a[16], b[16];
	long fd, i, next, seen = 0;
	int64_t secs = 0;

	fd = aegis_open(S("/dev/null"), ABI_O_READ | ABI_O_WRITE);
	CHECK(fd >= 3);
	CHECK(aegis_write(fd, "x", 1) == 1);
	CHECK(aegis_read(fd, a, sizeof(a)) == 0);
	CHECK(aegis_close(fd) == 0);
	CHECK(aegis_close(fd) == EBADF);
	CHECK(aegis_read(fd, a, 1) == EBADF);
	CHECK(aegis_open(S("/dev/nothing"), ABI_O_READ) == ENOENT);
	CHECK(aegis_open(S("/dev/null"), 0) == EINVAL);
	CHECK(aegis_open("/dev/null", 9, 8) == EINVAL);	/* flag bit */
	/* the console is file 1, but not a namespace file */
	CHECK(aegis_read(1, a, 1) == EBADF);
	/* stat and readdir */
	CHECK(aegis_stat(S("/dev"), &st) == 0 && st.kind == 1);
	CHECK(aegis_stat(S("/dev/null"), &st) == 0 && st.kind == 2);
	CHECK(aegis_stat(S("/nope"), &st) == ENOENT);
	fd = aegis_open(S("/dev"), ABI_O_DIR);
	CHECK(fd >= 3);
	for (i = 0; (next = aegis_readdir(fd, i, &d)) > 0; i = next)
		seen += streq(d.name, "null") || streq(d.name, "zero");
	CHECK(seen == 2);
	CHECK(aegis_readdir(fd, i, &d) == ENOENT);
	CHECK(aegis_close(fd) == 0);
	CHECK(aegis_open(S("/dev/null"), ABI_O_DIR) == ENOTDIR);
	/* seek: the same bytes again from the start */
	fd = aegis_open(S("/sys/kernel/log_level"), ABI_O_READ);
	CHECK(fd >= 3);
	CHECK(aegis_read(fd, a, sizeof(a)) > 0);
	CHECK(aegis_seek(fd, 0, ABI_SEEK_SET) == 0);
	CHECK(aegis_read(fd, b, sizeof(b)) > 0 && a[0] == b[0]);
	CHECK(aegis_seek(fd, 2, ABI_SEEK_SET) == 2);
	CHECK(aegis_seek(fd, -1, ABI_SEEK_CUR) == 1);
	CHECK(aegis_seek(fd, -5, ABI_SEEK_SET) == EINVAL);
	CHECK(aegis_seek(fd, 0, 2) == EINVAL);	/* whence */
	aegis_close(fd);
	if (!priv) {
		/* uid 1000: the attribute is root's 0644, devices 0600 */
		CHECK(aegis_open(S("/sys/kernel/log_level"), ABI_O_WRITE) ==
		      EACCES);
		/* nor may it turn the bus watchdog off */
		CHECK(aegis_open(S("/sys/bus/watchdog_ms"), ABI_O_WRITE) ==
		      EACCES);
		CHECK(aegis_open(S("/dev/rtc0"), ABI_O_READ) == EACCES);
		return;
	}
	fd = aegis_open(S("/sys/kernel/log_level"), ABI_O_WRITE);
	CHECK(fd >= 3);
	aegis_close(fd);
	/* ioctl: the clock answers, /dev/null takes none */
	fd = aegis_open(S("/dev/rtc0"), ABI_O_READ);
	CHECK(fd >= 3);
	CHECK(aegis_ioctl(fd, ABI_RTC_SECONDS, &secs, sizeof(secs)) == 8);
	CHECK(secs > 1700000000);	/* after 2023 */
	CHECK(aegis_ioctl(fd, 1, &secs, sizeof(secs)) == ENOTTY);
	CHECK(aegis_ioctl(fd, ABI_RTC_SECONDS, &secs, 2) == EINVAL);
	aegis_close(fd);
	fd = aegis_open(S("/dev/null"), ABI_O_READ);
	CHECK(aegis_ioctl(fd, ABI_RTC_SECONDS, &secs, 8) == ENOTTY);
	aegis_close(fd);
	/* the table has 13 numbers for files (3..15) */
	for (i = 0; aegis_open(S("/dev/zero"), ABI_O_READ) >= 0; i++)
		;
	CHECK(i == 13);
	for (fd = 3; fd < 16; fd++)
		CHECK(aegis_close(fd) == 0);
}

static void memory(void)
{
	uintptr_t va = ((uintptr_t)_image_end + (1 << 24)) & ~0xfffull;
	volatile uint32_t *p = (volatile uint32_t *)va;
	uintptr_t k = (uintptr_t)0xffffffff80000000ull;

	CHECK(aegis_map(va, 8192, ABI_PROT_READ | ABI_PROT_WRITE) == 0);
	CHECK(p[0] == 0 && p[2047] == 0);	/* zeroed */
	p[0] = 0x12345678;
	p[1024] = 7;
	CHECK(p[0] == 0x12345678 && p[1024] == 7);
	CHECK(aegis_map(va, 4096, ABI_PROT_READ) == EEXIST);
	CHECK(aegis_protect(va, 4096, ABI_PROT_READ) == 0);
	CHECK(p[0] == 0x12345678);		/* still readable */
	/* the kernel will not write into it now */
	CHECK(aegis_uname((void *)va, 16) == EFAULT);
	CHECK(aegis_protect(va, 4096, ABI_PROT_WRITE | ABI_PROT_EXEC) ==
	      EINVAL);
	CHECK(aegis_unmap(va + 4096, 4096) == 0);
	CHECK(aegis_unmap(va + 4096, 4096) == ENOENT);
	CHECK(aegis_unmap(va, 4096) == 0);
	CHECK(aegis_map(va + 1, 4096, ABI_PROT_READ) == EINVAL);
	CHECK(aegis_map(va, 100, ABI_PROT_READ) == EINVAL);
	CHECK(aegis_map(va, 4096, ABI_PROT_WRITE | ABI_PROT_EXEC) == EINVAL);
	CHECK(aegis_map(va, 4096, 0) == EINVAL);
	CHECK(aegis_map(va, 4096, 8) == EINVAL);	/* flag bit */
	CHECK(aegis_map(k, 4096, ABI_PROT_READ) == EINVAL);	/* range */
	CHECK(aegis_map(4096, 4096, ABI_PROT_READ) == EFAULT);
	/* text is not writable: an executable mapping over it is refused */
	CHECK(aegis_map((uintptr_t)_image_start, 4096, ABI_PROT_READ) ==
	      EEXIST);
}

static void processes(void)
{
	long pid, free0, free1;
	int32_t code = 12345;

	CHECK(aegis_getpid() > 0);
	pid = aegis_spawn(S("true"), 0);
	CHECK(pid > 0);
	CHECK(aegis_wait(pid, &code, 0) == pid && code == 0);
	CHECK(aegis_wait(pid, &code, 0) == ECHILD);	/* reaped */
	pid = aegis_spawn(S("fault"), 0);
	CHECK(pid > 0);
	CHECK(aegis_wait(pid, &code, 0) == pid && code == EFAULT);
	CHECK(aegis_spawn(S("nothing"), 0) == ENOENT);
	CHECK(aegis_spawn(S("true"), 2) == EINVAL);	/* flag bit */
	CHECK(aegis_spawn("true", 0, 0) == EINVAL);
	CHECK(aegis_wait(9999, &code, 0) == ECHILD);
	CHECK(aegis_wait(aegis_getpid(), &code, 0) == ECHILD);
	/* a child that does not end in time (hello sleeps 10 ms; a host
	 * that stops this machine's CPUs for longer than that lets it end
	 * first: then the wait returns it, and the next try tells) */
	for (int tries = 0, timed_out = 0; !timed_out; tries++) {
		long rc;

		pid = aegis_spawn(S("hello"), 0);
		CHECK(pid > 0);
		rc = aegis_wait(pid, &code, 1000000);
		timed_out = rc == ETIMEDOUT;
		CHECK(timed_out || (tries < 4 && rc == pid && code == 0));
		if (timed_out)
			CHECK(aegis_wait(pid, &code, 0) == pid && code == 0);
		if (tries == 4)
			break;
	}
	/* several threads; exit ends them all, a fault in one ends them
	 * all */
	free0 = read_number("/sys/mm/free");
	pid = aegis_spawn(S("threads"), 0);
	CHECK(pid > 0 && aegis_wait(pid, &code, 0) == pid && code == 0);
	free1 = read_number("/sys/mm/free");
	CHECK(free0 > 0 && free0 == free1);
	pid = aegis_spawn(S("threadfault"), 0);
	CHECK(pid > 0 && aegis_wait(pid, &code, 2000000000) == pid &&
	      code == EFAULT);
	CHECK(aegis_thread((uintptr_t)_image_start, 0x10, 0) == EINVAL);
	/* affinity: where it runs (0 asks), a mask without an online CPU,
	 * a move to the last CPU, a wider mask that keeps it there */
	{
		long cpus = read_number("/sys/cpus/online"), here = aegis_affinity(0);

		CHECK(cpus > 0 && here >= 0 && here < cpus);
		CHECK(aegis_affinity(1ull << 63) == EINVAL);
		CHECK(aegis_affinity(1ull << (cpus - 1)) == cpus - 1);
		CHECK(aegis_affinity(0) == cpus - 1);
		CHECK(aegis_affinity(~0ull) == cpus - 1);
	}
	/* everything a process holds comes back when it ends: pages
	 * (counted), and files: ns has 64 in all, and five leaks of 13 each
	 * would run out if they were not closed (leak exits with 1 when it
	 * could open none) */
	free0 = read_number("/sys/mm/free");
	for (int i = 0; i < 5; i++) {
		pid = aegis_spawn(S("leak"), 0);
		CHECK(pid > 0 && aegis_wait(pid, &code, 0) == pid && code == 0);
	}
	free1 = read_number("/sys/mm/free");
	CHECK(free0 > 0 && free0 == free1);
	if (free0 != free1)
		printf("systest: free pages %ld before leak, %ld after\n",
		       free0, free1);
}

static void bus(void)
{
	long ex = aegis_lookup(ABI_LOOKUP_SERVICE, S("example"));
	long ping = aegis_lookup(ABI_LOOKUP_TOPIC, S("example.ping"));
	long mm = aegis_lookup(ABI_LOOKUP_SERVICE, S("mm"));
	long stats = aegis_lookup(ABI_LOOKUP_TOPIC, S("mm.stats"));
	char reply[40], topic[40];
	long mine;
	struct abi_msg m;
	long self, t0;

	snprintf(topic, sizeof(topic), "user.systest.%ld", aegis_getpid());
	mine = aegis_lookup(ABI_LOOKUP_TOPIC, S(topic));
	self = aegis_lookup(ABI_LOOKUP_SERVICE, S(me));
	CHECK(ex >= 0 && ping >= 0 && mm >= 0 && stats >= 0 && mine >= 0);
	CHECK(self >= 0);
	CHECK(aegis_lookup(ABI_LOOKUP_TOPIC, S("no.such.topic")) == ENOENT);
	CHECK(aegis_lookup(ABI_LOOKUP_TOPIC, S("user.Bad")) == EINVAL);
	CHECK(aegis_lookup(ABI_LOOKUP_SERVICE, S("nobody")) == ENOENT);
	/* the rules let a process ask the demo service ... */
	CHECK(aegis_call(ex, ping, "", 0, reply, sizeof(reply)) >= 4);
	CHECK(reply[0] == 'p' && reply[1] == 'o');
	/* ... and nothing of the kernel's without privilege */
	if (!priv) {
		CHECK(aegis_call(mm, stats, "", 0, reply, sizeof(reply)) ==
		      EPERM);
		CHECK(aegis_subscribe(S("hw.*")) == EPERM);
	} else {
		long pfree = aegis_lookup(ABI_LOOKUP_TOPIC, S("mm.page.free"));
		long palloc = aegis_lookup(ABI_LOOKUP_TOPIC,
					   S("mm.page.alloc"));
		struct { uint32_t order, pad; uint64_t pa; } pq =
			{ 0, 0, 0x40100000ull };

		CHECK(aegis_call(mm, stats, "", 0, reply, sizeof(reply)) > 0);
		/* but not pages by physical address: the kernel's alone */
		CHECK(aegis_call(mm, pfree, &pq, sizeof(pq), reply,
				 sizeof(reply)) == EPERM);
		CHECK(aegis_call(mm, palloc, &pq, sizeof(pq), reply,
				 sizeof(reply)) == EPERM);
	}
	/* mm.stats is a request (contracts/mm.def): as an event it never
	 * gets as far as the rules, with privilege or without */
	CHECK(aegis_publish(stats, "", 0, 4) == EBADMSG);
	CHECK(aegis_send(mm, stats, "", 0) == EBADMSG);
	CHECK(aegis_call(63, ping, "", 0, reply, 8) == EINVAL);
	/* its own topics: publish to itself, receive */
	CHECK(aegis_subscribe(S("user.*.")) == EINVAL);
	CHECK(aegis_subscribe(S(topic)) == 0);
	CHECK(aegis_subscribe(S(topic)) == EEXIST);
	CHECK(aegis_receive(&m, 0) == EAGAIN);
	CHECK(aegis_publish(mine, "hi", 2, 3) == 1);
	CHECK(aegis_receive(&m, 0) == 0 && m.topic == mine && m.src == self &&
	      m.len == 2 && m.data[0] == 'h' && m.prio == 3);
	CHECK(aegis_send(self, mine, "yo", 2) == 0);
	CHECK(aegis_receive(&m, 1000000) == 0 && m.data[0] == 'y');
	t0 = aegis_clock();
	CHECK(aegis_receive(&m, 20000000) == EAGAIN);
	CHECK(aegis_clock() - t0 >= 10000000);		/* it waited */
	CHECK(aegis_publish(mine, "x", 41, 3) == -7);	/* E2BIG */
	CHECK(aegis_publish(mine, "x", 1, 8) == EINVAL);
	/* more than its mailbox holds: the next message says how many were
	 * lost (GAP), and sequence numbers count every publish */
	{
		long got = 0, lost = 0;
		uint32_t first = 0, last = 0;

		for (int i = 0; i < 40; i++)
			aegis_publish(mine, "f", 1, 3);
		while (aegis_receive(&m, 0) == 0) {
			if (!got++)
				first = m.seq;
			last = m.seq;
			lost += m.gap;
		}
		/* one CPU: the 32 its mailbox holds, the rest lost; with
		 * more, its service (on another CPU) delivers while this
		 * thread empties the mailbox, so more may be kept. Either
		 * way every publish is received or told lost. */
		CHECK(got >= 32 && got <= 40);
		if (read_number("/sys/cpus/online") == 1) {
			CHECK(got == 32);
			CHECK(last - first == 31);
		}
		/* in order, none twice */
		CHECK(last - first >= (uint32_t)(got - 1) && last - first < 40);
		CHECK(aegis_publish(mine, "z", 1, 3) == 1);
		CHECK(aegis_receive(&m, 1000000) == 0 && m.data[0] == 'z');
		lost += m.gap;
		CHECK(got + lost == 40);
		CHECK(m.seq == first + 40);
		printf("systest: mailbox: %ld of 40 kept, gap %ld told\n", got,
		       lost);
	}
}

/*
 * Forged references (privileged only: without privilege the rules refuse
 * these requests before any handler runs). A root process asks services
 * directly to read or write memory it names: the old attack put a kernel
 * address where a buffer's pointer was; now the field is a grant id the
 * bus made, and no id a process can name is one it holds. Every request
 * is refused with EFAULT (EPERM for the ns and node requests, which only
 * the kernel may send), and what the attacks aimed at is unchanged.
 */
struct forged_io {		/* struct sysfs_io */
	uint32_t index, len;
	uint64_t buf;		/* bus_grant_t and its padding */
};

struct forged_node {		/* struct node_req */
	uint32_t handle, flags, buf, out, len, off, uid, gid;
	int64_t seek;
};

static void forged(void)
{
	static const uint64_t addrs[] = {
		0xffffffff80100000ull,	/* where x86_64 kernels live */
		0x40200000ull,		/* where AArch64's is loaded */
		1, 0x101, 0x102, 0x201, 0xffffffffull,	/* plausible ids */
	};
	long ex = aegis_lookup(ABI_LOOKUP_SERVICE, S("example"));
	long sysfs = aegis_lookup(ABI_LOOKUP_SERVICE, S("sysfs"));
	long devtree = aegis_lookup(ABI_LOOKUP_SERVICE, S("devtree"));
	long ns = aegis_lookup(ABI_LOOKUP_SERVICE, S("ns"));
	long store = aegis_lookup(ABI_LOOKUP_TOPIC, S("sysfs.store"));
	long show = aegis_lookup(ABI_LOOKUP_TOPIC, S("sysfs.show"));
	long nwrite = aegis_lookup(ABI_LOOKUP_TOPIC, S("node.write"));
	long info = aegis_lookup(ABI_LOOKUP_TOPIC, S("devtree.info"));
	long nsopen = aegis_lookup(ABI_LOOKUP_TOPIC, S("ns.open"));
	long nsstat = aegis_lookup(ABI_LOOKUP_TOPIC, S("ns.stat"));
	char before[48], after[48], reply[40];
	long level0 = read_number("/sys/kernel/log_level"), n0, n1, fd, refused = 0;
	long counted0 = read_number("/sys/bus/grants/refused");

	if (!priv)
		return;
	CHECK(ex >= 0 && sysfs >= 0 && devtree >= 0 && ns >= 0);
	CHECK(store >= 0 && show >= 0 && nwrite >= 0 && info >= 0);
	CHECK(nsopen >= 0 && nsstat >= 0);
	fd = aegis_open(S("/sys/example/greeting"), ABI_O_READ);
	n0 = aegis_read(fd, before, sizeof(before));
	aegis_close(fd);
	CHECK(n0 > 0);
	for (unsigned int i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct forged_io io = { 1, 5, addrs[i] };
		struct forged_node q = { 0, 2, (uint32_t)addrs[i],
					 (uint32_t)addrs[i], 1, 0, 0, 0, 0 };
		struct { uint32_t index; uint32_t out; } dq =
			{ 0, (uint32_t)addrs[i] };
		long rc;

		rc = aegis_call(ex, store, &io, sizeof(io), reply, 8);
		CHECK(rc == EFAULT);
		refused += rc == EFAULT;
		io.len = 16;
		rc = aegis_call(ex, show, &io, sizeof(io), reply, 8);
		CHECK(rc == EFAULT);
		refused += rc == EFAULT;
		rc = aegis_call(devtree, info, &dq, sizeof(dq), reply, 8);
		CHECK(rc == EFAULT);
		refused += rc == EFAULT;
		rc = aegis_call(ns, nsopen, &q, sizeof(q), reply, 8);
		CHECK(rc == EPERM);	/* only through the gateway */
		refused += rc == EPERM;
		rc = aegis_call(ns, nsstat, &q, sizeof(q), reply, 8);
		CHECK(rc == EPERM);
		refused += rc == EPERM;
		rc = aegis_call(sysfs, nwrite, &q, sizeof(q), reply, 8);
		CHECK(rc == EPERM);
		refused += rc == EPERM;
	}
	{
		/* the console's keys and Tab are the console's and the
		 * shell's alone, root or not: a process cannot set the input
		 * mode (to take keys) or list paths through the shell */
		long sh = aegis_lookup(ABI_LOOKUP_SERVICE, S("shell"));
		long con = aegis_lookup(ABI_LOOKUP_SERVICE, S("console"));
		long comp = aegis_lookup(ABI_LOOKUP_TOPIC, S("shell.complete"));
		long mode = aegis_lookup(ABI_LOOKUP_TOPIC, S("console.mode"));
		char q[40] = { 0, 5, '/', 's', 'y', 's', '/' };
		char m[36] = { 2 };	/* CONSOLE_KEYS */

		CHECK(sh >= 0 && con >= 0 && comp >= 0 && mode >= 0);
		CHECK(aegis_call(sh, comp, q, sizeof(q), reply,
				 sizeof(reply)) == EPERM);
		CHECK(aegis_call(con, mode, m, sizeof(m), reply, 8) == EPERM);
	}
	fd = aegis_open(S("/sys/example/greeting"), ABI_O_READ);
	n1 = aegis_read(fd, after, sizeof(after));
	aegis_close(fd);
	CHECK(n1 == n0);
	for (long i = 0; i < n0 && i < n1; i++)
		CHECK(before[i] == after[i]);
	CHECK(read_number("/sys/kernel/log_level") == level0);
	/* the new files are read-only, for root too: refused at open */
	static const char *const ro_files[] = {
		"/sys/bus/grants/refused", "/sys/proc/limits",
		"/sys/bus/contracts", "/sys/bus/waitfor",
		"/sys/bus/topics/mm.stats/refused",
	};

	for (unsigned int i = 0; i < sizeof(ro_files) / sizeof(ro_files[0]);
	     i++) {
		const char *ro = ro_files[i];
		long wfd = aegis_open(S(ro), ABI_O_WRITE);

		CHECK(wfd == EACCES);
		if (wfd >= 3)
			aegis_close(wfd);
	}
	/* the bus counted each refused grant (the node.write never got as
	 * far as looking one up) */
	CHECK(counted0 >= 0 && read_number("/sys/bus/grants/refused") >=
	      counted0 + 3 * (long)(sizeof(addrs) / sizeof(addrs[0])));
	printf("systest: forged references: %ld of %ld refused\n", refused,
	       (long)(6 * sizeof(addrs) / sizeof(addrs[0])));
}

/*
 * Contracts: the bus holds every message to its topic's contract
 * (contracts/) before any handler runs, whoever sends it, root
 * included: a payload of the wrong size, a request topic sent as an
 * event, an event only its owner publishes (a forged "service.up"), a
 * request to a service that does not serve it, mm's memory alarms
 * (mm.pages.low, mm.pages.exhausted: proc drops its program cache on
 * them), forged with payloads of the right size. Each is EBADMSG and
 * counted in /sys/bus/contracts, and none reaches a subscriber.
 */
static long refused_by_contract(void)
{
	char text[256];
	long fd = aegis_open(S("/sys/bus/contracts"), ABI_O_READ), n, v = 0;

	if (fd < 0)
		return fd;
	n = aegis_read(fd, text, sizeof(text) - 1);
	aegis_close(fd);
	if (n < 8)
		return -1;
	text[n] = '\0';
	/* "refused N: kind K size S ..." */
	for (long i = 8; i < n && text[i] >= '0' && text[i] <= '9'; i++)
		v = v * 10 + (text[i] - '0');
	return v;
}

static void contracts(void)
{
	long mm = aegis_lookup(ABI_LOOKUP_SERVICE, S("mm"));
	long ns = aegis_lookup(ABI_LOOKUP_SERVICE, S("ns"));
	long stats = aegis_lookup(ABI_LOOKUP_TOPIC, S("mm.stats"));
	long up = aegis_lookup(ABI_LOOKUP_TOPIC, S("service.up"));
	long show = aegis_lookup(ABI_LOOKUP_TOPIC, S("sysfs.show"));
	long low = aegis_lookup(ABI_LOOKUP_TOPIC, S("mm.pages.low"));
	long none = aegis_lookup(ABI_LOOKUP_TOPIC, S("mm.pages.exhausted"));
	long before = refused_by_contract();
	long heard = read_number("/sys/bus/topics/mm.pages.low/delivered");
	long heard_none =
		read_number("/sys/bus/topics/mm.pages.exhausted/delivered");
	struct { uint32_t svc, gen; } ev = { (uint32_t)ns, 99 };
	uint64_t alarm[5] = { 1 << 20, 1, 1 << 19, 0, 0 };	/* mm_stats */
	uint64_t order[2] = { 9, 0 };			/* mm_page_req */
	char reply[40], io[16] = { 0 };

	CHECK(mm >= 0 && ns >= 0 && stats >= 0 && up >= 0 && show >= 0);
	CHECK(low >= 0 && none >= 0 && heard >= 0 && heard_none >= 0);
	CHECK(before >= 0);
	/* size: mm.stats carries nothing */
	CHECK(aegis_call(mm, stats, "abc", 3, reply, sizeof(reply)) ==
	      EBADMSG);
	/* sender: the supervisor's event, forged */
	CHECK(aegis_publish(up, &ev, sizeof(ev), 0) == EBADMSG);
	/* receiver: ns serves no sysfs.show */
	CHECK(aegis_call(ns, show, io, sizeof(io), reply, sizeof(reply)) ==
	      EBADMSG);
	/* sender: mm's alarms, forged */
	CHECK(aegis_publish(low, alarm, sizeof(alarm), 0) == EBADMSG);
	CHECK(aegis_publish(none, order, sizeof(order), 0) == EBADMSG);
	CHECK(read_number("/sys/bus/topics/mm.pages.low/delivered") == heard);
	CHECK(read_number("/sys/bus/topics/mm.pages.exhausted/delivered") ==
	      heard_none);
	CHECK(refused_by_contract() == before + 5);
	/* and /dev, /sys are still there: nothing reached ns */
	CHECK(read_number("/sys/kernel/log_level") >= 0);
	printf("systest: contracts: %ld refused\n",
	       refused_by_contract() - before);
}

/*
 * Restarts (privileged only: it asks the supervisor): a file open on a
 * service that restarts answers ESTALE until it is closed, and closing
 * it frees its number; after ns itself restarts, every handle of the old
 * namespace is stale, and /dev and /sys are back (devfs and sysfs mount
 * again when they hear of the new ns).
 */
static long reopen(const char *path)
{
	long fd = ENOENT;

	/* the owner mounts again as soon as it hears: a few tries */
	for (int i = 0; i < 50 && fd == ENOENT; i++) {
		fd = aegis_open(S(path), ABI_O_READ);
		if (fd == ENOENT)
			aegis_sleep(1000000);
	}
	return fd;
}

static void restarts(void)
{
	long sup = aegis_lookup(ABI_LOOKUP_SERVICE, S("supervisor"));
	long restart = aegis_lookup(ABI_LOOKUP_TOPIC, S("service.restart"));
	char buf[16];
	long fd, sfd;

	if (!priv)
		return;
	CHECK(sup >= 0 && restart >= 0);
	/* the owner restarts */
	fd = aegis_open(S("/dev/null"), ABI_O_READ);
	CHECK(fd >= 3);
	CHECK(aegis_call(sup, restart, "devfs", 5, buf, sizeof(buf)) >= 0);
	CHECK(aegis_read(fd, buf, 1) == ESTALE);
	CHECK(aegis_close(fd) == 0);
	CHECK(aegis_close(fd) == EBADF);
	fd = reopen("/dev/null");
	CHECK(fd >= 3 && aegis_read(fd, buf, 1) == 0);
	/* ns itself restarts */
	sfd = aegis_open(S("/sys/kernel/log_level"), ABI_O_READ);
	CHECK(sfd >= 3);
	CHECK(aegis_call(sup, restart, "ns", 2, buf, sizeof(buf)) >= 0);
	CHECK(aegis_read(fd, buf, 1) == ESTALE);
	CHECK(aegis_read(sfd, buf, 1) == ESTALE);
	CHECK(aegis_close(fd) == 0);
	CHECK(aegis_close(sfd) == 0);
	fd = reopen("/dev/null");
	sfd = reopen("/sys/kernel/log_level");
	CHECK(fd >= 3 && sfd >= 3);
	CHECK(aegis_read(sfd, buf, sizeof(buf)) > 0);
	CHECK(aegis_close(fd) == 0 && aegis_close(sfd) == 0);
	printf("systest: files came back after devfs and ns restarted\n");
}

static void privileged(void)
{
	if (priv)
		return;	/* it would: integration case user-poweroff */
	CHECK(aegis_reboot() == EPERM);
	CHECK(aegis_poweroff() == EPERM);
}

/*
 * mm's address spaces and frames are the kernel's: a process, root too,
 * that asks mm directly to resolve a fault, map, query or destroy a space
 * by id, or for a frame, is refused (EPERM: without privilege by the
 * routing rules, with it by mm itself), whatever the space it names,
 * its own included. Its copy-on-write counts it may read.
 */
static void mm_refusals(void)
{
	static const char *const topics[] = {
		"mm.as.fault", "mm.as.map", "mm.as.query", "mm.as.clone",
		"mm.as.destroy", "mm.page.alloc",
	};
	struct { uint32_t id, prot; uint64_t va, len; } q;
	long mm = aegis_lookup(ABI_LOOKUP_SERVICE, S("mm"));
	long cow = aegis_lookup(ABI_LOOKUP_TOPIC, S("mm.cow"));
	char reply[40];
	unsigned int refused = 0;

	CHECK(mm >= 0 && cow >= 0);
	for (unsigned int i = 0; i < sizeof(topics) / sizeof(topics[0]);
	     i++) {
		long t = aegis_lookup(ABI_LOOKUP_TOPIC, S(topics[i]));
		long rc;

		CHECK(t >= 0);
		/* a space id a process could guess (1: an early one), a
		 * user address, write access */
		q.id = 1;
		q.prot = 3;
		q.va = 0x400000;
		q.len = 4096;
		rc = aegis_call(mm, t, &q, i == 5 ? 16 : sizeof(q), reply,
				sizeof(reply));
		CHECK(rc == EPERM);
		refused += rc == EPERM;
	}
	if (priv)	/* (the routing rules refuse a user's any mm call) */
		CHECK(aegis_call(mm, cow, NULL, 0, reply, sizeof(reply)) >= 0);
	printf("systest: mm refused %u of %u\n", refused,
	       (unsigned int)(sizeof(topics) / sizeof(topics[0])));
}

int main(void)
{
	snprintf(me, sizeof(me), "root-systest-%ld", aegis_getpid());
	priv = aegis_lookup(ABI_LOOKUP_SERVICE, S(me)) >= 0;
	if (!priv)
		snprintf(me, sizeof(me), "user-systest-%ld", aegis_getpid());
	files();
	memory();
	processes();
	bus();
	forged();
	contracts();
	mm_refusals();
	restarts();
	privileged();
	(void)ESRCH;
	printf("systest: %s: %d checks, %d failed\n", me, checks, fails);
	return fails;
}
