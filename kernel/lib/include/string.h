/*
 * string.h - the kernel library's memory and string functions.
 *
 * Kernel builds only: this directory is on the include path of the
 * freestanding kernel, so arch-neutral code includes <string.h> and gets
 * these in the kernel and the C library's in host builds. The compiler may
 * also emit calls to memcpy/memset/memmove/memcmp itself.
 */
#ifndef AEGIS_KLIB_STRING_H
#define AEGIS_KLIB_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
unsigned long strtoul(const char *s, char **end, int base);

#endif
