/*
 * cpio.c - the newc ("070701") cpio archive: a 110-byte header of ASCII
 * hex fields, the name (NUL-terminated) padded to 4 bytes, the file's
 * data padded to 4 bytes, and a last entry named "TRAILER!!!". What
 * `cpio -o -H newc` and tools/mkinitrd.py write. See aegis/elf.h.
 */
#include <string.h>
#include <aegis/elf.h>
#include <aegis/errno.h>

#define HDR 110

static int hex8(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -AE_EBADMSG;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int cpio_next(const void *a, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why)
{
	const char *p = (const char *)a + *off;
	uint32_t f[13];
	size_t name_at, data_at, end;

	if (*off > len || len - *off < HDR) {
		*why = "archive ends inside a header";
		return -AE_EBADMSG;
	}
	if (memcmp(p, "070701", 6) != 0) {
		*why = "not a newc cpio header (magic 070701)";
		return -AE_EBADMSG;
	}
	for (int i = 0; i < 13; i++)
		if (hex8(p + 6 + 8 * i, &f[i])) {
			*why = "header field is not hex";
			return -AE_EBADMSG;
		}
	/* f[1] mode, f[6] file size, f[11] name size */
	name_at = *off + HDR;
	if (f[11] == 0 || f[11] > len - name_at) {
		*why = "name runs past the end of the archive";
		return -AE_EBADMSG;
	}
	if (f[11] > sizeof(e->name)) {
		*why = "name longer than 63 bytes";
		return -AE_EBADMSG;
	}
	if (p[HDR + f[11] - 1] != '\0') {
		*why = "name not NUL-terminated";
		return -AE_EBADMSG;
	}
	data_at = pad4(name_at + f[11]);
	if (data_at > len || f[6] > len - data_at) {
		*why = "file runs past the end of the archive";
		return -AE_EBADMSG;
	}
	end = pad4(data_at + f[6]);
	memset(e, 0, sizeof(*e));
	memcpy(e->name, p + HDR, f[11]);
	if (strcmp(e->name, "TRAILER!!!") == 0)
		return 0;
	e->data = (const char *)a + data_at;
	e->size = f[6];
	e->mode = f[1];
	*off = end > len ? len : end;
	return 1;
}

int cpio_find(const void *a, size_t len, const char *name,
	      struct cpio_entry *e, const char **why)
{
	size_t off = 0;
	int rc;

	while ((rc = cpio_next(a, len, &off, e, why)) == 1)
		if (strcmp(e->name, name) == 0)
			return 0;
	return rc ? rc : -AE_ENOENT;
}
