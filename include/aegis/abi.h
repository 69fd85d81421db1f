/*
 * aegis/abi.h - what user programs and the kernel agree on beyond the
 * call numbers (aegis/syscalls.h): flags and the structures system calls
 * read or fill. Included by both sides; it needs nothing but stdint.
 * docs/SYSCALL_REFERENCE.md says which call takes what.
 */
#ifndef AEGIS_ABI_H
#define AEGIS_ABI_H

#include <stdint.h>

/* spawn: the child runs without privilege even if its parent has it */
#define ABI_SPAWN_UNPRIV	0x1u

/* map, protect: what user mode may do with the pages (write and
 * execute together are refused) */
#define ABI_PROT_READ		0x1u
#define ABI_PROT_WRITE		0x2u
#define ABI_PROT_EXEC		0x4u

/* lookup: what the name is */
#define ABI_LOOKUP_TOPIC	0u	/* a topic; one under "user." is
					 * made if it does not exist */
#define ABI_LOOKUP_SERVICE	1u	/* a bus service (a process's own
					 * is "user-<name>-<pid>") */

/* open */
#define ABI_O_READ		0x1u
#define ABI_O_WRITE		0x2u
#define ABI_O_DIR		0x4u	/* a directory, for readdir */

/* seek */
#define ABI_SEEK_SET		0u
#define ABI_SEEK_CUR		1u

/* ioctl commands */
#define ABI_RTC_SECONDS		0x7201u	/* /dev/rtcN: int64_t seconds
					 * since 1970-01-01 UTC (8 bytes) */

/* message kinds, as receive reports them */
#define ABI_MSG_EVENT		0u	/* published, or sent to us */
#define ABI_MSG_REQUEST		1u	/* (never queued to a process) */
#define ABI_MSG_REPLY		2u	/* a late answer to a call */

#define ABI_MSG_DATA		40	/* payload bytes in one message */

/* receive fills this */
struct abi_msg {
	uint16_t topic;		/* the topic's id (lookup) */
	uint16_t src;		/* the sender's service id */
	uint8_t kind;		/* ABI_MSG_* */
	uint8_t prio;
	uint16_t len;		/* bytes of data */
	uint64_t ts;		/* when it was sent, in cycles */
	uint8_t data[ABI_MSG_DATA];
	uint32_t seq;		/* an event's sequence number on its topic */
	uint32_t gap;		/* messages to this process lost just before
				 * this one (its queue or mailbox was full) */
};

/* stat fills this */
struct abi_stat {
	uint32_t kind;		/* 1 directory, 2 device, 3 value */
	uint32_t mode;		/* rwxrwxrwx, as 0644 */
	uint32_t uid, gid;
	uint64_t size;
};

/* readdir fills this */
struct abi_dirent {
	char name[32];
	uint32_t kind;
};

_Static_assert(sizeof(struct abi_msg) == 64, "abi_msg");
_Static_assert(sizeof(struct abi_stat) == 24, "abi_stat");
_Static_assert(sizeof(struct abi_dirent) == 36, "abi_dirent");

#endif
