/* libFuzzer target: xlat_4to6 on arbitrary bytes under varied configurations (fuzz/fuzz_common.h),
 * every output re-parsed and checked by fuzz/check_packet.h. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fz_run(4, data, size); }
