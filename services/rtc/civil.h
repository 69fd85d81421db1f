/*
 * civil.h - seconds since 1970 as a UTC calendar date and time (pure;
 * tested on the host).
 */
#ifndef AEGIS_RTC_CIVIL_H
#define AEGIS_RTC_CIVIL_H

#include <aegis/types.h>

struct civil_time {
	int64_t year;
	uint32_t month, day;		/* 1..12, 1..31 */
	uint32_t hour, min, sec;
};

/* civil_from_epoch - the date and time of secs seconds after
 * 1970-01-01 00:00:00 UTC (proleptic Gregorian calendar). */
void civil_from_epoch(uint64_t secs, struct civil_time *t);

/* civil_format - "YYYY-MM-DD HH:MM:SS UTC\n" into buf; as ksnprintf. */
int civil_format(uint64_t secs, char *buf, size_t size);

#endif
