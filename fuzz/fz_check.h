/* FZ_CHECK(cond): a fuzz target's invariant; when it does not hold, the line is named and the run
 * aborts, so that libFuzzer keeps the input. */
#ifndef XLAT464_FZ_CHECK_H
#define XLAT464_FZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FZ_CHECK(cond)                                                                   \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "VIOLATION %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                         \
		}                                                                        \
	} while (0)

#endif
