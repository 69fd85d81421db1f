/*
 * aegis/procfs.h - /proc, the proc service's file system (kernel/procfs.c,
 * docs/FILESYSTEM.md): the node requests ns forwards for paths under
 * /proc, answered from the process table (aegis/proc.h: proc_view_*).
 */
#ifndef AEGIS_PROCFS_H
#define AEGIS_PROCFS_H

#include <aegis/bus.h>

/* procfs_handle - the proc service's answer to a node request (and its
 * first look at any message: it mounts /proc once ns runs). */
int procfs_handle(const struct bus_msg *m, struct bus_msg *reply);

#endif
