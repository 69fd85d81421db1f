/*
 * lbench.c - the Linux side of scons bench's comparison: the same figures
 * as Aegis's, measured by a static program that Linux runs as its first
 * process, in the same QEMU configuration (test/bench/qemu_bench.py boots
 * Debian's kernel with it in an initramfs).
 *
 *   null_syscall  getpid through syscall(2) (no vDSO, no caching):
 *                 into the kernel and back
 *   yield_switch  two threads of one process on CPU 0 calling
 *                 sched_yield in turn: each yield is one switch to the
 *                 other (threads, as Aegis's figure is: no change of
 *                 address space)
 *   pingpong_same two threads on CPU 0 passing a byte back and forth
 *                 through two pipes, each blocked in read until the
 *                 other writes: a round trip is two wake-ups (Aegis:
 *                 smp.bus_pingpong_same, an event bounced between two
 *                 services)
 *   pingpong_cross the same with the second thread on CPU 1: each
 *                 wake-up reaches the other CPU (an IPI when it sleeps;
 *                 Aegis: smp.bus_pingpong_cross). Only with two CPUs.
 *
 * and, for the Linux personality (the same binary runs under Aegis, where
 * it stops at the threads: docs/LINUX_ABI.md), before the threads:
 *
 *   fork_exit_wait  fork, the child's _exit(0), the parent's waitpid
 *   fork_exec_wait  the same, the child running busybox true by execve
 *   pipe_4k         4 KiB through a pipe to a child that reads it all
 *   tmpfs_rw_4k     a 4 KiB write or read of a file in /tmp (16 of each
 *                   a round: written, then read back)
 *
 * Each figure: 201 batches, the median and 99th percentile per operation
 * in hundredths of a nanosecond, on lines qemu_bench.py reads:
 *
 *   bench: linux <figure> n=<n> hz=1000000000 median=<c> p99=<c> centicycles
 *
 * (the "cycles" of these lines are nanoseconds: CLOCK_MONOTONIC).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS	201
#define PER	100

static uint64_t v[ROUNDS];

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report_n(const char *figure, unsigned int rounds,
		     unsigned int per)
{
	qsort(v, rounds, sizeof(v[0]), cmp);
	printf("bench: linux %s n=%u hz=1000000000 median=%llu p99=%llu "
	       "centicycles\n", figure, rounds * per,
	       (unsigned long long)v[rounds / 2],
	       (unsigned long long)v[rounds * 99 / 100]);
	fflush(stdout);
}

static void report(const char *figure, unsigned int per)
{
	report_n(figure, ROUNDS, per);
}

/* ---- processes, pipes, files -------------------------------------------- */

#define PROC_ROUNDS	21
#define PROC_PER	4
#define PIPE_PER	64
#define FILE_BLOCKS	16

static int fork_wait(int exec)
{
	for (int r = 0; r < PROC_ROUNDS; r++) {
		uint64_t t0 = now();

		for (int i = 0; i < PROC_PER; i++) {
			int st;
			pid_t pid = fork();

			if (pid < 0)
				return -1;
			if (pid == 0) {
				if (exec)
					execl("/bin/busybox", "true",
					      (char *)NULL);
				_exit(exec ? 127 : 0);
			}
			if (waitpid(pid, &st, 0) != pid || st != 0)
				return -1;
		}
		v[r] = (now() - t0) * 100 / PROC_PER;
	}
	report_n(exec ? "fork_exec_wait" : "fork_exit_wait", PROC_ROUNDS,
		 PROC_PER);
	return 0;
}

static char block[4096];

static int pipe_4k(void)
{
	int fd[2], st;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fd[1]);
		while (read(fd[0], block, sizeof(block)) > 0)
			;
		_exit(0);
	}
	close(fd[0]);
	for (int r = 0; r < PROC_ROUNDS; r++) {
		uint64_t t0 = now();

		for (int i = 0; i < PIPE_PER; i++)
			if (write(fd[1], block, sizeof(block)) !=
			    (ssize_t)sizeof(block))
				return -1;
		v[r] = (now() - t0) * 100 / PIPE_PER;
	}
	close(fd[1]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	report_n("pipe_4k", PROC_ROUNDS, PIPE_PER);
	return 0;
}

