/* `xlat464 status`: the client of every daemon's control socket. */
#ifndef XLAT464_CLI_STATUS_H
#define XLAT464_CLI_STATUS_H

/* `xlat464 status [--json] [--timeout MS] [--control PATH | --tun NAME]...`: what running daemons
 * report. */
int status_main(int argc, char **argv);

#endif
