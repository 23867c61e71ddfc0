#ifndef XLAT464_TRANSLATE_H
#define XLAT464_TRANSLATE_H

/* `xlat464 translate [SETTINGS] IN.pcap OUT.pcap`: the SIIT translator run offline over a capture. */
int translate_main(int argc, char **argv);

#endif
