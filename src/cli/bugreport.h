/* `xlat464 report`: a tar.gz for a bug report (docs/report.md). */
#ifndef XLAT464_CLI_BUGREPORT_H
#define XLAT464_CLI_BUGREPORT_H

/* `xlat464 report [-o FILE] [--redact] [--control PATH]... [--control-dir DIR] [--config-dir DIR]
 * [--log FILE]... [--since TIME]`. */
int report_main(int argc, char **argv);

#endif
