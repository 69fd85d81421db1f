/*
 * service_builtin.c - the SERVICE() descriptors linked into the kernel
 * (the aegis_services section). Kernel only: host tests pass their own
 * tables to service_start_all().
 */
#include <aegis/service.h>

extern const struct service_desc __start_aegis_services[];
extern const struct service_desc __stop_aegis_services[];

const struct service_desc *service_builtin(size_t *n)
{
	*n = (size_t)(__stop_aegis_services - __start_aegis_services);
	return __start_aegis_services;
}