static int tmpfs_rw(void)
{
	const char *path = "/tmp/lbench.dat";

	mkdir("/tmp", 01777);	/* Linux's initramfs has none */
	for (int r = 0; r < PROC_ROUNDS; r++) {
		uint64_t t0 = now();
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

		if (fd < 0)
			return -1;
		for (int i = 0; i < FILE_BLOCKS; i++)
			if (write(fd, block, sizeof(block)) !=
			    (ssize_t)sizeof(block))
				return -1;
		lseek(fd, 0, SEEK_SET);
		for (int i = 0; i < FILE_BLOCKS; i++)
			if (read(fd, block, sizeof(block)) !=
			    (ssize_t)sizeof(block))
				return -1;
		close(fd);
		v[r] = (now() - t0) * 100 / (2 * FILE_BLOCKS);
	}
	unlink(path);
	report_n("tmpfs_rw_4k", PROC_ROUNDS, 2 * FILE_BLOCKS);
	return 0;
}

static volatile int stop;

/* Pin the calling thread to one CPU; 0 or an errno. */
static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static int ping[2], pong[2];	/* main -> echo, echo -> main */
static int echo_cpu;

static void *echo(void *arg)
{
	char c;

	(void)arg;
	if (pin(echo_cpu)) {
		close(pong[1]);	/* the main thread's read sees the end */
		return NULL;
	}
	while (read(ping[0], &c, 1) == 1 && c)
		if (write(pong[1], &c, 1) != 1)
			break;
	return NULL;
}

/* A byte to the echo thread on CPU cpu and back, PER times a batch;
 * 0 or -1 (a pipe or a thread that could not be had). */
static int pingpong(const char *figure, int cpu)
{
	pthread_t t;
	char c = 1;

	echo_cpu = cpu;
	if (pipe(ping) || pipe(pong) || pthread_create(&t, NULL, echo, NULL))
		return -1;
	for (int r = -1; r < ROUNDS; r++) {	/* round -1 warms up */
		uint64_t t0 = now();

		for (int i = 0; i < PER; i++)
			if (write(ping[1], &c, 1) != 1 ||
			    read(pong[0], &c, 1) != 1)
				return -1;
		if (r >= 0)
			v[r] = (now() - t0) * 100 / PER;
	}
	c = 0;
	if (write(ping[1], &c, 1) != 1)
		return -1;
	pthread_join(t, NULL);
	close(ping[0]);
	close(ping[1]);
	close(pong[0]);
	close(pong[1]);
	report(figure, PER);
	return 0;
}

static void *yielder(void *arg)
{
	(void)arg;
	pin(0);
	while (!stop)
		sched_yield();
	return NULL;
}

int main(void)
{
	pthread_t other;
	cpu_set_t all;
	int ncpus;

	printf("lbench: up\n");
	fflush(stdout);
	/* the CPUs it may run on, before it pins itself (no /sys here for
	 * sysconf to read) */
	if (sched_getaffinity(0, sizeof(all), &all)) {
		printf("lbench: sched_getaffinity: %s\n", strerror(errno));
		return 1;
	}
	ncpus = CPU_COUNT(&all);
	if (pin(0)) {
		printf("lbench: cannot pin to CPU 0: %s\n", strerror(errno));
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now();

		for (int i = 0; i < PER; i++)
			syscall(SYS_getpid);
		v[r] = (now() - t0) * 100 / PER;
	}
	report("null_syscall", PER);
	if (fork_wait(0) || fork_wait(1) || pipe_4k() || tmpfs_rw()) {
		printf("lbench: processes and files: %s\n", strerror(errno));
		return 1;
	}
	if (pthread_create(&other, NULL, yielder, NULL)) {
		printf("lbench: no second thread\n");
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now();

		for (int i = 0; i < PER; i++)
			sched_yield();
		/* each yield: to the other thread and back, two switches */
		v[r] = (now() - t0) * 100 / (2 * PER);
	}
	stop = 1;
	pthread_join(other, NULL);
	report("yield_switch", 2 * PER);
	if (pingpong("pingpong_same", 0)) {
		printf("lbench: pingpong_same: %s\n", strerror(errno));
		return 1;
	}
	if (ncpus < 2 || !CPU_ISSET(1, &all)) {
		printf("lbench: one CPU: no pingpong_cross\n");
		return 0;
	}
	if (pingpong("pingpong_cross", 1)) {
		printf("lbench: pingpong_cross: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
