/*
 * pthreads.c - glibc's threads, unmodified, checked one by one: a static
 * glibc program (built with the arch's gcc -static -pthread, as the
 * Linux benchmark is) that makes threads with pthread_create (glibc's
 * own stacks: mmap PROT_NONE, then mprotect; clone with CLONE_THREAD),
 * and uses mutexes, a condition variable, a semaphore, a barrier,
 * thread-local storage, pthread_kill, detached threads, a small stack
 * of its own and pthread_join's results. Under Aegis (case
 * linux-pthreads) and under Linux (test/unit/linux_reference.py); each
 * expectation here is Linux's.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NT	4
#define ROUNDS	10000

static int checks, fails;

#define CHECK(cond)							\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			fails++;					\
			printf("pthreads: line %d: %s\n", __LINE__, #cond); \
		}							\
	} while (0)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long mine;		/* thread-local */
static long seen_mine[NT], seen_tid[NT];
static pthread_barrier_t barrier;

static void *adder(void *arg)
{
	long i = (long)arg;

	mine = i + 100;
	for (int k = 0; k < ROUNDS; k++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	pthread_barrier_wait(&barrier);	/* all have counted */
	seen_mine[i] = mine;
	seen_tid[i] = syscall(SYS_gettid);
	return (void *)(i * 10);
}

/* a queue a producer fills and a consumer empties, under a condition
 * variable */
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static int queue[8], qn, produced, consumed_sum;

static void *producer(void *arg)
{
	(void)arg;
	for (int v = 1; v <= 100; v++) {
		pthread_mutex_lock(&lock);
		while (qn == 8)
			pthread_cond_wait(&more, &lock);
		queue[qn++] = v;
		produced++;
		pthread_cond_broadcast(&more);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (int got = 0; got < 100; got++) {
		pthread_mutex_lock(&lock);
		while (qn == 0)
			pthread_cond_wait(&more, &lock);
		consumed_sum += queue[--qn];
		pthread_cond_broadcast(&more);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static sem_t sem;
static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = sig;
}

static void *poster(void *arg)
{
	(void)arg;
	for (int k = 0; k < 5; k++)
		sem_post(&sem);
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	while (!got_usr1)
		usleep(1000);
	return (void *)7;
}

static volatile int detached_ran;

static void *detached(void *arg)
{
	(void)arg;
	detached_ran = 1;
	return NULL;
}

int main(void)
{
	pthread_t t[NT], p, c, w, d;
	pthread_attr_t small;
	void *ret;
	struct sigaction sa;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* four adders under one mutex, each with its own TLS and id */
	CHECK(pthread_barrier_init(&barrier, NULL, NT) == 0);
	mine = 1;
	for (long i = 0; i < NT; i++)
		CHECK(pthread_create(&t[i], NULL, adder, (void *)i) == 0);
	for (long i = 0; i < NT; i++) {
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK(ret == (void *)(i * 10));
		CHECK(seen_mine[i] == i + 100);
		CHECK(seen_tid[i] != getpid() && seen_tid[i] > 0);
		for (long j = 0; j < i; j++)
			CHECK(seen_tid[i] != seen_tid[j]);
	}
	CHECK(counter == NT * ROUNDS);
	CHECK(mine == 1);		/* the main thread's own */
	CHECK(syscall(SYS_gettid) == getpid());
	/* a condition variable between a producer and a consumer */
	CHECK(pthread_create(&p, NULL, producer, NULL) == 0);
	CHECK(pthread_create(&c, NULL, consumer, NULL) == 0);
	CHECK(pthread_join(p, NULL) == 0 && pthread_join(c, NULL) == 0);
	CHECK(produced == 100 && consumed_sum == 5050);
	/* a semaphore */
	CHECK(sem_init(&sem, 0, 0) == 0);
	CHECK(pthread_create(&p, NULL, poster, NULL) == 0);
	for (int k = 0; k < 5; k++)
		CHECK(sem_wait(&sem) == 0);
	CHECK(pthread_join(p, NULL) == 0);
	CHECK(sem_trywait(&sem) == -1);
	/* pthread_kill reaches the process's handler */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(pthread_create(&w, NULL, waiter, NULL) == 0);
	CHECK(pthread_kill(w, SIGUSR1) == 0);
	CHECK(pthread_join(w, &ret) == 0 && ret == (void *)7);
	CHECK(got_usr1 == SIGUSR1);
	/* a detached thread, and one on a small stack of its own size */
	CHECK(pthread_create(&d, NULL, detached, NULL) == 0);
	CHECK(pthread_detach(d) == 0);
	CHECK(pthread_attr_init(&small) == 0);
	CHECK(pthread_attr_setstacksize(&small, 256 * 1024) == 0);
	pthread_barrier_destroy(&barrier);
	CHECK(pthread_barrier_init(&barrier, NULL, 1) == 0);	/* alone */
	CHECK(pthread_create(&t[0], &small, adder, (void *)0) == 0);
	CHECK(pthread_join(t[0], &ret) == 0 && ret == (void *)0);
	CHECK(counter == (NT + 1) * ROUNDS);
	for (int k = 0; k < 1000 && !detached_ran; k++)
		usleep(1000);
	CHECK(detached_ran);
	printf("pthreads: %d checks, %d failed\n", checks, fails);
	return fails;
}
