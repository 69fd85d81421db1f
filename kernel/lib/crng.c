/*
 * crng.c - BLAKE2s-256 and ChaCha20, and the generator made of them
 * (aegis/crng.h). Written from RFC 7693 and RFC 8439; the host tests
 * check both against their published values and Python's and OpenSSL's.
 */
#include <stdbool.h>
#include <string.h>
#include <aegis/crng.h>

static uint32_t rotr(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static uint32_t rotl(uint32_t x, unsigned int n)
{
	return x << n | x >> (32 - n);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- BLAKE2s ------------------------------------------------------------ */

static const uint32_t iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint8_t sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static void g(uint32_t *v, int a, int b, int c, int d, uint32_t x,
	      uint32_t y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = rotr(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = rotr(v[b] ^ v[c], 12);
	v[a] = v[a] + v[b] + y;
	v[d] = rotr(v[d] ^ v[a], 8);
	v[c] = v[c] + v[d];
	v[b] = rotr(v[b] ^ v[c], 7);
}

static void compress(struct blake2s *s, const uint8_t block[64], bool last)
{
	uint32_t m[16], v[16];

	for (int i = 0; i < 16; i++)
		m[i] = le32(block + 4 * i);
	for (int i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (int r = 0; r < 10; r++) {
		const uint8_t *z = sigma[r];

		g(v, 0, 4, 8, 12, m[z[0]], m[z[1]]);
		g(v, 1, 5, 9, 13, m[z[2]], m[z[3]]);
		g(v, 2, 6, 10, 14, m[z[4]], m[z[5]]);
		g(v, 3, 7, 11, 15, m[z[6]], m[z[7]]);
		g(v, 0, 5, 10, 15, m[z[8]], m[z[9]]);
		g(v, 1, 6, 11, 12, m[z[10]], m[z[11]]);
		g(v, 2, 7, 8, 13, m[z[12]], m[z[13]]);
		g(v, 3, 4, 9, 14, m[z[14]], m[z[15]]);
	}
	for (int i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void count(struct blake2s *s, uint32_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

void blake2s_init(struct blake2s *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->h, iv, sizeof(iv));
	s->h[0] ^= 0x01010000u | 32;	/* fanout 1, depth 1, 32 bytes */
}

void blake2s_update(struct blake2s *s, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n) {
		size_t k;

		/* a full buffer is compressed only when more follows: the
		 * last block is the final one */
		if (s->len == sizeof(s->buf)) {
			count(s, sizeof(s->buf));
			compress(s, s->buf, false);
			s->len = 0;
		}
		k = sizeof(s->buf) - s->len < n ? sizeof(s->buf) - s->len : n;
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
	}
}

void blake2s_final(struct blake2s *s, uint8_t out[32])
{
	count(s, (uint32_t)s->len);
	memset(s->buf + s->len, 0, sizeof(s->buf) - s->len);
	compress(s, s->buf, true);
	for (int i = 0; i < 8; i++)
		put_le32(out + 4 * i, s->h[i]);
	memset(s, 0, sizeof(*s));
}

/* ---- ChaCha20 ----------------------------------------------------------- */

#define QR(a, b, c, d)					\
	do {						\
		x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 16);	\
		x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 12);	\
		x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 8);	\
		x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 7);	\
	} while (0)

void chacha20_block(const uint8_t key[32], uint32_t counter,
		    const uint8_t nonce[12], uint8_t out[64])
{
	uint32_t s[16], x[16];

	s[0] = 0x61707865;	/* "expand 32-byte k" */
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		s[4 + i] = le32(key + 4 * i);
	s[12] = counter;
	for (int i = 0; i < 3; i++)
		s[13 + i] = le32(nonce + 4 * i);
	memcpy(x, s, sizeof(x));
	for (int r = 0; r < 10; r++) {
		QR(0, 4, 8, 12);
		QR(1, 5, 9, 13);
		QR(2, 6, 10, 14);
		QR(3, 7, 11, 15);
		QR(0, 5, 10, 15);
		QR(1, 6, 11, 12);
		QR(2, 7, 8, 13);
		QR(3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		put_le32(out + 4 * i, x[i] + s[i]);
	memset(x, 0, sizeof(x));
	memset(s, 0, sizeof(s));
}

void crng_generate(uint8_t key[32], uint8_t *out, size_t n)
{
	static const uint8_t nonce[12];
	uint8_t block[64];
	uint32_t counter = 0;

	/* block 0 is the next key; the output starts at block 1 */
	chacha20_block(key, counter++, nonce, block);
	while (n) {
		uint8_t b[64];
		size_t k = n < sizeof(b) ? n : sizeof(b);

		chacha20_block(key, counter++, nonce, b);
		memcpy(out, b, k);
		memset(b, 0, sizeof(b));
		out += k;
		n -= k;
	}
	memcpy(key, block, 32);
	memset(block, 0, sizeof(block));
}
