/* lib/sys/seccomp: a process under the event-loop allow-list keeps working on the calls it allows
 * and is killed (SIGSYS) by one it does not; XLAT464_SECCOMP=off leaves it unfiltered. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sys/seccomp.h"

/* Runs what in a child under the filter; returns the child's wait status. */
static int in_child(int (*what)(void))
{
	int status;
	pid_t p = fork();
	if (p == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(90);
		int r = sys_seccomp_event_loop();
		if (r != 1)
			_exit(r == 0 ? 91 : 92);
		_exit(what());
	}
	assert_true(p > 0);
	assert_int_equal(waitpid(p, &status, 0), p);
	return status;
}

static int allowed_calls(void)
{
	char b[1];
	if (sys_seccomp_mode() != 2)
		return 3;
	int fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	if (syscall(SYS_getpid) <= 0 || fd < 0)
		return 4;
	if (write(fd, "x", 1) != 1 || read(fd, b, 1) != 1 || close(fd) < 0)
		return 5;
	void *m = malloc(1 << 20); /* mmap */
	free(m);
	return 0;
}

static int forbidden_call(void)
{
	syscall(SYS_getppid); /* not on the list: the kernel kills the process here */
	return 0;
}

static void test_allow_list(void **state)
{
	int st = in_child(allowed_calls);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 91)
		skip(); /* the sanitizers' run-time needs calls of its own: the list is off in such builds */
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	st = in_child(forbidden_call);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void test_switched_off(void **state)
{
	setenv("XLAT464_SECCOMP", "off", 1);
	assert_int_equal(sys_seccomp_event_loop(), 0);
	assert_int_equal(sys_seccomp_mode(), 0);
	unsetenv("XLAT464_SECCOMP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switched_off),
		cmocka_unit_test(test_allow_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
