/* daemon_test.h - for the unit tests that run a real mcp-sessiond (test_sessc, test_sdstream):
 * clocks, starting and reaping the daemon, its log, its temporary directory. */
#ifndef MCP_DAEMON_TEST_H
#define MCP_DAEMON_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Starts bin as "mcp-sessiond" with args (NULL-terminated, at most 6) and its stdout and
 * stderr appended to log. Returns the child's pid (or -1). */
static inline pid_t daemon_spawn(const char *bin, const char *log, const char *const *args)
{
    pid_t pid = fork();

    if (pid != 0)
        return pid;
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    const char *argv[8] = {"mcp-sessiond"};
    for (int i = 0; args[i] != NULL && i < 6; i++)
        argv[i + 1] = args[i];
    execv(bin, (char *const *)argv);
    _exit(127);
}

/* Waits up to ms for pid to exit; returns its wait status, or -1 after killing it. */
static inline int reap_child(pid_t pid, int ms)
{
    int64_t deadline = now_ms() + ms;
    int st;

    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        if (r < 0 || now_ms() > deadline)
            break;
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* Prints the daemon's log as TAP comments. */
static inline void daemon_dump_log(const char *log)
{
    char line[512];
    FILE *fp = fopen(log, "r");

    if (fp == NULL)
        return;
    while (fgets(line, sizeof(line), fp) != NULL)
        printf("# daemon: %s%s", line, strchr(line, '\n') ? "" : "\n");
    fclose(fp);
}

static inline int daemon_rm_entry(const char *path, const struct stat *sb, int flag,
                                  struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes directory dir and everything in it. */
static inline void daemon_rm_tree(const char *dir)
{
    nftw(dir, daemon_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
