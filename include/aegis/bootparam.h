/*
 * aegis/bootparam.h - kernel command-line options.
 *
 * Each subsystem declares its own options next to the variable they set:
 *
 *	static uint32_t loglevel = 6;
 *	BOOT_PARAM_UINT(loglevel, "loglevel", 0, 7, "console log level");
 *
 * The descriptors land in the "aegis_bootparams" linker section, so the
 * parser finds every option without a central list. The variable's initial
 * value is the default.
 *
 * Syntax: options separated by spaces; "name=value", or "name" alone for a
 * flag (same as name=1); a value may be double-quoted to hold spaces;
 * everything after a lone "--" is not for the kernel and is ignored.
 * A string option needs a value: "name=" alone is refused, "name=\"\""
 * sets it empty.
 * An unknown name, a malformed or out-of-range value is reported as one
 * line ("bootparam: ...") and the option keeps its default: the kernel
 * always boots. The same name twice: the last one wins.
 */
#ifndef AEGIS_BOOTPARAM_H
#define AEGIS_BOOTPARAM_H

#include <aegis/types.h>

enum bootparam_type {
	BP_FLAG,	/* bool: "name", "name=1|0|on|off|yes|no|true|false" */
	BP_UINT,	/* uint32_t in [min, max], decimal or 0x hex */
	BP_STRING,	/* char[size], copied; too long is an error */
	BP_ENUM,	/* uint32_t index into choices[] (NULL-terminated) */
	BP_FUNC,	/* fn(value) for each occurrence: repeatable */
};

struct bootparam {
	const char *name;
	enum bootparam_type type;
	void *var;
	uint32_t size;		/* BP_STRING: buffer size */
	uint32_t min, max;	/* BP_UINT */
	const char *const *choices;	/* BP_ENUM */
	const char *help;
	/* BP_FUNC: 0, or a negative errno with *why set; value not NULL */
	int (*fn)(const char *value, const char **why);
};

#define BOOT_PARAM_SECTION "aegis_bootparams"

#define BOOT_PARAM_DEFINE(id, ...)					\
	static const struct bootparam __bootparam_##id			\
		__section(BOOT_PARAM_SECTION) __used __aligned(8) =	\
		{ __VA_ARGS__ }

#define BOOT_PARAM_FLAG(var, name, help)				\
	BOOT_PARAM_DEFINE(var, (name), BP_FLAG, &(var), sizeof(var),	\
			  0, 1, NULL, (help), NULL)
#define BOOT_PARAM_UINT(var, name, lo, hi, help)			\
	BOOT_PARAM_DEFINE(var, (name), BP_UINT, &(var), sizeof(var),	\
			  (lo), (hi), NULL, (help), NULL)
#define BOOT_PARAM_STRING(var, name, help)				\
	BOOT_PARAM_DEFINE(var, (name), BP_STRING, (var), sizeof(var),	\
			  0, 0, NULL, (help), NULL)
#define BOOT_PARAM_ENUM(var, name, choices, help)			\
	BOOT_PARAM_DEFINE(var, (name), BP_ENUM, &(var), sizeof(var),	\
			  0, 0, (choices), (help), NULL)

#define BOOT_PARAM_FUNC(id, name, func, help)				\
	BOOT_PARAM_DEFINE(id, (name), BP_FUNC, NULL, 0, 0, 0, NULL,	\
			  (help), (func))

/* bootparam_warn_fn - receives each complaint as one line without '\n'. */
typedef void (*bootparam_warn_fn)(const char *msg, void *ctx);

/*
 * bootparam_parse - apply cmdline to the options in table[0..n).
 * Returns the number of complaints passed to warn (0 when all was
 * understood). Never fails: the kernel boots with defaults. Boot only,
 * single CPU.
 */
int bootparam_parse(const struct bootparam *table, size_t n,
		    const char *cmdline, bootparam_warn_fn warn, void *ctx);

/* bootparam_table - the options linked into this kernel. */
const struct bootparam *bootparam_table(size_t *n);

/*
 * bootparam_apply - parse the command line against the linked-in table,
 * printing each complaint on the console. Returns the complaint count.
 */
int bootparam_apply(const char *cmdline);

/* bootparam_describe - print every option, its type, range and help. */
void bootparam_describe(void);

#endif
