#ifndef XLAT464_LAB_H
#define XLAT464_LAB_H

/* `xlat464 lab up|tour|doctor|down`: the whole 464XLAT system in network namespaces on this machine
 * (docs/lab.md). Execs scripts/lab.sh with XLAT464 set to this binary. */
int lab_main(int argc, char **argv);

#endif
