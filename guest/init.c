// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the test guest.  Mounts what the tests need, runs the tests the
 * kernel command line names, one at a time with a timeout each, reports them
 * as KTAP on the console and resets the machine (QEMU -no-reboot exits).
 *
 * /etc/hvo-tests has one test a line: "NAME TIMEOUT_S [ENV=VAL...] ARGV...",
 * and suites, "@SUITE NAME,NAME,...": tests, and suites as @SUITE, in order.
 * hvo.run=NAME,@SUITE,... on the kernel command line picks and orders them
 * ("all" runs every test); hvo.shell=1 starts /bin/sh instead, if there is one.
 * hvo.time_scale=N multiplies every test's timeout by N (kernels with slow
 * checkers: lockdep, KASAN, PREEMPT_RT), and is passed on to the tests as
 * HVO_TIME_SCALE: a timeout is a safety net, and a slow kernel on a loaded
 * host must not turn into a failure.
 * A test's output is nested under its result, indented by four spaces: KTAP
 * lines as they are (subtests), everything else as "# " diagnostics.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_TESTS	128
#define MAX_ARGS	32
#define LINE_MAX_LEN	1024

struct test {
	char *name;
	int timeout;
	char *argv[MAX_ARGS + 1];
	char *envp[MAX_ARGS + 1];
};

static struct test tests[MAX_TESTS];
static int nr_tests;

#define MAX_SUITES	32

static struct suite {
	char *name;	/* without the '@' */
	char *list;
} suites[MAX_SUITES];
static int nr_suites;
static int time_scale = 1;

static void mount_one(const char *src, const char *dir, const char *type,
		      const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, opts) && errno != EBUSY)
		printf("# init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static void setup(void)
{
	mount_one("proc", "/proc", "proc", NULL);
	mount_one("sysfs", "/sys", "sysfs", NULL);
	mount_one("devtmpfs", "/dev", "devtmpfs", NULL);
	mount_one("debugfs", "/sys/kernel/debug", "debugfs", NULL);
	mount_one("tmpfs", "/tmp", "tmpfs", NULL);
	mount_one("tmpfs", "/dev/shm", "tmpfs", NULL);
	mount_one("hugetlbfs", "/mnt/huge", "hugetlbfs", NULL);
	setenv("PATH", "/tests:/bin:/sbin:/usr/bin", 1);
	if (access("/bin/sh", X_OK) && !access("/bin/busybox", X_OK) && !fork()) {
		execl("/bin/busybox", "busybox", "--install", "-s", "/bin", NULL);
		_exit(127);
	}
	wait(NULL);
	setenv("HOME", "/tmp", 1);
	chdir("/tests");
}

/* Parse /etc/hvo-tests; the strings live for the life of the process. */
static void load_tests(void)
{
	static char buf[LINE_MAX_LEN * MAX_TESTS];
	FILE *f = fopen("/etc/hvo-tests", "r");
	size_t off = 0;

	if (!f) {
		printf("# init: /etc/hvo-tests: %s\n", strerror(errno));
		return;
	}
	while (nr_tests < MAX_TESTS && off + LINE_MAX_LEN < sizeof(buf) &&
	       fgets(buf + off, LINE_MAX_LEN, f)) {
		char *line = buf + off, *tok, *save;
		struct test *t = &tests[nr_tests];
		int na = 0, ne = 0;
		size_t len;

		line[strcspn(line, "\n")] = 0;
		len = strlen(line) + 1;
		if (line[0] == '@' && nr_suites < MAX_SUITES) {
			struct suite *su = &suites[nr_suites];

			su->name = strtok_r(line + 1, " \t", &save);
			su->list = strtok_r(NULL, " \t", &save);
			if (!su->name || !su->list) {
				printf("# init: bad suite line in /etc/hvo-tests\n");
				continue;
			}
			off += len;
			nr_suites++;
			continue;
		}
		if (line[0] == '#' || !(t->name = strtok_r(line, " \t", &save)))
			continue;	/* the next line reuses this space */
		off += len;
		tok = strtok_r(NULL, " \t", &save);
		t->timeout = tok ? atoi(tok) : 0;
		while ((tok = strtok_r(NULL, " \t", &save)) && na < MAX_ARGS) {
			if (!na && strchr(tok, '=') && ne < MAX_ARGS)
				t->envp[ne++] = tok;
			else
				t->argv[na++] = tok;
		}
		if (na && t->timeout > 0)
			nr_tests++;
		else
			printf("# init: bad line for %s in /etc/hvo-tests\n", t->name);
	}
	if (!feof(f))
		printf("# init: /etc/hvo-tests: more than %d tests or %zu bytes, the rest ignored\n",
		       MAX_TESTS, sizeof(buf));
	fclose(f);
}

static struct test *find_test(const char *name)
{
	for (int i = 0; i < nr_tests; i++)
		if (!strcmp(tests[i].name, name))
			return &tests[i];
	return NULL;
}

static struct test *run[MAX_TESTS];
static int nr_run;

/*
 * Add the tests of a comma list to run[], in order: a test by name, a
 * suite's tests for @SUITE, every test for "all".  Returns how many names
 * were not found.
 */
static int select_tests(const char *list, int depth)
{
	char *copy = strdup(list), *name, *save;
	int missing = 0;

	if (!copy) {
		printf("# init: out of memory for the test list\n");
		return 1;
	}

	for (name = strtok_r(copy, ",", &save); name && nr_run < MAX_TESTS;
	     name = strtok_r(NULL, ",", &save)) {
		struct suite *su = NULL;

		if (!strcmp(name, "all")) {
			for (int i = 0; i < nr_tests && nr_run < MAX_TESTS; i++)
				run[nr_run++] = &tests[i];
			continue;
		}
		if (name[0] != '@') {
			if ((run[nr_run] = find_test(name))) {
				nr_run++;
				continue;
			}
			printf("# init: no test named %s\n", name);
			missing++;
			continue;
		}
		for (int i = 0; i < nr_suites && !su; i++)
			if (!strcmp(suites[i].name, name + 1))
				su = &suites[i];
		if (!su || depth > 8) {
			printf("# init: no suite named %s%s\n", name, su ? " (nested too deep)" : "");
			missing++;
			continue;
		}
		missing += select_tests(su->list, depth + 1);
	}
	free(copy);
	return missing;
}

static int is_ktap(const char *l)
{
	return !strncmp(l, "ok ", 3) || !strncmp(l, "not ok ", 7) ||
	       !strncmp(l, "KTAP version", 12) || !strncmp(l, "TAP version", 11) ||
	       !strncmp(l, "1..", 3) || l[0] == '#' || l[0] == ' ';
}

/* Copy the child's output to the console as nested KTAP. */
static void relay(int fd)
{
	static char line[LINE_MAX_LEN];
	size_t len = 0;
	char c;

	while (read(fd, &c, 1) == 1) {
		if (c != '\n' && len < sizeof(line) - 1) {
			line[len++] = c;
			continue;
		}
		line[len] = 0;
		printf(is_ktap(line) ? "    %s\n" : "    # %s\n", line);
		fflush(stdout);
		len = 0;
	}
	if (len) {
		line[len] = 0;
		printf("    # %s\n", line);
	}
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/*
 * A test that ran out of time may be stuck in the kernel: have the kernel
 * show where, on the console (SysRq: backtraces of the CPUs, then the tasks
 * blocked), before its processes are killed.  Needs CONFIG_MAGIC_SYSRQ.
 */
static void show_stuck(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "l", 1) != 1 || write(fd, "w", 1) != 1)
		printf("# init: /proc/sysrq-trigger: %s\n", strerror(errno));
	close(fd);
}

