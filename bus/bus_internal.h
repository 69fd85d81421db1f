/*
 * bus_internal.h - what the files of bus/ share, and nothing else sees.
 */
#ifndef AEGIS_BUS_INTERNAL_H
#define AEGIS_BUS_INTERNAL_H

#include <aegis/bus.h>

#define BUS_NIL 0xffffu

/* A step of the message path: bus/core.c compiles the path as one unit,
 * and these are inlined into it wherever it calls them (a call and its
 * spills cost as much as the step). Other files call the out-of-line
 * copy. */
#define BUS_HOT inline __attribute__((always_inline))

/* lock.c: the bus lock (a no-op until bus_set_cpus). bus_lock and
 * bus_unlock nest on one CPU; bus_lock_drop lets go entirely and says
 * how deep it was held, bus_lock_retake holds it that deep again (also
 * when a jump left it held); bus_lock_try takes it only if that needs
 * no wait. bus_cpu: the CPU running (0 before bus_set_cpus). BUS_GUARD():
 * the lock for the rest of the enclosing block, at every entry point. */
extern unsigned int (*bus_cpu_fn)(void);	/* NULL: one CPU */
void bus_lock_slow(void);
void bus_unlock_slow(void);
static inline bool bus_smp(void)
{
	return __builtin_expect(bus_cpu_fn != NULL, 0);
}
static inline unsigned int bus_cpu(void)
{
	unsigned int c;

	if (!bus_smp())
		return 0;
	c = bus_cpu_fn();
	return c < BUS_CPUS ? c : 0;
}
static inline void bus_lock(void)
{
	if (bus_smp())
		bus_lock_slow();
}
static inline void bus_unlock(void)
{
	if (bus_smp())
		bus_unlock_slow();
}
bool bus_lock_try(void);
/* bus_lock_local - this CPU's own lock (or deeper into however it holds
 * the bus): true when held that way, false when the bus is held whole.
 * bus_lock_upgrade - from this CPU's own lock to the whole bus, for an
 * outermost entry between its steps. bus_whole_taken (bus.c) - the bus was just taken
 * whole, CPUs 0..ncpus-1 may have posted to inboxes. */
bool bus_lock_local_slow(void);
static inline bool bus_lock_local(void)
{
	return bus_smp() ? bus_lock_local_slow() : false;
}
void bus_lock_upgrade(void);
/* the same for CPU cpu, which the caller knows runs it (one look-up of
 * the CPU per entry, not one per step); bus_lock_is_local_on - CPU cpu
 * holds the bus by its own lock only */
bool bus_lock_local_on_slow(unsigned int cpu);
void bus_unlock_on_slow(unsigned int cpu);
bool bus_lock_is_local_on_slow(unsigned int cpu);
/* On one CPU there is no lock: these cost a test, not a call. */
static inline bool bus_lock_local_on(unsigned int cpu)
{
	return bus_smp() ? bus_lock_local_on_slow(cpu) : false;
}
static inline bool bus_lock_is_local_on(unsigned int cpu)
{
	return bus_smp() ? bus_lock_is_local_on_slow(cpu) : false;
}
static inline void bus_unlock_on(unsigned int cpu)
{
	if (bus_smp())
		bus_unlock_on_slow(cpu);
}
void bus_whole_taken(unsigned int ncpus);
unsigned int bus_lock_depth(void);	/* how deep this CPU holds it */
unsigned int bus_lock_drop_slow(void);
void bus_lock_retake_slow(unsigned int n);
static inline unsigned int bus_lock_drop(void)
{
	return bus_smp() ? bus_lock_drop_slow() : 0;
}
static inline void bus_lock_retake(unsigned int n)
{
	if (bus_smp())
		bus_lock_retake_slow(n);
}
static inline int bus_guard_begin(void)
{
	bus_lock();
	return 0;
}
static inline void bus_guard_end(int *unused)
{
	(void)unused;
	bus_unlock();
}
#define BUS_GUARD() \
	int bus_guard_ __attribute__((cleanup(bus_guard_end), unused)) = \
		bus_guard_begin()
/* BUS_GUARD_READ(): for code that only reads the bus's tables (changed
 * only with the bus held whole): this CPU's own lock is enough. */
static inline int bus_guard_read_begin(void)
{
	(void)bus_lock_local();
	return 0;
}
#define BUS_GUARD_READ() \
	int bus_guard_ __attribute__((cleanup(bus_guard_end), unused)) = \
		bus_guard_read_begin()

/* topic.c; topic_free: the caller has checked that nothing uses t */
void topic_reset(void);
unsigned int topic_count(void);
bool topic_live(bus_topic_t t);
bool topic_free(bus_topic_t t);

/* trace.c: a fault caught inside the bus on this CPU: let the trace's
 * own lock go if this CPU held it (lock.c, on a retake after a jump). */
