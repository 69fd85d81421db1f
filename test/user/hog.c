/*
 * hog.c - a process without privilege that takes all it is allowed of
 * every table processes share, and has children that do the same, until
 * each table refuses: topics it makes, subscriptions, threads, files
 * (sysfs's and ns's), pages, children. Each hog reports what it got and
 * the error that stopped it, tells rootcheck (publishing user.hog.full
 * with the children it started) and holds everything until
 * rootcheck, which runs with privilege, has checked that root still gets
 * what it needs and publishes user.hog.done. Run as run=hog,+rootcheck.
 */
#include "ulib.h"

#define CHUNK	(1024 * 4096ul)	/* 4 MiB: a process has 32 regions */
#define THREADS	8

static char stacks[THREADS][4096] __attribute__((aligned(16)));


static const char *ename(long rc)
{
	switch (-rc) {
	case 0: return "ok";
	case 11: return "EAGAIN";
	case 12: return "ENOMEM";
	case 24: return "EMFILE";
	case 28: return "ENOSPC";
	default: return "another error";
	}
}

static void sleeper(void *arg)
{
	(void)arg;
	for (;;)
		aegis_sleep(1000000000);
}

/* publish until someone (rootcheck) hears it */
static void tell(long topic, const void *data, unsigned long len)
{
	for (int i = 0; i < 3000 && aegis_publish(topic, data, len, 4) != 1;
	     i++)
		aegis_sleep(10000000);
}

int main(void)
{
	long pid = aegis_getpid(), full, done, rc, rc_t, rc_s, rc_f;
	long rc_y = 0, rc_m, rc_c = 0, rc_h = 0;
	char name[48];
	int topics = 0, subs = 0, files = 0, sysfiles = 0, threads = 0;
	int kids = 0;
	long kid[16];
	unsigned long pages = 0;
	uintptr_t va = ((uintptr_t)_image_end + (1 << 24)) & ~0xfffull;
	struct abi_msg m;
	struct { int32_t pid, kids, kid[8]; } news;

	full = aegis_lookup(ABI_LOOKUP_TOPIC, S("user.hog.full"));
	done = aegis_lookup(ABI_LOOKUP_TOPIC, S("user.hog.done"));
	if (full < 0 || done < 0 || aegis_subscribe(S("user.hog.done"))) {
		printf("hog: pid %ld: cannot talk to rootcheck\n", pid);
		return 1;
	}
	subs = 1;	/* user.hog.done; topics counts the ones made here */
	while ((rc_t = (snprintf(name, sizeof(name), "user.hog.%ld.t%d", pid,
				 topics),
			aegis_lookup(ABI_LOOKUP_TOPIC, S(name)))) >= 0)
		topics++;
	while ((rc_s = (snprintf(name, sizeof(name), "user.hog.%ld.s%d", pid,
				 subs),
			aegis_subscribe(S(name)))) == 0)
		subs++;
	while (threads < THREADS &&
	       (rc_y = thread_create(sleeper, 0, stacks[threads],
				     sizeof(stacks[0]))) >= 0)
		threads++;
	while (sysfiles < 3 &&
	       (rc_h = aegis_open(S("/sys/kernel/log_level"), ABI_O_READ)) >= 0)
		sysfiles++;
	if (sysfiles == 3)
		rc_h = 0;
	while ((rc_f = aegis_open(S("/dev/null"), ABI_O_READ)) >= 0)
		files++;
	while ((rc_m = aegis_map(va + pages * 4096, CHUNK,
				 ABI_PROT_READ | ABI_PROT_WRITE)) == 0)
		pages += CHUNK / 4096;
	while (kids < 16 && (rc_c = aegis_spawn(S("hog"), 0)) > 0)
		kid[kids++] = rc_c;
	printf("hog: pid %ld: topics %d (%s), subscriptions %d (%s), "
	       "threads %d (%s), sysfs files %d (%s), files %d (%s), "
	       "pages %lu (%s), children %d (%s)\n", pid,
	       topics, ename(rc_t), subs, ename(rc_s),
	       threads + 1, threads < THREADS ? ename(rc_y) : "-",
	       sysfiles, ename(rc_h), files, ename(rc_f),
	       pages, ename(rc_m), kids, ename(rc_c));
	news.pid = (int32_t)pid;
	news.kids = kids < 8 ? kids : 8;	/* (the kernel allows 8) */
	for (int i = 0; i < news.kids; i++)
		news.kid[i] = (int32_t)kid[i];
	tell(full, &news, sizeof(news));
	/* hold it all until rootcheck is done */
	do
		rc = aegis_receive(&m, 120000000000ull);
	while (rc == 0 && m.topic != (uint32_t)done);
	for (int i = 0; i < kids; i++)
		aegis_wait(kid[i], 0, 0);
	return 0;
}