/* Returns the KTAP directive for a failed run, or NULL when the test passed. */
static const char *run_test(struct test *t, int *skip)
{
	static char why[64];
	struct timespec t0, t1;
	int pipefd[2], status;
	pid_t pid;

	*skip = 0;
	if (pipe(pipefd))
		return "pipe failed";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		setsid();
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		for (int i = 0; t->envp[i]; i++)
			putenv(t->envp[i]);
		execvp(t->argv[0], t->argv);
		printf("exec %s: %s\n", t->argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	timed_out = 0;
	alarm(t->timeout * time_scale);
	relay(pipefd[0]);	/* until the test closes it, or SIGALRM */
	if (timed_out) {
		show_stuck();
		kill(-pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		kill(-pid, SIGKILL);
	alarm(0);
	kill(-pid, SIGKILL);	/* nothing a test started outlives it */
	close(pipefd[0]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %s: %.3f s\n", t->name,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (timed_out) {
		snprintf(why, sizeof(why), "TIMEOUT after %d s", t->timeout * time_scale);
		return why;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {	/* KSFT_SKIP */
		*skip = 1;
		return "SKIP";
	}
	if (WIFEXITED(status))
		snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
	else
		snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(status));
	return why;
}

/* The relay blocks in read(); SIGALRM must interrupt it to kill the group. */
static void arm_alarm(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
}

static char *cmdline_value(const char *key)
{
	static char cmd[4096];
	char *p, *e;
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, cmd, sizeof(cmd) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return NULL;
	cmd[n] = 0;
	for (p = strtok(cmd, " \n"); p; p = strtok(NULL, " \n")) {
		e = strchr(p, '=');
		if (e && (size_t)(e - p) == strlen(key) && !strncmp(p, key, e - p))
			return e + 1;
	}
	return NULL;
}

int main(void)
{
	int failed = 0;
	char *sel;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setup();
	load_tests();
	arm_alarm();

	sel = cmdline_value("hvo.shell");
	if (sel && access("/bin/sh", X_OK) == 0) {
		printf("# init: starting /bin/sh; poweroff -f to leave\n");
		execl("/bin/sh", "sh", NULL);
	}
	sel = cmdline_value("hvo.time_scale");
	if (sel && atoi(sel) > 0) {
		time_scale = atoi(sel);
		setenv("HVO_TIME_SCALE", sel, 1);
		printf("# init: test timeouts scaled by %d\n", time_scale);
	}
	sel = cmdline_value("hvo.run");
	failed += select_tests(sel ? sel : "all", 0);

	printf("KTAP version 1\n1..%d\n", nr_run);
	for (int i = 0; i < nr_run; i++) {
		const char *why;
		int skip;

		printf("# hvo-init: start %d %s\n", i + 1, run[i]->name);
		why = run_test(run[i], &skip);
		if (!why)
			printf("ok %d %s\n", i + 1, run[i]->name);
		else if (skip)
			printf("ok %d %s # SKIP\n", i + 1, run[i]->name);
		else
			printf("not ok %d %s # %s\n", i + 1, run[i]->name, why);
		failed += why && !skip;
	}
	printf("# hvo-init: done, %d failed\n", failed);
	/*
	 * The host takes this line as the sign that the run ended.  printk()
	 * writes the kernel's "reboot: Restarting system" to the UART at once,
	 * past what the tty has queued, so the line could arrive cut in two:
	 * wait until the console has sent it.
	 */
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	sync();
	reboot(RB_AUTOBOOT);	/* QEMU runs with -no-reboot: it exits */
	return 0;
}
