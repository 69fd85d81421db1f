/*
 * aegis/types.h - fixed-width types and small helpers shared by all Aegis C
 * code, kernel and host builds alike.
 */
#ifndef AEGIS_TYPES_H
#define AEGIS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;	/* a physical address */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define __unused	__attribute__((unused))
#define __used		__attribute__((used))
#define __noreturn	__attribute__((noreturn))
#define __printf(f, a)	__attribute__((format(printf, f, a)))
#define __section(s)	__attribute__((section(s)))
#define __aligned(n)	__attribute__((aligned(n)))

#endif
