/*
 * boot_params_apply.c - the kernel's side of the command line: the table
 * of options linked in from the aegis_bootparams section.
 * (boot_params.c is the pure parser, also built for host tests.)
 */
#include <aegis/bootparam.h>
#include <aegis/kprintf.h>

extern const struct bootparam __start_aegis_bootparams[];
extern const struct bootparam __stop_aegis_bootparams[];

const struct bootparam *bootparam_table(size_t *n)
{
	*n = (size_t)(__stop_aegis_bootparams - __start_aegis_bootparams);
	return __start_aegis_bootparams;
}

static void print_warning(const char *msg, void *ctx)
{
	(void)ctx;
	kprintf("%s\n", msg);
}

int bootparam_apply(const char *cmdline)
{
	size_t n;
	const struct bootparam *t = bootparam_table(&n);

	return bootparam_parse(t, n, cmdline, print_warning, NULL);
}

void bootparam_describe(void)
{
	static const char *const type[] = {
		"flag", "uint", "string", "enum", "list",
	};
	size_t n;
	const struct bootparam *t = bootparam_table(&n);

	for (size_t i = 0; i < n; i++) {
		kprintf("  %-14s %-6s ", t[i].name, type[t[i].type]);
		if (t[i].type == BP_UINT)
			kprintf("%u..%u ", t[i].min, t[i].max);
		kprintf("%s\n", t[i].help);
	}
}
