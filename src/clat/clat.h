/* Entry point of `xlat464 clat` (called by src/cli/main.c). */
#ifndef XLAT464_CLAT_H
#define XLAT464_CLAT_H

/* `xlat464 clat [--uplink IF] --pref64 PREFIX [--tun NAME] [--force] ...`: the CLAT daemon. */
int clat_main(int argc, char **argv);

#endif
