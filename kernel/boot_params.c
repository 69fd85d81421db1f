/*
 * boot_params.c - the kernel command line.
 *
 * The tokenizer and the value checks are one pure function,
 * bootparam_parse(), tested on the host with its own tables; the kernel
 * applies it to the options collected from the aegis_bootparams section.
 */
#include <string.h>
#include <aegis/bootparam.h>
#include <aegis/kprintf.h>

#define TOKEN_MAX 256

struct parser {
	bootparam_warn_fn warn;
	void *ctx;
	int complaints;
};

static void complain(struct parser *p, const char *fmt, ...) __printf(2, 3);

static void complain(struct parser *p, const char *fmt, ...)
{
	char msg[TOKEN_MAX + 96];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->complaints++;
	if (p->warn)
		p->warn(msg, p->ctx);
}

/* Strict unsigned parse: decimal or 0x hex, whole token, no overflow. */
static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -1;
		v = v * base + d;
		if (v > 0xffffffffu)
			return -2;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_flag(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "on", "yes", "true" };
	static const char *const no[] = { "0", "off", "no", "false" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* val: NULL for "name" alone; quoted: the value was written in quotes,
 * so an empty one was meant ("name=\"\""), unlike a bare "name=". */
static void apply(struct parser *p, const struct bootparam *bp,
		  const char *val, bool quoted)
{
	uint32_t u;
	bool b;
	int rc;

	switch (bp->type) {
	case BP_FLAG:
		if (!val)
			b = true;
		else if (parse_flag(val, &b)) {
			complain(p, "bootparam: %s=%s is not a flag value "
				 "(1/0, on/off, yes/no), keeping default",
				 bp->name, val);
			return;
		}
		*(bool *)bp->var = b;
		return;
	case BP_UINT:
		if (!val) {
			complain(p, "bootparam: %s needs a value (%u..%u), "
				 "keeping default", bp->name, bp->min, bp->max);
			return;
		}
		rc = parse_u32(val, &u);
		if (rc == 0 && (u < bp->min || u > bp->max))
			rc = -2;
		if (rc == -1) {
			complain(p, "bootparam: %s=%s is not a number, keeping "
				 "default %u", bp->name, val,
				 *(uint32_t *)bp->var);
			return;
		}
		if (rc == -2) {
			complain(p, "bootparam: %s=%s out of range %u..%u, "
				 "keeping default %u", bp->name, val, bp->min,
				 bp->max, *(uint32_t *)bp->var);
			return;
		}
		*(uint32_t *)bp->var = u;
		return;
	case BP_STRING:
		if (!val || (!*val && !quoted)) {
			complain(p, "bootparam: %s needs a value, keeping "
				 "default", bp->name);
			return;
		}
		if (strlen(val) >= bp->size) {
			complain(p, "bootparam: %s value longer than %u bytes, "
				 "keeping default", bp->name, bp->size - 1);
			return;
		}
		memcpy(bp->var, val, strlen(val) + 1);
		return;
	case BP_FUNC: {
		const char *why = "rejected";

		if (!val || !*val) {
			complain(p, "bootparam: %s needs a value", bp->name);
			return;
		}
		if (bp->fn(val, &why))
			complain(p, "bootparam: %s=%s: %s; ignored", bp->name,
				 val, why);
		return;
	}
	case BP_ENUM:
		for (u = 0; val && bp->choices[u]; u++) {
			if (strcmp(val, bp->choices[u]) == 0) {
				*(uint32_t *)bp->var = u;
				return;
			}
		}
		complain(p, "bootparam: %s=%s is not one of its choices, "
			 "keeping default %s", bp->name, val ? val : "",
			 bp->choices[*(uint32_t *)bp->var]);
		return;
	}
}

int bootparam_parse(const struct bootparam *table, size_t n,
		    const char *cmdline, bootparam_warn_fn warn, void *ctx)
{
	struct parser p = { warn, ctx, 0 };
	char tok[TOKEN_MAX];
	const char *s = cmdline ? cmdline : "";

	for (;;) {
		size_t len = 0;
		bool quoted = false, toolong = false, had_quotes = false;
		char *eq, *val;
		size_t i;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		/* One token; quotes group spaces and are removed. */
		for (; *s && (quoted || (*s != ' ' && *s != '\t' &&
					 *s != '\n')); s++) {
			if (*s == '"') {
				quoted = !quoted;
				had_quotes = true;
				continue;
			}
			if (len + 1 < sizeof(tok))
				tok[len++] = *s;
			else
				toolong = true;
		}
		tok[len] = '\0';
		if (quoted) {
			complain(&p, "bootparam: unterminated "
				 "quote in '%s', ignored", tok);
			continue;
		}
		if (toolong) {
			complain(&p, "bootparam: option '%.32s...' longer than "
				 "%zu bytes, ignored", tok, sizeof(tok) - 1);
			continue;
		}
		if (strcmp(tok, "--") == 0)
			break;
		eq = strchr(tok, '=');
		val = NULL;
		if (eq) {
			*eq = '\0';
			val = eq + 1;
		}
		for (i = 0; i < n; i++)
			if (strcmp(table[i].name, tok) == 0)
				break;
		if (i == n) {
			complain(&p, "bootparam: unknown option '%s', ignored",
				 tok);
			continue;
		}
		apply(&p, &table[i], val, had_quotes);
	}
	return p.complaints;
}
