/*
 * aegis/bus.h - the message bus: topics, messages, publish/send/call, the
 * priority dispatcher, backpressure and the interrupt post path.
 *
 * Every service talks to the others only through these calls. The bus is
 * arch-neutral and single-dispatcher: handlers run to completion, one at a
 * time, on the CPU that runs bus_dispatch(). Only bus_irq_post() may be
 * called from interrupt context (it is lock-free and never blocks or
 * fails); everything else runs in handler or thread context on that CPU.
 *
 * Errors are negative codes from aegis/errno.h.
 */
#ifndef AEGIS_BUS_H
#define AEGIS_BUS_H

#include <aegis/types.h>

/* ---- limits ---------------------------------------------------------- */
#define BUS_PRIOS		8	/* 0 is the most urgent */
#define BUS_PRIO_DEFAULT	4
#define BUS_PRIO_INHERIT	(-1)	/* the caller's current priority */
#define BUS_INLINE_MAX		40	/* payload bytes inside a message */
#define BUS_SVC_MAX		1024	/* services, user processes included */
#define BUS_SVC_SUBS_MAX	64	/* subscription patterns of one service */
#define BUS_TOPIC_MAX		16384
#define BUS_NAME_MAX		48	/* topic and service names, with NUL */
#define BUS_POOL_SIZE		1024	/* messages the pool starts with */
#define QCHUNKS_MAX		4096	/* of 64 messages: 262144 at most */
#define BUS_IRQ_LINES		256
#define BUS_CHAIN_MAX		16	/* nested inline calls */

typedef uint16_t bus_topic_t;
typedef uint16_t bus_svc_t;

/* The source of messages posted outside any handler (boot code, threads
 * before the scheduler exists, interrupts): printed as "kernel". */
#define BUS_SVC_KERNEL		((bus_svc_t)0xffff)

enum bus_kind {
	BUS_EVENT = 0,		/* publish or send: no answer */
	BUS_REQUEST = 1,	/* expects exactly one BUS_REPLY */
	BUS_REPLY = 2,
};

/*
 * A message: a 24-byte header and up to BUS_INLINE_MAX bytes of payload,
 * 64 bytes in all (one cache line). Larger data travels by reference in
 * the payload, with ownership stated by the topic's contract.
 */
struct bus_msg {
	bus_topic_t topic;
	uint8_t kind;		/* enum bus_kind */
	uint8_t prio;		/* 0..BUS_PRIOS-1 */
	bus_svc_t src;
	bus_svc_t dst;		/* the receiving service */
	union {
		uint32_t corr;	/* request/reply correlation id */
		uint32_t seq;	/* events: the topic's sequence number */
	};
	uint16_t len;		/* payload bytes */
	union {
		int16_t status;	/* replies: 0 or a negative errno */
		uint16_t gap;	/* events: messages of this subscription
				 * lost just before this one (GAP(k);
				 * saturates at 65535) */
	};
	uint64_t ts;		/* bus clock when posted */
	uint8_t data[BUS_INLINE_MAX];
};

/*
 * A handler runs to completion for one message and never blocks. For a
 * request it may fill reply->data/len; its return value is the reply's
 * status: 0 or a negative errno. Returning -AE_ENOTRECOVERABLE reports a
 * fault: the service is marked failed (see bus_svc_state) and its pending
 * messages are answered (requests: -ESHUTDOWN) and counted as dropped.
 */
typedef int (*bus_handler_fn)(void *state, const struct bus_msg *m,
			      struct bus_msg *reply);

/*
 * bus_guard_fn - how the bus runs every handler, when one is set: it must
 * call fn(state, m, reply) and return what fn returns, or
 * -AE_ENOTRECOVERABLE when fn did not return because it faulted (the
 * kernel's guard, kernel/fault.c, sets a recovery point that the trap
 * path goes back to). The bus then treats the service as a handler that
 * reported a fault, and puts its own call-chain bookkeeping back as it
 * was before the handler ran.
 */
typedef int (*bus_guard_fn)(bus_handler_fn fn, void *state,
			    const struct bus_msg *m, struct bus_msg *reply);

/* ---- set-up ------------------------------------------------------------ */

/* bus_clock_fn - the time source for timestamps and trace (cycles). */
typedef uint64_t (*bus_clock_fn)(void);

