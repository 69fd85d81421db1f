/*
 * civil.c - calendar arithmetic for the rtc service (see civil.h): days
 * counted in 400-year eras of 146097 days, years starting in March so
 * the leap day is the last of its year.
 */
#include <aegis/kprintf.h>
#include "civil.h"

void civil_from_epoch(uint64_t secs, struct civil_time *t)
{
	int64_t z = (int64_t)(secs / 86400) + 719468;
	uint64_t rem = secs % 86400;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;			/* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;			/* March = 0 */

	t->day = (uint32_t)(doy - (153 * mp + 2) / 5 + 1);
	t->month = (uint32_t)(mp < 10 ? mp + 3 : mp - 9);
	t->year = yoe + era * 400 + (t->month <= 2);
	t->hour = (uint32_t)(rem / 3600);
	t->min = (uint32_t)(rem / 60 % 60);
	t->sec = (uint32_t)(rem % 60);
}

int civil_format(uint64_t secs, char *buf, size_t size)
{
	struct civil_time t;

	civil_from_epoch(secs, &t);
	return ksnprintf(buf, size, "%04lld-%02u-%02u %02u:%02u:%02u UTC\n",
			 (long long)t.year, t.month, t.day, t.hour, t.min,
			 t.sec);
}
