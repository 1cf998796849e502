/* libvirt's own default event loop (virEventRegisterDefaultImpl + virEventAddHandle /
 * virEventAddTimeout + virEventRunDefaultImpl) on issue 3's workloads, as measured on every
 * rvirt backend by rvirt-loop-bench (backends/bench/src). Extended copy of
 * tools/bench/libvirt_loop.c, which it still answers to with its original arguments.
 *
 * Usage:
 *   libvirt_loop eventfd|pipe WATCHES EVENTS   original form: KIND WATCHES EVENTS EVENTS/S
 *   libvirt_loop readiness WATCHES EVENTS [REPS]
 *       eventfd watches; one untimed warm-up round, then REPS (default 3) timed runs of
 *       EVENTS/WATCHES rounds (a round makes every fd readable, then iterates until every
 *       callback consumed its event). Prints the best events/s.
 *   libvirt_loop jitter PERIOD_MS FIRINGS
 *       one periodic timer; prints median and p99 of |interval - period| in microseconds.
 *   libvirt_loop churn CYCLES
 *       CYCLES times: add then remove a watch, add then remove a timer; one loop iteration
 *       every 100 cycles (made non-blocking by an always-readable "kicker" eventfd).
 *       Prints add+remove pairs/s.
 */
#define _GNU_SOURCE
#include <libvirt/libvirt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define CHURN_BATCH 100

static long consumed;

static void on_ready(int watch, int fd, int events, void *opaque)
{
    char buf[8];
    (void)watch; (void)events; (void)opaque;
    if (read(fd, buf, sizeof(buf)) > 0)
        consumed++;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_until(long target)
{
    while (consumed < target)
        if (virEventRunDefaultImpl() < 0)
            return -1;
    return 0;
}

/* The original workload, unchanged: no warm-up, one timed run. */
static int legacy(int pipes, long n, long events)
{
    int *rfd = calloc(n, sizeof(int)), *wfd = calloc(n, sizeof(int));
    if (!rfd || !wfd)
        return 1;
    for (long i = 0; i < n; i++) {
        if (pipes) {
            int p[2];
            if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) { perror("pipe2"); return 1; }
            rfd[i] = p[0]; wfd[i] = p[1];
        } else {
            rfd[i] = wfd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (rfd[i] < 0) { perror("eventfd"); return 1; }
        }
        if (virEventAddHandle(rfd[i], VIR_EVENT_HANDLE_READABLE, on_ready, NULL, NULL) < 0)
            return 1;
    }
    long rounds = (events + n - 1) / n;
    uint64_t one = 1;
    double start = now();
    for (long r = 1; r <= rounds; r++) {
        for (long i = 0; i < n; i++)
            if (write(wfd[i], &one, pipes ? 1 : 8) < 0) { perror("write"); return 1; }
        if (run_until(r * n) < 0)
            return 1;
    }
    double secs = now() - start;
    printf("%s %ld %ld %.0f\n", pipes ? "pipe" : "eventfd", n, rounds * n, (rounds * n) / secs);
    return 0;
}

static int poke_all(const int *fd, long n)
{
    uint64_t one = 1;
    for (long i = 0; i < n; i++)
        if (write(fd[i], &one, 8) != 8) { perror("write"); return -1; }
    return 0;
}

static int readiness(long n, long events, long reps)
{
    int *fd = calloc(n, sizeof(int));
    if (!fd)
        return 1;
    for (long i = 0; i < n; i++) {
        fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd[i] < 0) { perror("eventfd"); return 1; }
        if (virEventAddHandle(fd[i], VIR_EVENT_HANDLE_READABLE, on_ready, NULL, NULL) < 0)
            return 1;
    }
    long rounds = (events + n - 1) / n, target = n;
    if (rounds < 1)
        rounds = 1;
    if (poke_all(fd, n) < 0 || run_until(target) < 0)
        return 1;
    double best = 0;
    for (long rep = 0; rep < reps; rep++) {
        double start = now();
        for (long r = 0; r < rounds; r++) {
            target += n;
            if (poke_all(fd, n) < 0 || run_until(target) < 0)
                return 1;
        }
        double rate = (rounds * n) / (now() - start);
        if (rate > best)
            best = rate;
    }
    printf("%.0f\n", best);
    return 0;
}

