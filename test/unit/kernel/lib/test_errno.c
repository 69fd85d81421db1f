/*
 * test_errno.c - kernel/lib/errno.c: names and descriptions of the error
 * codes of include/aegis/errno.h.
 */
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

Suite *suite_errno(void)
{
	Suite *s = suite_create("errno");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, test_errno_names_either_sign);
	tcase_add_test(tc, test_errno_unknown_code);
	suite_add_tcase(s, tc);
	return s;
}
