/* `xlat464 plat`: the PLAT (RFC 6877's provider-side translator), a stateful NAT64 (RFC 6146) or a
 * stateless NAT64 with a dynamic IPv4 pool, on one TUN carrying both families. */
#ifndef XLAT464_PLAT_H
#define XLAT464_PLAT_H

int plat_main(int argc, char **argv);

#endif