void trace_fault_recover(void);

/* mem.c: zeroed memory for the bus's tables (bus_set_mem), or NULL;
 * bus_free takes the size it was asked for. */
void *bus_alloc(size_t size);
void bus_free(void *p, size_t size);

/* svclist.c: a sorted set of service ids; zero-filled is empty. */
#define SVC_LIST_INLINE 2
struct svc_list {
	bus_svc_t *ext;			/* NULL: the ids are in inl */
	uint16_t n, cap;		/* cap: of ext */
	bus_svc_t inl[SVC_LIST_INLINE];
};
static inline const bus_svc_t *svc_list_ids(const struct svc_list *l)
{
	return l->ext ? l->ext : l->inl;
}
bool svc_list_has(const struct svc_list *l, bus_svc_t s);
int svc_list_add(struct svc_list *l, bus_svc_t s);	/* 0 or -ENOMEM */
void svc_list_del(struct svc_list *l, bus_svc_t s);
void svc_list_clear(struct svc_list *l);		/* frees; empty */

/* bus.c: the bus clock (0 without one). Any context. */
uint64_t bus_now(void);

/* bus.c: the lineage of a new message src posts now (its parent: the
 * message being handled, or src's cause). */
void bus_lineage_new(bus_svc_t src, struct bus_lineage *l);
/* bus.c: the same into a trace record of a message never delivered (a
 * publish nobody heard, a contract's refusal). */
struct trace_rec;
void bus_trace_lineage_new(struct trace_rec *r, bus_svc_t src);

/* bus.c: a new topic exists, compute who is subscribed to it. */
void bus_topic_added(bus_topic_t t);

/* queue.c: the message pool and the priority queue. One dispatcher; the
 * caller guarantees no concurrent use (interrupts post through irq.c). */
void q_reset(void);
/* q_room - make sure this CPU's free stack holds n slots (refilled or
 * grown, with the bus whole); false when they cannot be. */
bool q_room(unsigned int n);
void q_free(unsigned int i);
/* q_room_on - CPU cpu's own free stack holds n slots (all a CPU holding
 * only its own lock may allocate from); q_alloc_on - a free slot for CPU
 * cpu, which runs the caller, from its own stack (refilled, or the pool
 * grown, with the bus whole), -EAGAIN when there is none; q_free_on - a
 * slot back to CPU cpu's stack. q_inbox_push - slot i
 * (filled, its subscription set) into CPU cpu's inbox; q_inbox_take -
 * everything in it, oldest first, chained by q_inbox_next; -ENOENT when
 * empty. q_inbox_waiting - a hint, without any lock. */
bool q_room_on(unsigned int cpu, unsigned int n);
int q_alloc_on(unsigned int cpu);
/* q_trim - with the bus whole: give the grown chunks back if every slot
 * is free (a CPU holding only its own lock frees without looking) */
void q_trim(void);
void q_free_on(unsigned int cpu, unsigned int i);
void q_inbox_push(unsigned int i, unsigned int cpu);
int q_inbox_take(unsigned int cpu);
int q_inbox_next(unsigned int i);
bool q_inbox_waiting(unsigned int cpu);
struct bus_msg *q_msg(unsigned int i);
/* q_push - at the tail of its priority's FIFO, or of the interrupt level
 * (ahead of every priority) when irq, in CPU cpu's queue (where its
 * destination is placed). q_pop - CPU cpu's most urgent slot, or
 * -ENOENT. q_move - dst's queued slots to CPU cpu's queue, in their
 * order. q_count - queued on every CPU; q_count_on - on one. */
void q_push(unsigned int i, bool irq, unsigned int cpu);
int q_pop(unsigned int cpu);
void q_move(bus_svc_t dst, unsigned int cpu);
unsigned int q_count(void);
unsigned int q_count_on(unsigned int cpu);
unsigned int q_free_count(void);
/* q_topic_queued - is a message on topic t queued? (Linear: rare.) */
bool q_topic_queued(bus_topic_t t);
/* q_take_for - unlink the oldest queued message for dst (any priority),
 * or -ENOENT; O(1). A service leaving RUNNING. */
int q_take_for(bus_svc_t dst);
/* q_set_sub / q_sub - the subscription a queued slot came through (set
 * after q_push; NULL: none). q_find_for - dst's oldest (or newest)
 * queued slot of subscription sub (and topic, if >= 0), walking its
 * queue; -ENOENT. q_unlink - take queued slot i off the queue. */
void q_set_sub(unsigned int i, void *sub);
void *q_sub(unsigned int i);
/* q_lineage - the lineage of a queued slot's message. */
struct bus_lineage *q_lineage(unsigned int i);
int q_find_for(bus_svc_t dst, const void *sub, int topic, bool newest);
void q_unlink(unsigned int i);

