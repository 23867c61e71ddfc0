/* `xlat464 dns64`: a selective DNS64 (RFC 6147) for the router of an IPv6-only network. Clients with
 * a CLAT (they asked `xlat464 dhcp4` for option 108) get the upstream answer untouched; the others get
 * AAAA records synthesized from A records under the PLAT's prefix. docs/dns64.md describes it. */
#ifndef XLAT464_DNS64D_H
#define XLAT464_DNS64D_H

int dns64_main(int argc, char **argv);

#endif