/* bus_init - empty the bus (all services, topics, messages, counters).
 * clock may be NULL (timestamps are then 0). Boot, or tests. */
void bus_init(bus_clock_fn clock);

/*
 * bus_set_mem - where the bus's tables grow from as they are used
 * (subscriber lists, routing indexes, the message pool beyond its first
 * BUS_POOL_SIZE messages): alloc(size) returns size bytes or NULL,
 * free(p, size) takes back what alloc gave. NULL, or an alloc that
 * fails: the bus's own reserve (a static arena of blocks up to
 * BUS_MEM_BLOCK_MAX bytes), which is also what boot uses before an
 * allocator exists. ops must stay valid. Outside handlers.
 */
#define BUS_MEM_BLOCK_MAX	4096
struct bus_mem_ops {
	void *(*alloc)(size_t size);
	void (*free)(void *p, size_t size);
};
void bus_set_mem(const struct bus_mem_ops *ops);

struct bus_mem_stats {
	uint64_t allocs, frees;			/* from the allocator */
	uint64_t reserve_allocs, reserve_frees;	/* from the reserve */
	uint64_t fails;				/* neither had it */
	uint64_t reserve_free;			/* reserve bytes never carved */
};
void bus_mem_stats(struct bus_mem_stats *out);

/*
 * bus_set_cpus - from now on more than one CPU may enter the bus; cpu()
 * says which one runs (0 .. BUS_CPUS-1). Until it is called the bus
 * assumes one CPU and takes no lock. After it, every entry point takes
 * the bus lock (recursive on one CPU; released while a handler runs and
 * while a thread blocks in bus_call_wait), each CPU has a call chain of
 * its own, and a service is in at most one CPU's chain: an inline call
 * to a service another CPU is running waits for it, or is refused with
 * -EDEADLK when that CPU waits, directly or through others, for a
 * service in this CPU's chain. Boot, before a second CPU enters the bus
 * (or tests, between bus_init and the threads that use it); NULL turns
 * the lock off again (no CPU may be inside the bus then).
 */
#define BUS_CPUS	64
void bus_set_cpus(unsigned int (*cpu)(void));

/* How the bus's locks were taken since bus_set_cpus: a CPU's own lock
 * (the message path), the whole bus (table changes and the paths that
 * need it), a CPU's own lock traded for the whole between two steps,
 * and such a trade from deeper inside a local section (never expected:
 * the code further up would see the tables change under it). */
struct bus_lock_stats {
	uint64_t local, whole, upgrades, nested;
};
void bus_lock_stats(struct bus_lock_stats *out);

/* bus_set_guard - run handlers through g from now on (NULL: call them
 * directly, the default). bus_init leaves it as it is. Outside handlers. */
void bus_set_guard(bus_guard_fn g);

/* ---- topics -------------------------------------------------------------
 * Names are dot-separated components of [a-z0-9_-], e.g. "hw.irq.uart0",
 * at most BUS_NAME_MAX-1 bytes. Patterns are a name, a name followed by
 * ".*" (every topic below it, at any depth), or "*" (every topic).
 */

/* bus_topic - the id of a topic, interned on first use. Returns the id,
 * -EINVAL for a malformed name (a pattern is not a topic), -ENOSPC when
 * BUS_TOPIC_MAX topics exist, -ENOMEM when its name finds no memory. */
int bus_topic(const char *name);

/* bus_topic_find - the id of an existing topic, or -ENOENT. */
int bus_topic_find(const char *name);

/* bus_topic_name - the name of a topic id ("?" if unknown). */
const char *bus_topic_name(bus_topic_t t);

/* bus_topic_count - the ids made so far: 0..count-1, of which some may
 * have been freed since (bus_topic_name says "?"); bus_topic_used - how
 * many exist now. */
unsigned int bus_topic_count(void);
unsigned int bus_topic_used(void);

/* bus_topic_live - does id t name a topic now? */
bool bus_topic_live(bus_topic_t t);

/*
 * bus_topic_free - forget topic t (the processes that made it and every
 * one that looked it up have ended: aegis/proc.h): its name, counters and
 * id go, and a later bus_topic() may give the id to another name. Only a
 * topic without a contract (or under an open one, user.*) that no
 * interrupt line uses: -EPERM otherwise; -EBUSY while a message on it is
 * queued (try again later); -EINVAL for no such topic. Outside the
 * message path.
 */
