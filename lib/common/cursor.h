/* Bounds-checked reading of wire data. Every read checks the remaining length first; a failed read
 * sets the cursor's error flag and yields zero, so a parser can read a whole header and test
 * cursor_ok() once (the OpenBSD "bail out to too_short" pattern without a goto per field). */
#ifndef XLAT464_CURSOR_H
#define XLAT464_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static inline struct cursor cursor_make(const void *p, size_t len)
{
	struct cursor c = { (const uint8_t *)p, len, false };
	return c;
}

static inline bool cursor_ok(const struct cursor *c) { return !c->bad; }
static inline size_t cursor_left(const struct cursor *c) { return c->left; }
static inline const uint8_t *cursor_ptr(const struct cursor *c) { return c->p; }

/* Returns a pointer to the next n bytes and advances, or NULL (and marks the cursor bad). */
static inline const uint8_t *cursor_take(struct cursor *c, size_t n)
{
	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *r = c->p;
	c->p += n;
	c->left -= n;
	return r;
}

static inline bool cursor_skip(struct cursor *c, size_t n) { return cursor_take(c, n) != NULL; }

static inline uint8_t cursor_u8(struct cursor *c)
{
	const uint8_t *b = cursor_take(c, 1);
	return b ? b[0] : 0;
}

static inline uint16_t cursor_be16(struct cursor *c)
{
	const uint8_t *b = cursor_take(c, 2);
	return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

static inline uint32_t cursor_be32(struct cursor *c)
{
	const uint8_t *b = cursor_take(c, 4);
	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

static inline bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *b = cursor_take(c, n);
	if (b)
		memcpy(dst, b, n);
	return b != NULL;
}

/* Big-endian access to bytes the caller has already bounds-checked (for example a header it took
 * from a cursor). memcpy keeps the loads and stores alignment-safe; the compiler turns each into one
 * instruction plus a byte swap. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CURSOR_BE16(x) __builtin_bswap16(x)
#define CURSOR_BE32(x) __builtin_bswap32(x)
#define CURSOR_BE64(x) __builtin_bswap64(x)
#else
#define CURSOR_BE16(x) (x)
#define CURSOR_BE32(x) (x)
#define CURSOR_BE64(x) (x)
#endif
static inline uint16_t be16_at(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return CURSOR_BE16(v);
}
static inline uint32_t be32_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return CURSOR_BE32(v);
}
static inline uint64_t be64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return CURSOR_BE64(v);
}
static inline void put_be16(uint8_t *p, uint16_t v)
{
	v = CURSOR_BE16(v);
	memcpy(p, &v, 2);
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
	v = CURSOR_BE32(v);
	memcpy(p, &v, 4);
}
static inline void put_be64(uint8_t *p, uint64_t v)
{
	v = CURSOR_BE64(v);
	memcpy(p, &v, 8);
}

#endif
