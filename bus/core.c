/*
 * core.c - the bus's message path as one translation unit: the files
 * below are compiled together, so the compiler sees publish, queue,
 * contract check, dispatch and trace record as one unit and inlines
 * across them (their small functions cost a call each otherwise). The
 * files stay separate for reading; this is how they are built. Routing
 * (route.c), grants, the watchdog, memory and service lists are not on
 * the message path and are compiled on their own.
 */
#include "topic.c"
#include "queue.c"
#include "irq.c"
#include "contract.c"
#include "trace.c"
#include "bus.c"
