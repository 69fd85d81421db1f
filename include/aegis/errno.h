/*
 * aegis/errno.h - the one error vocabulary of Aegis.
 *
 * Every function that can fail returns 0 (or a non-negative count) on
 * success and a negative code from this list on failure: never -1, never a
 * bool-or-errno mix. The list is an X-macro so that the names and the
 * descriptions below come from the same place (errno_name()).
 */
#ifndef AEGIS_ERRNO_H
#define AEGIS_ERRNO_H

/*	name		value	description */
#define AEGIS_ERRNO_LIST(X)						\
	X(EPERM,	1,	"operation not permitted")		\
	X(ENOENT,	2,	"no such entry")			\
	X(ESRCH,	3,	"no such process")			\
	X(EINTR,	4,	"interrupted")			\
	X(EIO,		5,	"input/output error")			\
	X(ENXIO,	6,	"no such device or address")		\
	X(E2BIG,	7,	"argument list too long")		\
	X(EBADF,	9,	"not an open file")			\
	X(ECHILD,	10,	"no such child process")		\
	X(ENOEXEC,	8,	"bad executable or boot format")	\
	X(EAGAIN,	11,	"try again (queue full)")		\
	X(ENOMEM,	12,	"out of memory")			\
	X(EACCES,	13,	"permission denied")			\
	X(EFAULT,	14,	"bad address")				\
	X(EBUSY,	16,	"resource busy")			\
	X(EEXIST,	17,	"already exists")			\
	X(EXDEV,	18,	"service bound to the boot CPU")	\
	X(ENODEV,	19,	"no such device")			\
	X(ENOTDIR,	20,	"not a directory")			\
	X(EISDIR,	21,	"is a directory")			\
	X(EINVAL,	22,	"invalid argument")			\
	X(ENFILE,	23,	"too many open files in the system")	\
	X(EMFILE,	24,	"too many open files")			\
	X(ENOTTY,	25,	"not a request this device takes")	\
	X(EFBIG,	27,	"file too large")			\
	X(ENOSPC,	28,	"no space left")			\
	X(ESPIPE,	29,	"not a file one can seek in")	\
	X(EROFS,	30,	"read-only file system")		\
	X(EMLINK,	31,	"too many links")			\
	X(EPIPE,	32,	"broken pipe")				\
	X(ERANGE,	34,	"value out of range")			\
	X(ENAMETOOLONG,	36,	"name too long")			\
	X(EDEADLK,	35,	"call would re-enter a busy service")	\
	X(ENOSYS,	38,	"function not implemented")		\
	X(ENOTEMPTY,	39,	"directory not empty")			\
	X(ELOOP,	40,	"too many symbolic links")		\
	X(EOVERFLOW,	75,	"value too large")			\
	X(EBADMSG,	74,	"malformed data")			\
	X(EOPNOTSUPP,	95,	"operation not supported")		\
	X(ESHUTDOWN,	108,	"service stopped or failed")		\
	X(ETIMEDOUT,	110,	"timed out")				\
	X(ESTALE,	116,	"stale handle: its service restarted")	\
	X(ENOTRECOVERABLE, 131,	"handler fault: state not recoverable")

enum aegis_errno {
#define AEGIS_ERRNO_ENUM(name, val, desc) AE_##name = (val),
	AEGIS_ERRNO_LIST(AEGIS_ERRNO_ENUM)
#undef AEGIS_ERRNO_ENUM
};

/*
 * errno_name - symbolic name of an error code ("EINVAL"); accepts the code
 * negative or positive. Returns "E?" for a code not in the list.
 * Any context.
 */
const char *errno_name(int err);

/* errno_desc - one-line description of an error code. Any context. */
const char *errno_desc(int err);

#endif