int bus_topic_free(bus_topic_t t);

/* bus_topic_subscribers - how many services' subscriptions match topic
 * t (0 for an unknown topic); the first max of their ids, ascending, go
 * to out (NULL: just count). */
unsigned int bus_topic_subscribers(bus_topic_t t, bus_svc_t *out,
				   unsigned int max);

/* bus_topic_subscriber - the k-th of them (ascending ids), or -ENOENT
 * past the last. */
int bus_topic_subscriber(bus_topic_t t, unsigned int k);

/* bus_sub_misses - subscribers a new topic could not record (no memory
 * for its list); 0 unless memory ran out. */
uint64_t bus_sub_misses(void);

/* bus_pattern_check - 0 if pattern is well-formed, else -EINVAL with *why
 * set to a one-line reason. */
int bus_pattern_check(const char *pattern, const char **why);

/* bus_pattern_match - true if topic name matches pattern (both assumed
 * well-formed). */
bool bus_pattern_match(const char *pattern, const char *name);

/* ---- services (the bus side; kernel/service.c builds the registry) ----- */

enum bus_svc_state {
	BUS_SVC_FREE = 0,
	BUS_SVC_RUNNING,
	BUS_SVC_STOPPED,	/* stopped on purpose: messages refused */
	BUS_SVC_FAILED,		/* a handler fault: the supervisor decides */
};

struct bus_svc_stats {
	uint64_t received;	/* messages queued to it */
	uint64_t handled;	/* handler runs (queued and inline) */
	uint64_t drops;		/* refused: queue full, or not running */
	uint64_t faults;	/* handler faults */
	uint64_t run;		/* bus clock ticks in its handlers (inline
				 * calls they made included) */
	uint32_t pending;	/* queued now */
	uint32_t pending_max;	/* high-water mark */
};

/* bus_svc_add - attach a service; it starts RUNNING. qlimit bounds its
 * queued messages (1..BUS_POOL_SIZE). Returns the id, -EINVAL (bad name,
 * NULL handler, qlimit out of range), -EEXIST (name taken), -ENOSPC. */
int bus_svc_add(const char *name, bus_handler_fn fn, void *state,
		uint32_t qlimit, uint8_t prio);

/* bus_svc_find - id of a service by name, or -ENOENT. */
int bus_svc_find(const char *name);

/* bus_svc_span - one past the highest id a service has had: loops over
 * services need not look beyond it. */
unsigned int bus_svc_span(void);

/*
 * Service flags, set once after bus_svc_add:
 *   BUS_SVC_F_USER    a user process's service (aegis/proc.h): every
 *                     routing rule governs its traffic, and it owns no
 *                     kernel memory a grant could name
 *   BUS_SVC_F_RESCUE  on the console's way to /sys/bus/rules (console,
 *                     shell, ns, sysfs): traffic between two of these is
 *                     never withheld by a rule, so a bad rule can always
 *                     be taken back
 *   BUS_SVC_F_ANYCPU  its handlers may run on any CPU (they touch only
 *                     their own state and what is safe from any CPU): it
 *                     may be placed on another CPU (bus_svc_place) and
 *                     called inline from one. A service without it runs
 *                     on the boot CPU only: an inline call to it from
 *                     another CPU is refused with -EXDEV (send it a
 *                     request instead)
 * Traffic from any other service (kernel traffic) is withheld (deny,
 * rate, redirect) only by a rule naming a service exactly (aegis/route.h).
 * bus_svc_set_flags: -EINVAL for no such service or an unknown flag.
 * bus_svc_flags: 0 for the kernel or no such service.
 */
#define BUS_SVC_F_USER		1u
#define BUS_SVC_F_RESCUE	2u
#define BUS_SVC_F_ANYCPU	4u
int bus_svc_set_flags(bus_svc_t s, uint32_t flags);
uint32_t bus_svc_flags(bus_svc_t s);

