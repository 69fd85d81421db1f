/*
 * drivers_builtin.c - the DRIVER() table the linker collected, and the
 * drivers the HAL carries out (it is Rust: its devices are declared here,
 * next to nothing else, so the device tree shows who drives them).
 */
#include <aegis/driver.h>

extern const struct driver_desc __start_aegis_drivers[];
extern const struct driver_desc __stop_aegis_drivers[];

const struct driver_desc *driver_builtin(size_t *n)
{
	*n = (size_t)(__stop_aegis_drivers - __start_aegis_drivers);
	return __start_aegis_drivers;
}

DRIVER(gic,
       .name = "gic",
       .owner = "hal",
       .compatible = DRIVER_LIST("arm,gic-v3", "arm,cortex-a15-gic",
				 "arm,gic-400"));

DRIVER(ioapic,
       .name = "ioapic",
       .owner = "hal",
       .compatible = DRIVER_LIST("intel,ioapic"));

DRIVER(lapic,
       .name = "lapic",
       .owner = "hal",
       .compatible = DRIVER_LIST("intel,lapic"));

DRIVER(arch_timer,
       .name = "arch-timer",
       .owner = "hal",
       .compatible = DRIVER_LIST("arm,armv8-timer", "arm,armv7-timer"));

DRIVER(lapic_timer,
       .name = "lapic-timer",
       .owner = "hal",
       .compatible = DRIVER_LIST("intel,lapic-timer"));

DRIVER(psci,
       .name = "psci",
       .owner = "hal",
       .compatible = DRIVER_LIST("arm,psci-1.0", "arm,psci-0.2",
				 "arm,psci"));

DRIVER(debug_exit,
       .name = "debug-exit",
       .owner = "hal",
       .compatible = DRIVER_LIST("qemu,isa-debug-exit"));
