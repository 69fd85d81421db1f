/*
 * klib_rename.h - host unit tests only: forced in front of
 * kernel/lib/string.c so its functions get klib_ names and can be tested
 * against the host C library without replacing it.
 */
#define memcpy klib_memcpy
#define memmove klib_memmove
#define memset klib_memset
#define memcmp klib_memcmp
#define memchr klib_memchr
#define strlen klib_strlen
#define strnlen klib_strnlen
#define strcmp klib_strcmp
#define strncmp klib_strncmp
#define strchr klib_strchr
#define strrchr klib_strrchr
#define strtoul klib_strtoul
#define strstr klib_strstr