/*
 * Placement (many CPUs: bus_set_cpus). Each CPU that runs a dispatcher
 * (bus_run) says so once with bus_cpu_dispatching; a service's queued
 * messages are dispatched by the CPU it is placed on, the boot CPU (0)
 * unless bus_svc_place moved it. bus_svc_place - from now on s's
 * messages, those queued included (in their order), go to CPU cpu:
 * 0, -EINVAL (no such service), -ENODEV (cpu runs no dispatcher),
 * -EPERM (s is not BUS_SVC_F_ANYCPU, and cpu is not 0); it also pins s
 * there (a place chosen by someone: the kernel's balancer leaves it
 * alone). bus_svc_move - the balancer's move: as bus_svc_place, but
 * only for an anycpu service that is not pinned (-EPERM) and still on
 * CPU from (-EAGAIN: placed elsewhere meanwhile); it does not pin.
 * bus_svc_unpin - s may be moved by the balancer again (-EPERM: not
 * anycpu). bus_svc_pinned - whether it is pinned. bus_svc_cpu -
 * where s is placed, or -EINVAL. bus_set_kick - called (with the bus
 * lock held, any context a post is made in) when a message is queued
 * for a CPU other than the poster's, so that CPU can be woken (an IPI
 * when it sleeps); NULL: none. bus_pending_on - messages queued for CPU
 * cpu's dispatcher (a hint, no lock: the kernel's idle check).
 */
void bus_cpu_dispatching(unsigned int cpu);
int bus_svc_place(bus_svc_t s, unsigned int cpu);
int bus_svc_move(bus_svc_t s, unsigned int from, unsigned int cpu);
int bus_svc_unpin(bus_svc_t s);
bool bus_svc_pinned(bus_svc_t s);
int bus_svc_cpu(bus_svc_t s);
void bus_set_kick(void (*kick)(unsigned int cpu));
unsigned int bus_pending_on(unsigned int cpu);
/* Nothing queued on any CPU and no other CPU in the middle of a queued
 * message's handler, seen at one instant (under the bus lock): whatever
 * those handlers posted has been delivered or dropped. The interrupt
 * lines are not counted (a timer keeps them busy). */
bool bus_quiet(void);

/* bus_svc_name - "kernel" for BUS_SVC_KERNEL, "?" if unknown. */
const char *bus_svc_name(bus_svc_t s);

/* bus_svc_set_state - RUNNING, STOPPED or FAILED. Leaving RUNNING answers
 * every queued message: requests get a -ESHUTDOWN reply, events are
 * counted as drops. -EINVAL for an unknown service or state, -EBUSY when
 * the service is in the current call chain. */
int bus_svc_set_state(bus_svc_t s, enum bus_svc_state st);
enum bus_svc_state bus_svc_state(bus_svc_t s);

/* bus_svc_remove - detach (state FREE); pending messages as above. */
int bus_svc_remove(bus_svc_t s);

/* bus_svc_stats - counters of a service; -EINVAL if unknown. */
int bus_svc_stats(bus_svc_t s, struct bus_svc_stats *out);

/* bus_svc_generation - bumped each time the service (re)starts RUNNING,
 * so clients can tell a new instance. */
uint32_t bus_svc_generation(bus_svc_t s);

/*
 * Delivery contracts: what a subscription does when its messages come
 * faster than the service takes them.
 *   BUS_LOSSLESS  nothing is overwritten: a full queue refuses the copy
 *                 and the publisher gets -EAGAIN (backpressure)
 *   BUS_LATEST    only the newest value of each topic waits: a new one
 *                 replaces the one still queued (in its place)
 *   BUS_RING      at most n of the subscription's messages wait: a new
 *                 one past n drops the oldest
 * A copy refused or overwritten counts as dropped for the subscription
 * and the topic, and the subscription's next delivered message carries
 * the count in its gap field (GAP(k)). For every subscription and every
 * topic: published = delivered + dropped + queued (bus_sub_stats,
 * bus_topic_stats). Interrupt events are never dropped: on an interrupt
 * topic every subscription is lossless (the line's count coalesces).
 */
enum bus_delivery {
	BUS_LOSSLESS = 0,
	BUS_LATEST = 1,
	BUS_RING = 2,
};
#define BUS_RING_MAX	1024

struct bus_sub_stats {
	uint64_t published;	/* copies offered to it */
	uint64_t delivered;	/* handler runs */
	uint64_t dropped;	/* refused or overwritten */
	uint32_t queued;	/* waiting now */
	uint32_t gap;		/* lost since its last delivery */
	enum bus_delivery mode;
	uint32_t ring;		/* BUS_RING: n */
};

