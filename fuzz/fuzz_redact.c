/* libFuzzer target: the redactor of `xlat464 report` (src/cli/redact.c) on any text. It never reads
 * past the input nor writes past REDACT_OUT_MAX, a second pass changes nothing (a redacted address
 * no longer parses as one), and no byte outside an address is changed: the output has as many
 * newlines as the input. The secret masker likewise stays within redact_secrets_max and keeps
 * every line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_packet.h"
#include "cli/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_nl(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t cap = REDACT_OUT_MAX(size);
	char *once = malloc(cap), *twice = malloc(REDACT_OUT_MAX(cap));
	if (!once || !twice)
		goto out;
	size_t a = redact_text(in, size, once, cap);
	CHK(a != (size_t)-1 && a <= cap, "output %zu beyond its bound %zu for %zu bytes", a, cap, size);
	CHK(count_nl(once, a) == count_nl(in, size), "lines changed");
	size_t b = redact_text(once, a, twice, REDACT_OUT_MAX(cap));
	CHK(b == a && memcmp(once, twice, a) == 0, "a second pass changed the text");

	size_t scap = redact_secrets_max(in, size);
	char *s = malloc(scap);
	if (s) {
		unsigned masked = 0;
		size_t n = redact_secrets(in, size, s, scap, &masked);
		CHK(n != (size_t)-1 && n <= scap, "secrets output beyond its bound");
		CHK(count_nl(s, n) == count_nl(in, size), "secret masking changed the lines");
		free(s);
	}
out:
	free(once);
	free(twice);
	return 0;
}
