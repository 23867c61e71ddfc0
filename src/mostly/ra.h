/* `xlat464 ra`: the PREF64 announcer (RFC 8781) of the IPv6-mostly kit. */
#ifndef XLAT464_RA_H
#define XLAT464_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ra_proto.h"

/* `xlat464 ra --interface IF --pref64 PREFIX ... [--router ...]`: the daemon. */
int ra_main(int argc, char **argv);

#endif
