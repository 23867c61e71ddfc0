#include "status_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "json.h"
#include "sys/ctl.h"
#include "sys/log.h"

#define STATUS_SEND_TIMEOUT_SEC 2

void status_client_blocking(int fd, int send_timeout_sec)
{
	struct timeval tv = { .tv_sec = send_timeout_sec };
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void status_serve(int lfd, status_write_fn write_status, void *ctx)
{
	int c;

	while ((c = sys_ctl_accept(lfd)) >= 0) {
		struct json_w w;
		json_w_init(&w);
		write_status(ctx, &w);
		status_client_blocking(c, STATUS_SEND_TIMEOUT_SEC);
		if (json_w_send(&w, c) < 0)
			log_debug("status client: %s", strerror(errno));
		json_w_free(&w);
		close(c);
	}
}
