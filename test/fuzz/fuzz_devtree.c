/*
 * fuzz_devtree.c - libFuzzer target for the device-tree path: whatever
 * bytes arrive, the devtree enumerator (services/devtree/enumerate.c)
 * either refuses them with a reason or enumerates, matches and claims
 * without reading or writing out of bounds (ASan, UBSan).
 *
 *	build/fuzz/fuzz-devtree CORPUS_DIR... -max_total_time=N
 *
 * `scons test` runs it briefly from the dtc-compiled fixtures
 * (test/fuzz/run_fuzz.py).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../../services/devtree/dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dt_tree tree;
static uint64_t blob[16384];	/* 128 KiB, 8-byte aligned */

static const struct dt_driver drivers[] = {
	{ "uart", (const char *const[]){ "arm,pl011", "ns16550a", NULL } },
	{ "gic", (const char *const[]){ "arm,cortex-a15-gic", "arm,gic-v3",
					NULL } },
	{ "virtio", (const char *const[]){ "virtio,mmio", NULL } },
	{ "any", (const char *const[]){ "test,uart", "test,timer", NULL } },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;

	if (size > sizeof(blob))
		return 0;
	memcpy(blob, data, size);
	if (dt_enumerate(&tree, blob, size, &why) == 0) {
		dt_match(&tree, drivers, sizeof(drivers) / sizeof(drivers[0]));
		dt_claim(&tree);
		for (uint32_t i = 0; i < tree.n; i++)
			(void)dt_find(&tree, tree.dev[i].path);
	}
	return 0;
}
