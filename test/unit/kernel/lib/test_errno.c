/*
 * test_errno.c - kernel/lib/errno.c: names and descriptions of the error
 * codes of include/aegis/errno.h.
 */
#include <limits.h>
#include <aegis/errno.h>
#include "unit.h"

START_TEST(test_errno_names_either_sign)
{
	ck_assert_str_eq(errno_name(-AE_EINVAL), "EINVAL");
	ck_assert_str_eq(errno_name(AE_EINVAL), "EINVAL");
	ck_assert_str_eq(errno_name(-AE_EBADMSG), "EBADMSG");
	ck_assert_str_eq(errno_desc(-AE_ENOMEM), "out of memory");
}
END_TEST

START_TEST(test_errno_unknown_code)
{
	ck_assert_str_eq(errno_name(0), "E?");
	ck_assert_str_eq(errno_name(-9999), "E?");
	ck_assert_str_eq(errno_desc(4242), "unknown error");
}
END_TEST

START_TEST(test_errno_every_listed_code_named_either_sign)
{
	static const struct {
		int code;
		const char *name, *desc;
	} all[] = {
#define ROW(name, val, desc) { (val), #name, (desc) },
		AEGIS_ERRNO_LIST(ROW)
#undef ROW
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		ck_assert_str_eq(errno_name(all[i].code), all[i].name);
		ck_assert_str_eq(errno_name(-all[i].code), all[i].name);
		ck_assert_str_eq(errno_desc(all[i].code), all[i].desc);
		ck_assert_str_eq(errno_desc(-all[i].code), all[i].desc);
	}
	ck_assert_str_eq(errno_desc(AE_EBADMSG), "malformed data");
}
END_TEST

START_TEST(test_errno_codes_between_entries_unknown)
{
	ck_assert_str_eq(errno_name(26), "E?");
	ck_assert_str_eq(errno_name(-26), "E?");
	ck_assert_str_eq(errno_desc(-26), "unknown error");
	ck_assert_str_eq(errno_name(INT_MAX), "E?");
	ck_assert_str_eq(errno_desc(-INT_MAX), "unknown error");
}
END_TEST

/* INT_MIN has no positive counterpart: negating it is undefined
 * behaviour (UBSan reports it); it is just an unknown code. */
START_TEST(test_errno_int_min_is_unknown)
{
	ck_assert_str_eq(errno_name(INT_MIN), "E?");
	ck_assert_str_eq(errno_desc(INT_MIN), "unknown error");
}
END_TEST

Suite *suite_errno(void)
{
	Suite *s = suite_create("errno");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, test_errno_names_either_sign);
	tcase_add_test(tc, test_errno_unknown_code);
	tcase_add_test(tc, test_errno_every_listed_code_named_either_sign);
	tcase_add_test(tc, test_errno_codes_between_entries_unknown);
	tcase_add_test(tc, test_errno_int_min_is_unknown);
	suite_add_tcase(s, tc);
	return s;
}
