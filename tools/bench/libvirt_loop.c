/* Baseline for rvirt's loop benchmarks: libvirt's own default event loop
 * (virEventRegisterDefaultImpl + virEventAddHandle + virEventRunDefaultImpl) on the
 * same workload as core/benches/default_loop.rs: N eventfd (or pipe) watches; a round
 * makes every fd readable, then runs iterations until every callback consumed its event.
 *
 * Usage: libvirt_loop KIND WATCHES EVENTS   (KIND = eventfd | pipe)
 * Prints: KIND WATCHES EVENTS EVENTS_PER_SECOND
 */
#define _GNU_SOURCE
#include <libvirt/libvirt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

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

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s eventfd|pipe WATCHES EVENTS\n", argv[0]);
        return 2;
    }
    int pipes = strcmp(argv[1], "pipe") == 0;
    long n = atol(argv[2]), events = atol(argv[3]);
    int *rfd = calloc(n, sizeof(int)), *wfd = calloc(n, sizeof(int));
    if (!rfd || !wfd || virEventRegisterDefaultImpl() < 0)
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
        while (consumed < r * n)
            if (virEventRunDefaultImpl() < 0)
                return 1;
    }
    double secs = now() - start;
    printf("%s %ld %ld %.0f\n", argv[1], n, rounds * n, (rounds * n) / secs);
    return 0;
}
