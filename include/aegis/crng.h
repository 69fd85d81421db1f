/*
 * aegis/crng.h - the pieces of the kernel's random number generator
 * (kernel/lib/crng.c, pure code the host tests; the random service,
 * services/random/random.c, uses them; docs/RANDOM.md):
 *
 * BLAKE2s-256 (RFC 7693), which gathers what the random service mixes
 * in (its entropy pool) and makes each new key from it, and ChaCha20's
 * block function (RFC 8439), which makes the output: a key of 32 bytes,
 * a block counter, the nonce 0, and after each request a new key from
 * the generator itself ("fast key erasure"), so what was given out
 * cannot be worked back from a key read later.
 */
#ifndef AEGIS_CRNG_H
#define AEGIS_CRNG_H

#include <stddef.h>
#include <stdint.h>

struct blake2s {
	uint32_t h[8];
	uint32_t t[2];		/* bytes compressed so far */
	uint8_t buf[64];
	size_t len;		/* bytes in buf */
};

/* blake2s_init - an unkeyed BLAKE2s of 32 bytes of output. */
void blake2s_init(struct blake2s *s);
void blake2s_update(struct blake2s *s, const void *data, size_t n);
/* blake2s_final - the digest (32 bytes); s is spent. */
void blake2s_final(struct blake2s *s, uint8_t out[32]);

/* chacha20_block - ChaCha20's 64-byte block for key, counter and nonce
 * (RFC 8439's 32-bit counter, 96-bit nonce). */
void chacha20_block(const uint8_t key[32], uint32_t counter,
		    const uint8_t nonce[12], uint8_t out[64]);

/* crng_generate - n bytes from the generator of key into out (any n),
 * then a new key from the generator (the old one is overwritten). */
void crng_generate(uint8_t key[32], uint8_t *out, size_t n);

#endif
