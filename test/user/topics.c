/*
 * topics.c - topics a process made are reclaimed when it ends. Started
 * as pid 1 (run=topics), it runs ROUNDS children of itself one after the
 * other; each child makes TOPICS_EACH new topics of its own
 * ("user.tm.<pid>.<i>", the most a process without privilege may make)
 * and ends. Together they make more topics than the bus has room for
 * (ROUNDS * TOPICS_EACH > 16384): without reclamation the later ones
 * would get ENOSPC. The first child's topics were given back to make
 * room, and /sys/bus/topics never lists more than the bus holds; but
 * not the one it published on while the parent, subscribed to it, had
 * not yet read the message (a message received holds its topic: its id
 * must still name it when read). Exits with the number of failures.
 */
#include "ulib.h"

#define ROUNDS		1040
#define TOPICS_EACH	16

static int fails;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fails++;					\
			printf("topics: line %d: %s\n", __LINE__, #cond); \
		}							\
	} while (0)

/* How many entries /sys/bus/topics lists. */
static long count_topics(void)
{
	struct abi_dirent d;
	long fd = aegis_open(S("/sys/bus/topics"), ABI_O_DIR), n = 0, i = 0;

	if (fd < 0)
		return fd;
	while ((i = aegis_readdir((int)fd, (unsigned long)i, &d)) > 0)
		n++;
	aegis_close((int)fd);
	return n;
}

static int child(long pid)
{
	char name[48];
	long t;

	for (int i = 0; i < TOPICS_EACH; i++) {
		snprintf(name, sizeof(name), "user.tm.%ld.%d", pid, i);
		t = aegis_lookup(ABI_LOOKUP_TOPIC, S(name));
		if (t < 0)
			return 1;
		/* the first child tells the parent on its first topic */
		if (pid == 2 && i == 0 && aegis_publish(t, "kept", 4, 4) != 1)
			return 1;
		/* any id the bus gave can be published on (ids go past 511:
		 * a system call's bound is the bus's, 16383) */
		if (i == TOPICS_EACH - 1 && aegis_publish(t, "x", 1, 4) != 0)
			return 2;
	}
	return 0;
}

int main(void)
{
	long pid = aegis_getpid(), before, after, kid, first = 0;
	struct abi_stat st;
	struct abi_msg m;
	char path[64];
	int32_t code;

	if (pid != 1)
		return child(pid);
	CHECK(aegis_subscribe(S("user.tm.2.0")) == 0);
	before = count_topics();
	CHECK(before > 0);
	for (int r = 0; r < ROUNDS; r++) {
		kid = aegis_spawn(S("topics"), 0);
		CHECK(kid > 0);
		if (kid <= 0)
			break;
		if (!first)
			first = kid;
		code = -1;
		CHECK(aegis_wait(kid, &code, 0) == kid);
		CHECK(code == 0);
	}
	after = count_topics();
	CHECK(after > 0 && after <= 16384);
	CHECK(first == 2);
	snprintf(path, sizeof(path), "/sys/bus/topics/user.tm.%ld.1", first);
	CHECK(aegis_stat(S(path), &st) < 0);	/* given back */
	/* the message the first child sent is read only now: its topic was
	 * kept, and the id it carries still names it */
	CHECK(aegis_stat(S("/sys/bus/topics/user.tm.2.0"), &st) == 0);
	CHECK(aegis_receive(&m, 0) == 0);
	CHECK(m.len == 4 && m.data[0] == 'k');
	CHECK(aegis_lookup(ABI_LOOKUP_TOPIC, S("user.tm.2.0")) == m.topic);
	printf("topics: %d children made %d topics each, every one given; "
	       "%ld topics before, %ld after\n", ROUNDS, TOPICS_EACH, before,
	       after);
	return fails;
}
