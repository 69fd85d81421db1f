/*
 * topic.c - topic names interned to small ids, and pattern matching.
 *
 * Names live in blocks from bus_alloc, found by id through a table of
 * pointers; an open-addressed hash over the names finds an id in O(1)
 * on average. Interning happens at
 * registration time, never on the message path (which carries ids).
 *
 * A topic processes made can be freed when none of them holds it any
 * more (bus_topic_free): its name goes from the hash by backward-shift
 * deletion (the entries after it on their probe paths move up, so no
 * tombstone is left and a probe always ends at an empty slot), and its
 * id is taken again, lowest first, before the table grows.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include "bus_internal.h"

#define HASH_SLOTS (BUS_TOPIC_MAX * 4)	/* power of two; a quarter full at most */

static char *topic_names[BUS_TOPIC_MAX];	/* NULL: never made, or freed */
static uint16_t hash_slot[HASH_SLOTS];	/* id + 1, 0 = empty */
static unsigned int ntopics;		/* ids 0..ntopics-1 were made */
static uint64_t freed[BUS_TOPIC_MAX / 64];	/* bit t: id t is free */
static unsigned int nfreed;
static unsigned int freed_lo;	/* no freed id in words below it */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static size_t name_size(const char *name)
{
	return strlen(name) + 1;
}

void topic_reset(void)
{
	for (unsigned int t = 0; t < ntopics; t++)
		if (topic_names[t])
			bus_free(topic_names[t], name_size(topic_names[t]));
	memset(topic_names, 0, sizeof(topic_names));
	memset(hash_slot, 0, sizeof(hash_slot));
	memset(freed, 0, sizeof(freed));
	ntopics = 0;
	nfreed = 0;
	freed_lo = 0;
}

unsigned int topic_count(void)
{
	return ntopics;
}

bool topic_live(bus_topic_t t)
{
	return t < ntopics && !((freed[t / 64] >> (t % 64)) & 1);
}

bool bus_topic_live(bus_topic_t t)
{
	BUS_GUARD_READ();
	return topic_live(t);
}

unsigned int bus_topic_used(void)
{
	BUS_GUARD_READ();
	return ntopics - nfreed;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

/* Components of name_char separated by single dots; wild allows a final
 * ".*" or a lone "*". */
static int check(const char *s, bool wild, const char **why)
{
	size_t len = strnlen(s, BUS_NAME_MAX);
	bool empty = true;

	if (len == 0) {
		*why = "empty name";
		return -AE_EINVAL;
	}
	if (len >= BUS_NAME_MAX) {
		*why = "name longer than 47 bytes";
		return -AE_EINVAL;
	}
	if (wild && strcmp(s, "*") == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (empty) {
				*why = "empty component (leading, trailing or "
				       "double dot)";
				return -AE_EINVAL;
			}
			empty = true;
		} else if (c == '*') {
			if (!wild) {
				*why = "'*' in a topic name (only patterns "
				       "have wildcards)";
				return -AE_EINVAL;
			}
			if (i + 1 != len || i == 0 || s[i - 1] != '.') {
				*why = "'*' only as the last component "
				       "(\"a.b.*\") or alone";
				return -AE_EINVAL;
			}
			return 0;
		} else if (name_char(c)) {
			empty = false;
		} else {
			*why = "character outside [a-z0-9_-.]";
			return -AE_EINVAL;
		}
	}
	if (empty) {
		*why = "empty component (leading, trailing or double dot)";
		return -AE_EINVAL;
	}
	return 0;
}

int bus_pattern_check(const char *pattern, const char **why)
{
	const char *dummy;

	return check(pattern, true, why ? why : &dummy);
}

bool bus_pattern_match(const char *pattern, const char *name)
{
	size_t n;

	if (strcmp(pattern, "*") == 0)
		return true;
	n = strlen(pattern);
	if (n >= 2 && pattern[n - 1] == '*')	/* "a.b.*": below a.b */
		return strncmp(name, pattern, n - 1) == 0 && name[n - 1];
	return strcmp(pattern, name) == 0;
}

static int lookup(const char *name, uint32_t *slot)
{
	uint32_t i = hash(name) & (HASH_SLOTS - 1);

	for (;; i = (i + 1) & (HASH_SLOTS - 1)) {
		if (hash_slot[i] == 0) {
			*slot = i;
			return -AE_ENOENT;
		}
		if (strcmp(topic_names[hash_slot[i] - 1], name) == 0)
			return hash_slot[i] - 1;
	}
}

int bus_topic_find(const char *name)
{
	BUS_GUARD_READ();
	uint32_t slot;
	const char *why;

	if (!name || check(name, false, &why))
		return -AE_EINVAL;
	return lookup(name, &slot);
}

int bus_topic(const char *name)
{
	BUS_GUARD();
	uint32_t slot;
	const char *why;
	int id;

	if (!name || check(name, false, &why))
		return -AE_EINVAL;
	id = lookup(name, &slot);
	if (id >= 0)
		return id;
	if (nfreed) {
		for (unsigned int w = freed_lo;; w++)
			if (freed[w]) {
				freed_lo = w;
				id = (int)(w * 64 + (unsigned int)
					   __builtin_ctzll(freed[w]));
				break;
			}
		freed[id / 64] &= ~(1ull << (id % 64));
		nfreed--;
	} else if (ntopics >= BUS_TOPIC_MAX) {
		return -AE_ENOSPC;
	} else {
		id = (int)ntopics;
	}
	topic_names[id] = bus_alloc(name_size(name));
	if (!topic_names[id]) {
		if (id < (int)ntopics) {	/* the free id stays free */
			freed[id / 64] |= 1ull << (id % 64);
			nfreed++;
			if ((unsigned int)id / 64 < freed_lo)
				freed_lo = (unsigned int)id / 64;
		}
		return -AE_ENOMEM;
	}
	if (id == (int)ntopics)
		ntopics++;
	memcpy(topic_names[id], name, name_size(name));
	hash_slot[slot] = (uint16_t)(id + 1);
	bus_topic_added((bus_topic_t)id);
	return id;
}

const char *bus_topic_name(bus_topic_t t)
{
	BUS_GUARD_READ();
	return topic_live(t) ? topic_names[t] : "?";
}

bool topic_free(bus_topic_t t)
{
	uint32_t i = hash(topic_names[t]) & (HASH_SLOTS - 1), j, k;

	while (hash_slot[i] != t + 1u) {
		if (hash_slot[i] == 0)
			return false;	/* not in the hash: nothing to free */
		i = (i + 1) & (HASH_SLOTS - 1);
	}
	/* Empty slot i, then pull up every later entry of the run whose
	 * home is not between i and it (cyclically): its probe would stop
	 * at the hole otherwise. */
	hash_slot[i] = 0;
	for (j = (i + 1) & (HASH_SLOTS - 1); hash_slot[j];
	     j = (j + 1) & (HASH_SLOTS - 1)) {
		k = hash(topic_names[hash_slot[j] - 1]) & (HASH_SLOTS - 1);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		hash_slot[i] = hash_slot[j];
		hash_slot[j] = 0;
		i = j;
	}
	bus_free(topic_names[t], name_size(topic_names[t]));
	topic_names[t] = NULL;
	freed[t / 64] |= 1ull << (t % 64);
	nfreed++;
	if (t / 64 < freed_lo)
		freed_lo = t / 64;
	return true;
}
