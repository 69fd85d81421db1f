/*
 * test_dump.c - kernel/lib/dump.c: the CRC against known values, frames
 * written and read back, other console text around and between them,
 * and every kind of damage refused with its reason.
 */
#include <stdio.h>
#include <string.h>
#include <aegis/dump.h>
#include <aegis/errno.h>
#include "unit.h"

START_TEST(test_crc32_known_values)
{
	ck_assert_uint_eq(dump_crc32(0, "", 0), 0);
	ck_assert_uint_eq(dump_crc32(0, "123456789", 9), 0xcbf43926u);
	/* in pieces: the same */
	ck_assert_uint_eq(dump_crc32(dump_crc32(0, "1234", 4), "56789", 5),
			  0xcbf43926u);
}
END_TEST

START_TEST(test_frame_round_trip_every_length)
{
	uint8_t data[DUMP_PAYLOAD];
	char line[DUMP_LINE + 1];
	struct dump_frame f;
	const char *why;

	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 1);
	for (size_t len = 0; len <= DUMP_PAYLOAD; len++) {
		int n = dump_frame_line(line, sizeof(line), DUMP_KIND_PROFILE,
					3, 9, data, len);

		ck_assert_int_gt(n, 0);
		ck_assert_uint_eq(strlen(line), (size_t)n);
		ck_assert_uint_le((size_t)n, 120);	/* a console line */
		ck_assert_int_eq(dump_frame_parse(line, &f, &why), 0);
		ck_assert_uint_eq(f.len, len);
		ck_assert_uint_eq(f.seq, 3);
		ck_assert_uint_eq(f.total, 9);
		ck_assert_uint_eq(f.kind, DUMP_KIND_PROFILE);
		ck_assert_mem_eq(f.payload, data, len);
	}
}
END_TEST

START_TEST(test_frame_found_among_console_text)
{
	char line[DUMP_LINE + 1], noisy[256];
	struct dump_frame f;
	const char *why;

	dump_frame_line(line, sizeof(line), 1, 0, 1, "abc", 3);
	/* a prompt before it, a carriage return after */
	snprintf(noisy, sizeof(noisy), "sh> %s\r\n", line);
	ck_assert_int_eq(dump_frame_parse(noisy, &f, &why), 0);
	ck_assert_mem_eq(f.payload, "abc", 3);
	ck_assert_int_eq(dump_frame_parse("profiler: started", &f, &why),
			 -AE_ENOENT);
}
END_TEST

START_TEST(test_frame_damage_refused)
{
	char line[DUMP_LINE + 1], bad[DUMP_LINE + 1];
	struct dump_frame f;
	const char *why;
	size_t mark = strlen(DUMP_MARK);

	dump_frame_line(line, sizeof(line), 1, 0, 2, "profile data", 12);
	/* a flipped character in the payload: the checksum */
	strcpy(bad, line);
	bad[strlen(bad) - 6] = bad[strlen(bad) - 6] == 'A' ? 'B' : 'A';
	why = NULL;
	ck_assert_int_eq(dump_frame_parse(bad, &f, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "checksum mismatch");
	/* cut short (output interleaved in the middle of the line) */
	strcpy(bad, line);
	bad[mark + 20] = '\0';
	ck_assert_int_eq(dump_frame_parse(bad, &f, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "shorter than a frame's header");
	strcpy(bad, line);
	bad[mark + 30] = '\0';		/* not a multiple of 4 */
	ck_assert_int_eq(dump_frame_parse(bad, &f, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "not base64, or longer than a frame");
	/* not base64 */
	strcpy(bad, line);
	bad[mark + 5] = '*';
	ck_assert_int_eq(dump_frame_parse(bad, &f, &why), -AE_EBADMSG);
	/* the magic ("AGDF" encodes as "QUdER...") */
	strcpy(bad, line);
	bad[mark] = 'R';
	ck_assert_int_eq(dump_frame_parse(bad, &f, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "bad magic");
}
END_TEST

START_TEST(test_frame_bad_version_and_sequence)
{
	char line[DUMP_LINE + 1];
	struct dump_frame f;
	const char *why;

	/* a header of version 2, encoded by hand */
	uint8_t raw[DUMP_HDR] = { 'A', 'G', 'D', 'F', 2, 1, 0, 0, 1, 0, 0, 0,
				  0, 0, 0, 0 };
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
				  "mnopqrstuvwxyz0123456789+/";
	size_t o = strlen(DUMP_MARK);

	memcpy(line, DUMP_MARK, o);
	for (int i = 0; i < DUMP_HDR; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 |
			     (i + 1 < DUMP_HDR ? (uint32_t)raw[i + 1] << 8 : 0) |
			     (i + 2 < DUMP_HDR ? raw[i + 2] : 0);

		line[o++] = b64[v >> 18 & 63];
		line[o++] = b64[v >> 12 & 63];
		line[o++] = i + 1 < DUMP_HDR ? b64[v >> 6 & 63] : '=';
		line[o++] = i + 2 < DUMP_HDR ? b64[v & 63] : '=';
	}
	line[o] = '\0';
	ck_assert_int_eq(dump_frame_parse(line, &f, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "unknown version");
	/* writing: sequence past the total, payload too long */
	ck_assert_int_eq(dump_frame_line(line, sizeof(line), 1, 2, 2, "x", 1),
			 -AE_EINVAL);
	ck_assert_int_eq(dump_frame_line(line, sizeof(line), 1, 0, 1, line,
					 DUMP_PAYLOAD + 1), -AE_EINVAL);
	ck_assert_int_eq(dump_frame_line(line, 20, 1, 0, 1, "x", 1),
			 -AE_ENOSPC);
	ck_assert_uint_eq(dump_frames(0), 1);
	ck_assert_uint_eq(dump_frames(DUMP_PAYLOAD), 1);
	ck_assert_uint_eq(dump_frames(DUMP_PAYLOAD + 1), 2);
}
END_TEST

Suite *suite_dump(void)
{
	Suite *s = suite_create("dump");
	TCase *tc = tcase_create("frames");

	tcase_add_test(tc, test_crc32_known_values);
	tcase_add_test(tc, test_frame_round_trip_every_length);
	tcase_add_test(tc, test_frame_found_among_console_text);
	tcase_add_test(tc, test_frame_damage_refused);
	tcase_add_test(tc, test_frame_bad_version_and_sequence);
	suite_add_tcase(s, tc);
	return s;
}
