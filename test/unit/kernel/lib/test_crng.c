/*
 * test_crng.c - kernel/lib/crng.c: BLAKE2s-256 against RFC 7693's
 * example and Python's hashlib (inputs across the block boundary),
 * ChaCha20's block against RFC 8439 (section 2.3.2, which OpenSSL's
 * chacha20 also gives), and the generator's fast key erasure.
 */
#include <stdio.h>
#include <string.h>
#include <aegis/crng.h>
#include "unit.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void digest(const uint8_t *d, size_t n, size_t step, char out[65])
{
	struct blake2s s;
	uint8_t h[32];

	blake2s_init(&s);
	for (size_t i = 0; i < n; i += step)
		blake2s_update(&s, d + i, n - i < step ? n - i : step);
	blake2s_final(&s, h);
	hex(h, sizeof(h), out);
}

START_TEST(test_blake2s_known_digests)
{
	static const struct { size_t n; const char *want; } v[] = {
		{ 0, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9" },
		{ 64, "56f34e8b96557e90c1f24b52d0c89d51086acf1b00f634cf1dde9233b8eaaa3e" },
		{ 65, "1b53ee94aaf34e4b159d48de352c7f0661d0a40edff95a0b1639b4090e974472" },
	};
	uint8_t d[200];
	char out[65];

	/* RFC 7693, appendix A */
	digest((const uint8_t *)"abc", 3, 3, out);
	ck_assert_str_eq(out, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i < 65 ? i : i % 251);
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		digest(d, v[k].n, 1000, out);
		ck_assert_str_eq(out, v[k].want);
	}
	/* 200 bytes (i % 251), in pieces of every size: the same digest */
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i % 251);
	for (size_t step = 1; step <= 70; step++) {
		digest(d, sizeof(d), step, out);
		ck_assert_str_eq(out, "6d244e1a06ce4ef578dd0f63aff0936706735119ca9c8d22d86c801414ab9741");
	}
}
END_TEST

START_TEST(test_chacha20_rfc8439_block)
{
	static const uint8_t nonce[12] = { 0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
	uint8_t key[32], out[64];
	char h[129];

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	chacha20_block(key, 1, nonce, out);
	hex(out, sizeof(out), h);
	ck_assert_str_eq(h, "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
			    "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}
END_TEST

START_TEST(test_crng_new_key_each_request)
{
	static const uint8_t zero[12];
	uint8_t key[32], first[32], a[100], b[100], block[64];

	memset(key, 7, sizeof(key));
	memcpy(first, key, sizeof(key));
	crng_generate(key, a, sizeof(a));
	/* the output is the key's blocks 1 and 2; block 0 is the next key */
	chacha20_block(first, 1, zero, block);
	ck_assert(memcmp(a, block, 64) == 0);
	chacha20_block(first, 2, zero, block);
	ck_assert(memcmp(a + 64, block, 36) == 0);
	chacha20_block(first, 0, zero, block);
	ck_assert(memcmp(key, block, 32) == 0);
	/* so the next request differs, and no output was the key */
	crng_generate(key, b, sizeof(b));
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert(memcmp(a, key, 32) != 0 && memcmp(b, key, 32) != 0);
	crng_generate(key, b, 0);		/* none asked: a new key still */
	ck_assert(memcmp(key, block, 32) != 0);
}
END_TEST

Suite *suite_crng(void)
{
	Suite *s = suite_create("crng");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_blake2s_known_digests);
	tcase_add_test(tc, test_chacha20_rfc8439_block);
	tcase_add_test(tc, test_crng_new_key_each_request);
	suite_add_tcase(s, tc);
	return s;
}