/* irq.c */
void irq_reset(void);
/* irq_take - the next line with coalesced interrupts, its count and the
 * bus clock at the first of them; -ENOENT when none is waiting. */
int irq_take(unsigned int *line, uint32_t *count, uint64_t *ts);
/* irq_putback - give count back to line (its event could not be queued),
 * with the stamp irq_take gave. */
void irq_putback(unsigned int line, uint32_t count, uint64_t ts);
unsigned int irq_waiting(void);
bus_topic_t irq_topic(unsigned int line);
bool irq_topic_named(bus_topic_t t);	/* a line's, or the fallback */
int irq_topics_init(void);

/* contract.c: reset with the bus (the contracted topics interned again),
 * told of each new topic and service; contract_check judges a message
 * about to be posted (dst BUS_NIL: a publish), contract_check_reply a
 * request's reply: 0, or -EBADMSG counted and traced. */
void contract_reset(void);
void contract_topic_added(bus_topic_t t);
void contract_svc_added(bus_svc_t s, const char *name);
void contract_svc_removed(bus_svc_t s);
void contract_topic_freed(bus_topic_t t);
int contract_check(bus_topic_t t, uint8_t kind, bus_svc_t src,
		   bus_svc_t dst, size_t len);
int contract_check_reply(const struct bus_msg *req, size_t len);

/* bus.c, for watch.c: a snapshot of who waits on whom. */
struct bus_watch_waiter {
	bus_svc_t src, dst;
	bus_topic_t topic;
	uint32_t corr;
	uint64_t since;		/* bus clock when it began waiting */
};
struct bus_watch_view {
	unsigned int depth;		/* services in the call chain */
	bus_svc_t chain[BUS_CHAIN_MAX];	/* [0]: the handler dispatched */
	uint64_t since;			/* its dispatch began; 0: called
					 * inline from outside any handler */
	bus_topic_t topic;		/* the message it handles */
	bus_svc_t src;
	const char *kind_name;
	unsigned int nwaiters;
	struct bus_watch_waiter waiters[BUS_WAITERS_MAX];
	unsigned int nsvcs;		/* ids 0..nsvcs-1 below */
	uint32_t pending[BUS_SVC_MAX];	/* queued now */
	uint64_t moved[BUS_SVC_MAX];	/* last taken from, or began */
};
/* a snapshot, under the bus lock; try_only (interrupt context): false,
 * nothing read, when another CPU holds the lock */
bool bus_watch_view(struct bus_watch_view *v, bool try_only);

/* route.c: a service name, "*", or a prefix of names ending in "*"
 * ("user-*"), as rules and the trace filter name services. */
bool svc_name_ok(const char *s);

/* grant.c */
void grant_reset(void);

/* route.c */
/* A message is copied to at most ROUTE_MIRRORS_MAX mirror targets; a
 * further matching mirror rule counts a drop of its own. */
#define ROUTE_MIRRORS_MAX 8
struct route_verdict {
	int rc;			/* 0: deliver; -EPERM, -EAGAIN: refused */
	bus_svc_t dst;		/* in: the destination; out: maybe redirected */
	uint8_t prio;		/* in: the priority; out: maybe changed */
	uint32_t seq;		/* the bus's: an event's sequence number */
	uint8_t nmirrors;	/* out: services that also get an event copy, */
	bus_svc_t mirrors[ROUTE_MIRRORS_MAX];	/* distinct, in rule order */
};
unsigned int route_count(void);
void route_reset(void);
/* route_svc_added, route_svc_removed - service s came (named name) or
 * went: the rules naming it, or a prefix of its name, are filed for it
 * or no more. route_topic_added - a new topic (again for a live one: no
 * change); route_topic_freed - its id may be another topic's next. */
void route_svc_added(bus_svc_t s, const char *name);
void route_svc_removed(bus_svc_t s);
void route_topic_added(bus_topic_t t);
void route_topic_freed(bus_topic_t t);
void route_apply(struct route_verdict *v, bus_topic_t topic, bus_svc_t src,
		 uint8_t kind, bool irq, uint64_t now);
/* route_none - would route_apply examine no rule for this message (and
 * so change nothing, not even a count)? dst BUS_NIL: a publish nobody
 * subscribes to. */
bool route_none_slow(bus_topic_t topic, bus_svc_t src, bus_svc_t dst);
extern unsigned int route_nrules;
/* No rule judges or copies this message: with no rule at all, known here
 * (the message path asks it per copy, without a call). */
static inline bool route_none(bus_topic_t topic, bus_svc_t src,
			      bus_svc_t dst)
{
	return __builtin_expect(route_nrules == 0, 1) ||
	       route_none_slow(topic, src, dst);
}

#endif
