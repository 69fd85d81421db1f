/* errno.c - names and descriptions of the error codes in aegis/errno.h. */
#include <aegis/errno.h>

struct errno_entry {
	int code;
	const char *name;
	const char *desc;
};

static const struct errno_entry table[] = {
#define AEGIS_ERRNO_ROW(name, val, desc) { (val), #name, (desc) },
	AEGIS_ERRNO_LIST(AEGIS_ERRNO_ROW)
#undef AEGIS_ERRNO_ROW
};

static const struct errno_entry *lookup(int err)
{
	/* Unsigned: negating INT_MIN as an int is undefined. */
	unsigned int u = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	for (unsigned int i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if ((unsigned int)table[i].code == u)
			return &table[i];
	return 0;
}

const char *errno_name(int err)
{
	const struct errno_entry *e = lookup(err);

	return e ? e->name : "E?";
}

const char *errno_desc(int err)
{
	const struct errno_entry *e = lookup(err);

	return e ? e->desc : "unknown error";
}
