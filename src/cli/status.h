/* `xlat464 status`: the client of every daemon's control socket. */
#ifndef XLAT464_CLI_STATUS_H
#define XLAT464_CLI_STATUS_H

/* `xlat464 status [--json] [--control PATH | --tun NAME]`: what a running daemon reports. */
int status_main(int argc, char **argv);

#endif
