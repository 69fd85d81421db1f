/*
 * aegis/dump.h - binary data over the serial console: a byte stream cut
 * into framed, checksummed, versioned lines that survive console output
 * interleaved with them (kernel/lib/dump.c; the kernel's profiler writes
 * them, tools/analyzer reads them).
 *
 * One frame is one console line:
 *
 *	AEGIS-DUMP <base64 of: header (16 bytes) + payload (0..DUMP_PAYLOAD)>
 *
 * The header, little-endian:
 *	magic "AGDF" | version u8 (1) | kind u8 | seq u16 | total u16 |
 *	len u16 | crc32 u32 (IEEE, of the payload)
 *
 * seq numbers the frames of one dump 0..total-1; id (the kind's dump
 * number) tells two dumps apart. A reader keeps lines that start with
 * (or contain) "AEGIS-DUMP ", checks each frame on its own and reassembles
 * the stream; anything else on the console is skipped. A frame with a bad
 * checksum, length or header is refused with the reason, and the dump it
 * belongs to is reported incomplete, naming the missing frames.
 */
#ifndef AEGIS_DUMP_H
#define AEGIS_DUMP_H

#include <aegis/types.h>

#define DUMP_MARK	"AEGIS-DUMP "
#define DUMP_MAGIC	0x46444741u	/* "AGDF" */
#define DUMP_VERSION	1
#define DUMP_PAYLOAD	60		/* bytes per frame: a line of 115 */
#define DUMP_HDR	16
#define DUMP_LINE	(sizeof(DUMP_MARK) + (DUMP_HDR + DUMP_PAYLOAD + 2) / 3 * 4)

/* What a dump holds (kind). */
#define DUMP_KIND_PROFILE	1

struct dump_frame {
	uint8_t version, kind;
	uint16_t seq, total, len;
	uint32_t crc;
	uint8_t payload[DUMP_PAYLOAD];
};

/* crc32 - IEEE 802.3 (zlib's), of len bytes, continuing from crc (0 to
 * start). */
uint32_t dump_crc32(uint32_t crc, const void *buf, size_t len);

/* dump_frame_line - frame seq of total carrying len bytes of data, as a
 * NUL-terminated line (no newline) in line[size] (DUMP_LINE + 1 bytes
 * suffice). Its length, or -EINVAL (len > DUMP_PAYLOAD, seq >= total),
 * -ENOSPC. */
int dump_frame_line(char *line, size_t size, uint8_t kind, uint16_t seq,
		    uint16_t total, const void *data, size_t len);

/* dump_frame_parse - the frame in line (which may hold other text before
 * the mark and a trailing newline or carriage return): 0 with *f filled,
 * -ENOENT if the line holds no frame, -EBADMSG with *why for one that is
 * damaged (bad base64, size, magic, version, length, checksum). */
int dump_frame_parse(const char *line, struct dump_frame *f,
		     const char **why);

/* dump_frames - how many frames len bytes need (at least one). */
static inline unsigned int dump_frames(size_t len)
{
	return len ? (unsigned int)((len + DUMP_PAYLOAD - 1) / DUMP_PAYLOAD)
		   : 1;
}

#endif
