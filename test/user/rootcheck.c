/*
 * rootcheck.c - run with privilege beside hog (run=hog,+rootcheck): waits
 * until every hog holds all it may of the shared tables (each says so on
 * user.hog.full, with the children it started; the first hog is pid 1,
 * so all have reported once it and every child named have), then checks
 * that a
 * privileged process still gets what it needs: files in /dev and /sys,
 * memory, a thread, a process, a topic, a subscription. Then it lets the
 * hogs go (user.hog.done). Exits with the number of failures.
 */
#include "ulib.h"

static int fails;


#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fails++;					\
			printf("rootcheck: line %d: %s\n", __LINE__, #cond); \
		}							\
	} while (0)

#define MAXHOGS 16

static int32_t reported[MAXHOGS], named[MAXHOGS];
static int nreported, nnamed;

static int in(const int32_t *set, int n, int32_t pid)
{
	for (int i = 0; i < n; i++)
		if (set[i] == pid)
			return 1;
	return 0;
}

static int complete(void)
{
	if (!in(reported, nreported, 1))
		return 0;
	for (int i = 0; i < nnamed; i++)
		if (!in(reported, nreported, named[i]))
			return 0;
	return 1;
}

static char stack[4096] __attribute__((aligned(16)));
static volatile int ran;

static void thread(void *arg)
{
	(void)arg;
	ran = 1;
}

int main(void)
{
	long full = aegis_lookup(ABI_LOOKUP_TOPIC, S("user.hog.full"));
	long done = aegis_lookup(ABI_LOOKUP_TOPIC, S("user.hog.done"));
	uintptr_t va = ((uintptr_t)_image_end + (1 << 24)) & ~0xfffull;
	long got, fd, sfd, pid, rc;
	struct { int32_t pid, kids, kid[8]; } news;
	int32_t code = -1;
	struct abi_msg m;
	char buf[512];

	CHECK(full >= 0 && done >= 0);
	CHECK(aegis_subscribe(S("user.hog.full")) == 0);
	/* init starts hog first (pid 1); every other hog is a child some
	 * hog reported: all are in once pid 1 and every child named have
	 * reported */
	while (!complete()) {
		rc = aegis_receive(&m, 120000000000ull);
		if (rc) {
			printf("rootcheck: only %d hogs said they were full\n",
			       nreported);
			return 1;
		}
		if (m.topic != (uint32_t)full || m.len != sizeof(news) ||
		    nreported == MAXHOGS)
			continue;
		__builtin_memcpy(&news, m.data, sizeof(news));
		reported[nreported++] = news.pid;
		for (int i = 0; i < news.kids && i < 8 && nnamed < MAXHOGS;
		     i++)
			named[nnamed++] = news.kid[i];
	}
	got = nreported;
	/* every table as full as processes without privilege may make it */
	fd = aegis_open(S("/dev/null"), ABI_O_READ);
	CHECK(fd >= 3);
	sfd = aegis_open(S("/sys/proc/usage"), ABI_O_READ);
	CHECK(sfd >= 3);
	rc = aegis_read(sfd, buf, sizeof(buf) - 1);
	CHECK(rc > 0);
	if (rc > 0) {		/* what they hold, as /sys/proc shows it */
		while (rc > 0 && buf[rc - 1] != '\n')
			rc--;	/* whole lines only */
		buf[rc] = '\0';
		printf("%s", buf);
	}
	CHECK(aegis_map(va, 256 * 4096, ABI_PROT_READ | ABI_PROT_WRITE) == 0);
	((volatile char *)va)[255 * 4096] = 1;
	rc = thread_create(thread, 0, stack, sizeof(stack));
	CHECK(rc >= 0);
	for (int i = 0; i < 100 && !ran; i++)
		aegis_sleep(1000000);
	CHECK(ran);
	pid = aegis_spawn(S("true"), 0);
	CHECK(pid > 0);
	CHECK(pid <= 0 || (aegis_wait(pid, &code, 0) == pid && code == 0));
	CHECK(aegis_lookup(ABI_LOOKUP_TOPIC, S("user.rootcheck.mine")) >= 0);
	CHECK(aegis_subscribe(S("user.rootcheck.mine")) == 0);
	printf("rootcheck: %ld hogs hold all they may; root still opens "
	       "files in /dev and /sys, maps memory, starts a thread and a "
	       "process, makes a topic and a subscription: %s\n", got,
	       fails ? "NOT ALL" : "all of it");
	CHECK(aegis_close(fd) == 0 && aegis_close(sfd) == 0);
	CHECK(aegis_publish(done, "", 0, 4) == got);
	return fails;
}