/* bus_subscribe - deliver events whose topic matches pattern to s.
 * -EINVAL (bad pattern, with the reason in *why if why is not NULL, or
 * unknown service), -ENOSPC (BUS_SVC_SUBS_MAX patterns of s already),
 * -ENOMEM (no memory for a topic's subscriber list: nothing changed),
 * -EEXIST. It costs the topics the pattern names (one, found by hash,
 * for a name; every topic for a wildcard); bus_unsubscribe the same, and
 * removing a service each of its own patterns. */
int bus_subscribe(bus_svc_t s, const char *pattern, const char **why);
int bus_unsubscribe(bus_svc_t s, const char *pattern);

/* bus_subscribe_with - the same with a delivery contract (ring: n for
 * BUS_RING, 1..BUS_RING_MAX; 0 otherwise): -EINVAL "unknown delivery
 * contract" / "ring size out of range" besides bus_subscribe's errors.
 * Where two of a service's patterns match one topic, the one subscribed
 * first decides (and counts). */
int bus_subscribe_with(bus_svc_t s, const char *pattern,
		       enum bus_delivery mode, uint32_t ring, const char **why);

/* bus_sub_stats - the counters of s's k-th subscription (in the order
 * they were made) and its pattern (into pattern, BUS_NAME_MAX bytes, if
 * not NULL): 0, or -ENOENT past the last. */
int bus_sub_stats(bus_svc_t s, unsigned int k, char *pattern,
		  struct bus_sub_stats *out);

/* ---- delivery -----------------------------------------------------------
 * The sender is the service whose handler is running (BUS_SVC_KERNEL
 * outside handlers). prio is 0..BUS_PRIOS-1 or BUS_PRIO_INHERIT: the
 * priority of the message being handled, or the sender's own default
 * outside a handler. len > BUS_INLINE_MAX is -E2BIG.
 */

/* bus_publish - queue an event to every subscriber of topic. Returns how
 * many got it; -EPERM if a routing rule refused it to a subscriber, else
 * -EAGAIN if a subscriber's queue (or the pool) was full: either way the
 * others still got it, and each refusal counts a drop for that service
 * and for the topic. With no subscriber the rules still judge it (as
 * sent to no service: a rule naming dst= cannot match): 0, or -EPERM /
 * -EAGAIN counted as a drop of the topic; a redirect rule's target gets
 * it (1), a mirror rule's a copy. */
int bus_publish(bus_topic_t topic, int prio, const void *data, size_t len);

/* bus_send - queue an event to one service. 0, -EAGAIN (full: a drop is
 * counted), -ESHUTDOWN (not running), -EINVAL. */
int bus_send(bus_svc_t dst, bus_topic_t topic, int prio, const void *data,
	     size_t len);

/* bus_request - queue a request; its reply comes back to the sender as a
 * BUS_REPLY message with the returned correlation id (> 0). Errors as
 * bus_send. From handler context only (a thread uses bus_call_wait). */
int bus_request(bus_svc_t dst, bus_topic_t topic, int prio, const void *data,
		size_t len);

/*
 * bus_call - request/reply, now. In handler context the target's handler
 * runs inline, at the caller's priority, and its reply is in *reply on
 * return. Returns the reply's status (0 or the handler's negative errno),
 * or before any run: -EDEADLK if the target is already in the current
 * call chain (a re-entry, refused so no deadlock can form; also past
 * BUS_CHAIN_MAX nested calls), -ESHUTDOWN if it is not running, -EINVAL,
 * -E2BIG. Outside handler context it behaves the same (the kernel's boot
 * code calls services this way).
 */
int bus_call(bus_svc_t dst, bus_topic_t topic, const void *data, size_t len,
	     struct bus_msg *reply);

/*
 * Blocking calls from threads. A thread cannot run a handler inline (it
 * is not on the dispatcher's call chain), so its request is queued and
 * the thread blocks until the reply or a timeout. How a thread blocks and
 * is woken belongs to the scheduler, which supplies these operations:
 */
struct bus_waiter_ops {
	/* Block the calling thread until wake(ctx) or the bus clock reaches
	 * deadline (0: no deadline). Returns 0 when woken, -ETIMEDOUT when the deadline
	 * passed. Thread context. */
	int (*block)(void *ctx, uint64_t deadline);
	/* Make the thread blocked in block(ctx) runnable. Called by the
	 * dispatcher when the reply arrives (handler context). */
	void (*wake)(void *ctx);
};

#define BUS_WAITERS_MAX 32

