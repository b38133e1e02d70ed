/* Asterisk-emulating FastAGI load generator (C, epoll), built and started by bench_agi.py.
 *
 *     agi_load PORT INFLIGHT SECONDS [WARMUP_S]
 *
 * Keeps INFLIGHT sessions open against 127.0.0.1:PORT, the way bench/agi_load.py does (that
 * file is the fallback when no C compiler is present; the two must stay in step): each
 * session sends an agi_* environment, answers every command as Asterisk 22 would, and
 * reconnects when the server closes. One thread and one epoll set, so the generator costs a
 * small fraction of a core and leaves the other core to the server under test.
 *
 * Prints one JSON object: sessions/s, command round trip p50/p99 in ms (from our write of
 * the environment or of a reply to the arrival of the next command; measured after the
 * warm-up), failed sessions, and the CPU seconds the generator itself used.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char ENV[] =
    "agi_network: yes\nagi_network_script: main-menu\n"
    "agi_request: agi://127.0.0.1:4573/main-menu\n"
    "agi_channel: Local/s@switchboard-ivr-00000001;2\nagi_language: en\nagi_type: Local\n"
    "agi_uniqueid: 1795369105.20\nagi_version: 22.10.1\nagi_callerid: 5551001\n"
    "agi_calleridname: Load Test\nagi_context: switchboard-ivr\nagi_extension: s\n"
    "agi_priority: 2\nagi_accountcode: \nagi_arg_1: 5551001\nagi_arg_2: en\n\n";

#define SCRIPT_COMMANDS 7
#define HIST_US 1000000 /* 1 us buckets up to 1 s; slower round trips land in the last */
#define BUF 8192

struct session {
    int fd;
    int connected;
    int commands;
    int len;
    double sent_at;
    char buf[BUF];
};

static uint32_t hist[HIST_US + 1];
static uint64_t samples, sessions_done, errors;
static int epfd;
static struct sockaddr_in server;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The reply Asterisk gives to one command line (bench/agi_load.py answer()). */
static const char *answer(const char *line, int len) {
#define IS(prefix) (len >= (int)sizeof(prefix) - 1 && memcmp(line, prefix, sizeof(prefix) - 1) == 0)
    if (IS("ANSWER ") || (len == 6 && IS("ANSWER"))) return "200 result=0\n";
    if (IS("STREAM ")) return "200 result=49 endpos=13440\n";
    if (IS("GET VARIABLE")) return "200 result=1 (sales)\n";
    if (IS("GET ")) return "200 result=\n";
    if (IS("SET ")) return "200 result=1\n";
    if (IS("VERBOSE ")) return "200 result=1\n";
    return "510 Invalid or unknown command\n";
#undef IS
}

static int send_all(int fd, const char *data, size_t len) {
    return send(fd, data, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static void start(struct session *s) {
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    s->connected = s->commands = s->len = 0;
    if (s->fd < 0) {
        perror("socket");
        exit(2);
    }
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as asyncio does */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = s};
    /* A failed connect shows up as an epoll event with SO_ERROR set, or a failed send. */
    connect(s->fd, (struct sockaddr *)&server, sizeof server);
    epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev);
}

static void finish(struct session *s, double now, double warmup_until, int failed) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    s->fd = -1;
    if (now >= warmup_until) {
        if (!failed && s->commands == SCRIPT_COMMANDS)
            sessions_done++;
        else
            errors++;
    }
}

static double percentile_ms(double q) {
    uint64_t want = (uint64_t)(samples * q), seen = 0;
    if (samples == 0) return 0.0;
    for (int us = 0; us <= HIST_US; us++) {
        seen += hist[us];
        if (seen > want) return us / 1000.0;
    }
    return HIST_US / 1000.0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT INFLIGHT SECONDS [WARMUP_S]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), inflight = atoi(argv[2]);
    double seconds = atof(argv[3]), warmup = argc > 4 ? atof(argv[4]) : 1.0;
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    epfd = epoll_create1(EPOLL_CLOEXEC);

    struct session *all = calloc(inflight, sizeof *all);
    struct epoll_event *events = calloc(inflight, sizeof *events);
    double begin = now_s(), warmup_until = begin + warmup, deadline = warmup_until + seconds;
    for (int i = 0; i < inflight; i++) start(&all[i]);
    int open = inflight;

    while (open > 0) {
        int n = epoll_wait(epfd, events, inflight, 100);
        double now = now_s();
        if (now > deadline + 10.0) break; /* a stuck server: report what we have */
        for (int i = 0; i < n; i++) {
            struct session *s = events[i].data.ptr;
            int failed = 0, eof = 0;
            if (!s->connected) {
                int err = 0;
                socklen_t errlen = sizeof err;
                getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
                if (err != 0 || send_all(s->fd, ENV, sizeof ENV - 1) < 0) {
                    failed = 1;
                } else {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
                    epoll_ctl(epfd, EPOLL_CTL_MOD, s->fd, &ev);
                    s->connected = 1;
                    s->sent_at = now_s();
                    continue;
                }
            } else {
                ssize_t got = recv(s->fd, s->buf + s->len, BUF - s->len, 0);
                if (got == 0) {
                    eof = 1;
                } else if (got < 0) {
                    if (errno == EAGAIN) continue;
                    failed = 1;
                } else {
                    s->len += got;
                    char *line = s->buf, *end = s->buf + s->len, *nl;
                    while (!failed && (nl = memchr(line, '\n', end - line)) != NULL) {
                        if (now >= warmup_until) {
                            long us = (long)((now - s->sent_at) * 1e6);
                            hist[us < 0 ? 0 : us > HIST_US ? HIST_US : us]++;
                            samples++;
                        }
                        s->commands++;
                        const char *reply = answer(line, (int)(nl - line));
                        s->sent_at = now_s();
                        failed = send_all(s->fd, reply, strlen(reply)) < 0;
                        line = nl + 1;
                    }
                    s->len = (int)(end - line);
                    memmove(s->buf, line, s->len);
                    if (s->len == BUF) failed = 1;
                }
            }
            if (eof || failed) {
                finish(s, now, warmup_until, failed);
                if (now < deadline)
                    start(s);
                else
                    open--;
            }
        }
    }
    double measured = now_s() - warmup_until;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec * 1e-6;
    printf("{\"sessions_per_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"errors\": %llu, "
           "\"commands\": %llu, \"load_cpu_s\": %.3f, \"wall_s\": %.3f}\n",
           sessions_done / measured, percentile_ms(0.5), percentile_ms(0.99),
           (unsigned long long)errors, (unsigned long long)samples, cpu, now_s() - begin);
    return 0;
}
