/*
 * dump.c - framed, checksummed lines for binary data over the serial
 * console (aegis/dump.h). Pure: the kernel writes frames, the host's
 * analyzer and the unit tests read them.
 */
#include <string.h>
#include <aegis/dump.h>
#include <aegis/errno.h>

uint32_t dump_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(char *out, const uint8_t *in, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	return o;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode n characters (a multiple of 4) into out (room for max bytes):
 * the byte count, or -1 for a character that is not base64 or padding
 * out of place. */
static long b64_decode(uint8_t *out, size_t max, const char *in, size_t n)
{
	size_t o = 0;

	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		uint32_t w;

		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad)	/* data after padding */
				return -1;
			v[k] = b64_value(in[i + k]);
			if (v[k] < 0)
				return -1;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		for (int k = 0; k < 3 - pad; k++) {
			if (o == max)
				return -1;
			out[o++] = (uint8_t)(w >> (16 - 8 * k));
		}
	}
	return (long)o;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

int dump_frame_line(char *line, size_t size, uint8_t kind, uint16_t seq,
		    uint16_t total, const void *data, size_t len)
{
	uint8_t raw[DUMP_HDR + DUMP_PAYLOAD];
	size_t mark = sizeof(DUMP_MARK) - 1, n;

	if (len > DUMP_PAYLOAD || seq >= total || (len && !data))
		return -AE_EINVAL;
	if (size < DUMP_LINE + 1)
		return -AE_ENOSPC;
	put32(raw, DUMP_MAGIC);
	raw[4] = DUMP_VERSION;
	raw[5] = kind;
	put16(raw + 6, seq);
	put16(raw + 8, total);
	put16(raw + 10, (uint16_t)len);
	put32(raw + 12, dump_crc32(0, data, len));
	if (len)
		memcpy(raw + DUMP_HDR, data, len);
	memcpy(line, DUMP_MARK, mark);
	n = mark + b64_encode(line + mark, raw, DUMP_HDR + len);
	line[n] = '\0';
	return (int)n;
}

int dump_frame_parse(const char *line, struct dump_frame *f,
		     const char **why)
{
	uint8_t raw[DUMP_HDR + DUMP_PAYLOAD];
	const char *p = strstr(line, DUMP_MARK), *e;
	long n;

	if (!p)
		return -AE_ENOENT;
	p += sizeof(DUMP_MARK) - 1;
	for (e = p; *e && *e != '\r' && *e != '\n' && *e != ' '; e++)
		;
	n = b64_decode(raw, sizeof(raw), p, (size_t)(e - p));
	if (n < 0) {
		*why = "not base64, or longer than a frame";
		return -AE_EBADMSG;
	}
	if (n < DUMP_HDR) {
		*why = "shorter than a frame's header";
		return -AE_EBADMSG;
	}
	if (get32(raw) != DUMP_MAGIC) {
		*why = "bad magic";
		return -AE_EBADMSG;
	}
	if (raw[4] != DUMP_VERSION) {
		*why = "unknown version";
		return -AE_EBADMSG;
	}
	f->version = raw[4];
	f->kind = raw[5];
	f->seq = get16(raw + 6);
	f->total = get16(raw + 8);
	f->len = get16(raw + 10);
	f->crc = get32(raw + 12);
	if (f->len != n - DUMP_HDR || f->seq >= f->total) {
		*why = "length or sequence number does not add up";
		return -AE_EBADMSG;
	}
	memcpy(f->payload, raw + DUMP_HDR, f->len);
	if (dump_crc32(0, f->payload, f->len) != f->crc) {
		*why = "checksum mismatch";
		return -AE_EBADMSG;
	}
	return 0;
}