/*
 * bus_call_wait - request/reply from thread context. Queues the request
 * (at prio, as bus_send would), blocks through ops until the reply comes
 * or timeout clock ticks pass (0: no timeout), and returns the reply's status with the
 * reply in *reply; or -ETIMEDOUT (a reply that arrives later is counted
 * as a drop of its topic, never delivered to anyone else), -EDEADLK from
 * handler context (handlers use bus_call), -ENOSPC when BUS_WAITERS_MAX
 * threads are waiting, or bus_send's errors.
 */
int bus_call_wait(bus_svc_t dst, bus_topic_t topic, int prio,
		  const void *data, size_t len, struct bus_msg *reply,
		  uint64_t timeout, const struct bus_waiter_ops *ops,
		  void *ctx);

/*
 * Sending in another's name: the same as bus_publish, bus_send and
 * bus_call_wait, with src as the sender instead of the kernel. For the
 * system-call gateway, which posts a user process's messages as that
 * process's service (aegis/proc.h), so routing rules see who sent them.
 * Outside handlers only (-EDEADLK); src must exist (-EINVAL). A reply
 * that comes after bus_call_wait_as gave up goes to src's handler.
 */
int bus_publish_as(bus_svc_t src, bus_topic_t topic, int prio,
		   const void *data, size_t len);
int bus_send_as(bus_svc_t src, bus_svc_t dst, bus_topic_t topic, int prio,
		const void *data, size_t len);
int bus_call_wait_as(bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		     int prio, const void *data, size_t len,
		     struct bus_msg *reply, uint64_t timeout,
		     const struct bus_waiter_ops *ops, void *ctx);

/* ---- dispatcher -------------------------------------------------------- */

/* bus_dispatch - deliver the most urgent pending message (interrupt events
 * first, then priority 0..7, FIFO within one). Returns 1 if one was
 * delivered, 0 if nothing was pending, -EBUSY from inside a handler. */
int bus_dispatch(void);

/* bus_run - dispatch until nothing is pending or max messages ran;
 * returns how many ran. */
unsigned int bus_run(unsigned int max);

/* bus_pending - messages queued now (all priorities, plus interrupt lines
 * with events waiting). */
unsigned int bus_pending(void);

/* bus_current - the service whose handler is running, or BUS_SVC_KERNEL. */
/* bus_run_as - run fn(ctx) as service s, as if it were s's handler: on
 * the call chain (its calls, and the deadlock rule, count it), and what
 * it posts comes from s. The registry runs each service's init so.
 * fn's result; -EINVAL (no such service), -EDEADLK (s is in the chain).
 * The chain is as before on return, whatever fn did. */
int bus_run_as(bus_svc_t s, int (*fn)(void *ctx), void *ctx);

bus_svc_t bus_current(void);

/* bus_set_thread_waiter - how the running thread, if the code calling
 * the bus is one, waits: fn returns the waiter ops and sets *ctx, or
 * returns NULL outside thread context. With it, bus_call from a thread
 * on a CPU where dst may not run (a service without BUS_SVC_F_ANYCPU,
 * on a CPU other than the boot CPU) queues the request and blocks the
 * thread until the reply (bus_call_wait without a timeout) instead of
 * refusing with -EXDEV: threads run on every CPU, and call services
 * through the same clients wherever they run. The scheduler sets it. */
struct bus_waiter_ops;
typedef const struct bus_waiter_ops *(*bus_thread_waiter_fn)(void **ctx);
void bus_set_thread_waiter(bus_thread_waiter_fn fn);

/* ---- causal lineage ------------------------------------------------------
 * Every message has an id (1, 2, ...: unique until 2^32 messages have
 * wrapped it), the id of the message whose handler posted it (its parent)
 * and a trace id, the id of its tree's root. A message posted outside any
 * handler (boot code, a thread, an interrupt, the bus's own turn of an
 * interrupt line into events) is a root: parent 0, trace its own id. Each
 * copy of a publish is a message of its own (one per subscriber); the
 * reply to a queued request is the request's child, as is what the bus
 * posts about a handler (its fault's svc.failed); an inline bus_call is a
 * message too, its handler's posts its children. Messages posted in
 * another's name (the _as calls, a process's) are children of that
 * service's cause (bus_svc_set_cause), or roots when it has none. The
 * trace keeps all three (aegis/trace.h); the lineage travels beside the
 * message, not in its 64 bytes.
 */
