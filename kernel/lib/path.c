/*
 * path.c - a path as the Linux personality's calls take it, made into
 * the node namespace's form (aegis/linux.h: path_resolve): absolute,
 * one '/' between names, no "." or ".." left. Pure.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/linux.h>

int path_resolve(const char *in, const char *cwd, char *out, size_t size)
{
	size_t n = 0;
	const char *p;

	if (!in || !cwd || size < 2)
		return -AE_EINVAL;
	if (!in[0])
		return -AE_ENOENT;	/* Linux: an empty path names nothing */
	out[n++] = '/';
	/* a relative path starts where the process works */
	for (int pass = in[0] == '/' ? 1 : 0; pass < 2; pass++) {
		for (p = pass ? in : cwd; *p;) {
			const char *e;
			size_t len;

			while (*p == '/')
				p++;
			e = p;
			while (*e && *e != '/')
				e++;
			len = (size_t)(e - p);
			if (len == 0 || (len == 1 && p[0] == '.')) {
				/* nothing, or "." */
			} else if (len == 2 && p[0] == '.' && p[1] == '.') {
				/* "..": back one name; the root's is itself */
				while (n > 1 && out[n - 1] != '/')
					n--;
				if (n > 1)
					n--;
			} else {
				if (n > 1) {
					if (n + 1 >= size)
						return -AE_ENAMETOOLONG;
					out[n++] = '/';
				}
				if (n + len >= size)
					return -AE_ENAMETOOLONG;
				memcpy(out + n, p, len);
				n += len;
			}
			p = e;
		}
	}
	out[n] = '\0';
	return 0;
}
