/* The daemons' status protocol (docs/design.md, "Status"): each daemon writes its status as one JSON
 * object on its control socket. This is the writer: it appends to a growing buffer, one member a line,
 * strings escaped so that text from the wire or a config file cannot break out of them. */
#ifndef XLAT464_COMMON_JSON_H
#define XLAT464_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of the "schema" member: raised when a member changes meaning or goes away, not when one
 * is added. */
#define JSON_STATUS_SCHEMA 1
#define JSON_DEPTH_MAX 8

struct json_w {
	char *buf;
	size_t len, cap;
	bool failed; /* out of memory, or nested deeper than JSON_DEPTH_MAX */
	unsigned depth;
	bool first[JSON_DEPTH_MAX + 1]; /* no member written yet at this depth */
};

/* An empty writer (buf NULL until something is written). */
void json_w_init(struct json_w *w);
void json_w_free(struct json_w *w);
/* Drops what was written (keeps the memory and the nesting): for a caller that sends the buffer in
 * pieces. */
static inline void json_w_drain(struct json_w *w) { w->len = 0; }
/* Ends the document with a newline. 0, or -1 when memory ran out or the nesting was wrong. */
int json_w_end(struct json_w *w);

/* Ends the document (json_w_end) and writes it whole to fd, a client of a control socket. 0 or -1
 * (errno set; ENOMEM when the document could not be made). */
int json_w_send(struct json_w *w, int fd);

/* Each takes the member's key, or NULL for the top-level value or an array element. */
void json_obj_open(struct json_w *w, const char *key);
void json_obj_close(struct json_w *w);
void json_arr_open(struct json_w *w, const char *key);
void json_arr_close(struct json_w *w);
void json_u64(struct json_w *w, const char *key, uint64_t v);
void json_i64(struct json_w *w, const char *key, int64_t v);
/* A number with one decimal (a percentage). */
void json_dbl1(struct json_w *w, const char *key, double v);
void json_boolean(struct json_w *w, const char *key, bool v);
/* s NULL is null; control and non-ASCII bytes become \u00XX. */
void json_str(struct json_w *w, const char *key, const char *s);
void json_null(struct json_w *w, const char *key);
/* The lines of text (not modified) as an array of strings. */
void json_lines(struct json_w *w, const char *key, const char *text);

/* The members every daemon's status starts with: schema, daemon, control, pid, uptime_seconds. */
void json_status_head(struct json_w *w, const char *daemon, const char *control, uint64_t uptime_sec);

/* A family of counters by reason, from one X-macro list (the drop reasons and their like): the
 * reasons first..end-1 (first is 1 where reason 0 means "not dropped"), each with its short name and,
 * where the family has them, its one-line description. */
struct json_reasons {
	const char *key; /* the family's member, among the counters and in "descriptions" */
	unsigned first, end;
	const char *(*name)(unsigned r);
	const char *(*desc)(unsigned r); /* NULL: no descriptions */
};

/* The member f->key: {name: counter} of each reason, counters[r] the counter of reason r. */
void json_by_reason(struct json_w *w, const struct json_reasons *f, const uint64_t *counters);
/* The member "descriptions": {f->key: {name: description}}, which tells `xlat464 status` what to
 * print beside a nonzero counter of the family of the same name. */
void json_descriptions(struct json_w *w, const struct json_reasons *f);

/* The data-plane workers: "workers" (how many) and "worker_packets_4to6" / "worker_packets_6to4",
 * the packets each translated, in worker order (how the kernel spread the flows over the queues). */
void json_workers(struct json_w *w, unsigned n, const uint64_t *pkts_4to6, const uint64_t *pkts_6to4);

struct xlat_stats;
/* lib/xlat's drop reasons, as the family "drops". */
extern const struct json_reasons json_xlat_drop_reasons;
/* The translator's counters shared by siit, clat and plat: udp_checksums_computed,
 * reassembled_datagrams, reassembled_fragments and "drops", every reason with its count. */
void json_xlat_drops(struct json_w *w, const struct xlat_stats *st);
struct xlat_offload_stats;
/* The members of a TUN translator's offload (lib/xlat/offload.h): "offload" (on: the TUN does
 * checksum and TCP segmentation offload), "offload_super_packets", "offload_bytes",
 * "offload_checksums_finished". */
void json_xlat_offload(struct json_w *w, bool on, const struct xlat_offload_stats *st);

#endif