struct bus_lineage {
	uint32_t id;
	uint32_t parent;	/* 0: a root */
	uint32_t trace;		/* the root's id */
};

/* bus_lineage_current - the lineage of the message whose handler runs
 * (the innermost inline call's); all zero outside handlers. */
void bus_lineage_current(struct bus_lineage *out);

/* bus_svc_set_cause - what s's messages posted in its name descend from
 * from now on (a process: the message it received last); NULL or an id
 * 0: roots. -EINVAL for no such service. */
int bus_svc_set_cause(bus_svc_t s, const struct bus_lineage *l);

/* ---- interrupts ---------------------------------------------------------
 * bus_irq_post - post an interrupt event for line (0..BUS_IRQ_LINES-1):
 * lock-free, wait-free, callable from interrupt context. Repeats of a
 * line not yet delivered coalesce into one event carrying the count, so
 * nothing is ever dropped. The dispatcher publishes it, before any other
 * message, as topic "hw.irq.<line>" (or the name given to bus_irq_name)
 * at priority 0 with payload struct bus_irq_event; the message's ts is
 * the bus clock at the first interrupt of the event (read here), so a
 * subscriber sees its latency from the top half as now - ts.
 * Returns 0, or -EINVAL for a line out of range.
 */
struct bus_irq_event {
	uint32_t line;
	uint32_t count;		/* interrupts coalesced into this event */
};

int bus_irq_post(unsigned int line);

/* bus_irq_name - name the topic of a line ("hw.irq.uart0"). Boot. */
int bus_irq_name(unsigned int line, const char *topic);

/* ---- who waits on whom ------------------------------------------------
 * bus_waitfor - the wait-for graph as text, one "waitfor: ..." line each:
 * the handler running and for how long, the inline calls above it, every
 * thread blocked in bus_call_wait (who, on which service and topic, how
 * long), every service with queued messages and how long its queue has
 * not moved. "waitfor: nothing waits" when idle. Times in ms once the
 * watchdog knows the clock's rate, else in clock ticks. Returns the
 * length. Thread or handler context (/sys/bus/waitfor).
 *
 * bus_watchdog_set - check, from the interrupt path (bus_irq_post: every
 * timer tick), for a handler running longer than ticks, or a queue that
 * has not moved for that long, and then print "watchdog: ..." and the
 * graph through sink, once for each such episode. ticks 0: off.
 * bus_watchdog_fired counts the reports. bus_watchdog_check is the check
 * itself (interrupt context; tests).
 */
typedef void (*bus_watch_sink_fn)(const char *line);
int bus_waitfor(char *buf, size_t size);
void bus_watchdog_set(uint64_t ticks, uint64_t ticks_per_ms,
		      bus_watch_sink_fn sink);
/* bus_watchdog_set_ms - the period in ms, with the rate and sink set
 * before (-ENODEV if none); bus_watchdog_ms - the period in ms. */
int bus_watchdog_set_ms(uint32_t ms);
uint32_t bus_watchdog_ms(void);
uint64_t bus_watchdog_period(void);
uint64_t bus_watchdog_fired(void);
void bus_watchdog_check(uint64_t now);

/* ---- counters ----------------------------------------------------------- */

/* The message pool: BUS_POOL_SIZE static slots, grown 64 at a time from
 * bus memory (bus_set_mem) when all are taken, given back when every
 * slot is free again. */
struct bus_pool_stats {
	uint32_t slots;		/* now */
	uint32_t free, queued;
	uint32_t slots_max;	/* the most there ever were */
	uint64_t grows, shrinks;	/* chunks taken; returns of all grown */
	uint64_t grow_fails;	/* no memory (or QCHUNKS_MAX reached) */
};
void bus_pool_stats(struct bus_pool_stats *out);

struct bus_topic_stats {
	uint64_t published;	/* publish/send/request calls on it */
	uint64_t seq;		/* events published: the last sequence number */
	uint64_t copies;	/* messages offered to a receiver */
	uint64_t delivered;	/* handler runs for it (and replies handed to
				 * waiting threads) */
	uint64_t drops;		/* copies refused, overwritten or flushed */
	uint64_t queued;	/* copies waiting now */
	/* copies = delivered + drops + queued, always */
};

int bus_topic_stats(bus_topic_t t, struct bus_topic_stats *out);

#endif
