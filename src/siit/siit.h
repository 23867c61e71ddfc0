/* Entry points of the subcommands implemented in src/siit (called by src/cli/main.c). */
#ifndef XLAT464_SIIT_H
#define XLAT464_SIIT_H

/* `xlat464 siit [settings] [--config FILE] ...`: the stateless translator daemon on one TUN. */
int siit_main(int argc, char **argv);
/* Prints the drop reasons as a Markdown table (the source of docs/drop-reasons.md). */
void siit_print_drop_reasons(void);

#endif