static double *stamps;
static long fired;

static void on_timer(int timer, void *opaque)
{
    (void)timer; (void)opaque;
    stamps[fired++] = now();
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int jitter(long period_ms, long firings)
{
    if (firings < 2)
        return 2;
    stamps = calloc(firings + 1, sizeof(double));
    double *dev = calloc(firings, sizeof(double));
    if (!stamps || !dev)
        return 1;
    int t = virEventAddTimeout(period_ms, on_timer, NULL, NULL);
    if (t < 0)
        return 1;
    while (fired < firings)
        if (virEventRunDefaultImpl() < 0)
            return 1;
    virEventRemoveTimeout(t);
    long n = firings - 1;
    for (long i = 0; i < n; i++)
        dev[i] = fabs((stamps[i + 1] - stamps[i]) - period_ms / 1e3) * 1e6;
    qsort(dev, n, sizeof(double), cmp_double);
    /* Nearest rank, as in rvirt-loop-bench. */
    long r50 = (long)ceil(0.50 * n), r99 = (long)ceil(0.99 * n);
    printf("%.1f %.1f\n", dev[(r50 < 1 ? 1 : r50) - 1], dev[(r99 < 1 ? 1 : r99) - 1]);
    return 0;
}

static long kicks;

static void on_kick(int watch, int fd, int events, void *opaque)
{
    (void)watch; (void)fd; (void)events; (void)opaque;
    kicks++;
}

static void on_nothing(int watch, int fd, int events, void *opaque)
{
    (void)watch; (void)fd; (void)events; (void)opaque;
}

static void on_no_timer(int timer, void *opaque)
{
    (void)timer; (void)opaque;
}

static int churn(long cycles)
{
    int kicker = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC); /* readable, never consumed */
    int target = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (kicker < 0 || target < 0) { perror("eventfd"); return 1; }
    int kw = virEventAddHandle(kicker, VIR_EVENT_HANDLE_READABLE, on_kick, NULL, NULL);
    if (kw < 0)
        return 1;
    double start = now();
    for (long i = 0; i < cycles; i++) {
        int w = virEventAddHandle(target, VIR_EVENT_HANDLE_READABLE, on_nothing, NULL, NULL);
        if (w < 0 || virEventRemoveHandle(w) < 0)
            return 1;
        int t = virEventAddTimeout(1000, on_no_timer, NULL, NULL);
        if (t < 0 || virEventRemoveTimeout(t) < 0)
            return 1;
        if ((i + 1) % CHURN_BATCH == 0) {
            long seen = kicks;
            while (kicks <= seen)
                if (virEventRunDefaultImpl() < 0)
                    return 1;
        }
    }
    double secs = now() - start;
    virEventRemoveHandle(kw);
    printf("%.0f\n", 2.0 * cycles / secs);
    return 0;
}

static int usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s eventfd|pipe WATCHES EVENTS\n"
            "       %s readiness WATCHES EVENTS [REPS]\n"
            "       %s jitter PERIOD_MS FIRINGS\n"
            "       %s churn CYCLES\n",
            argv0, argv0, argv0, argv0);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(argv[0]);
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    const char *mode = argv[1];
    if ((strcmp(mode, "eventfd") == 0 || strcmp(mode, "pipe") == 0) && argc == 4)
        return legacy(strcmp(mode, "pipe") == 0, atol(argv[2]), atol(argv[3]));
    if (strcmp(mode, "readiness") == 0 && (argc == 4 || argc == 5))
        return readiness(atol(argv[2]), atol(argv[3]), argc == 5 ? atol(argv[4]) : 3);
    if (strcmp(mode, "jitter") == 0 && argc == 4)
        return jitter(atol(argv[2]), atol(argv[3]));
    if (strcmp(mode, "churn") == 0 && argc == 3)
        return churn(atol(argv[2]));
    return usage(argv[0]);
}
