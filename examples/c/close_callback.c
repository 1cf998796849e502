/*
 * close_callback.c: noticing that rvirtd went away, from C.
 *
 *   close_callback URI
 *
 * Registers rvirt's default event loop, opens URI (a remote one such as
 * test+unix:///default?socket=/path/libvirt-sock), registers a close callback and runs the
 * loop until the callback reports why the connection closed. Prints "ready" once the
 * callback is registered (kill the daemon then), "closed: reason N (name)" from the
 * callback and "freed" when librvirt releases the callback's opaque data. Exits 0 when the
 * callback ran once and the connection is no longer alive, 1 otherwise.
 */
#include <stdio.h>

#include <rvirt.h>

struct state {
    int calls;
    int reason;
};

static const char *reason_name(int reason)
{
    switch (reason) {
    case RVIR_CONNECT_CLOSE_REASON_ERROR: return "error";
    case RVIR_CONNECT_CLOSE_REASON_EOF: return "eof";
    case RVIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "keepalive";
    case RVIR_CONNECT_CLOSE_REASON_CLIENT: return "client";
    default: return "?";
    }
}

static void on_close(rvirConnectPtr conn, int reason, void *opaque)
{
    struct state *st = opaque;
    st->calls++;
    st->reason = reason;
    printf("closed: reason %d (%s), alive %d\n", reason, reason_name(reason),
           rvirConnectIsAlive(conn));
    fflush(stdout);
}

static void on_free(void *opaque)
{
    (void)opaque;
    printf("freed\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    struct state st = { 0, -1 };
    if (argc != 2) {
        fprintf(stderr, "usage: %s URI\n", argv[0]);
        return 1;
    }
    if (rvirEventRegisterDefaultImpl() < 0) {
        fprintf(stderr, "event loop: %s\n", rvirGetLastErrorMessage());
        return 1;
    }
    rvirConnectPtr conn = rvirConnectOpen(argv[1]);
    if (!conn) {
        fprintf(stderr, "open: %s\n", rvirGetLastErrorMessage());
        return 1;
    }
    if (rvirConnectRegisterCloseCallback(conn, on_close, &st, on_free) < 0 ||
        rvirConnectRegisterCloseCallback(conn, on_close, &st, NULL) != -1) {
        fprintf(stderr, "register: %s\n", rvirGetLastErrorMessage());
        rvirConnectClose(conn);
        return 1;
    }
    printf("ready: alive %d\n", rvirConnectIsAlive(conn));
    fflush(stdout);
    while (st.calls == 0) {
        if (rvirEventRunDefaultImpl() < 0) {
            fprintf(stderr, "loop: %s\n", rvirGetLastErrorMessage());
            break;
        }
    }
    int alive = rvirConnectIsAlive(conn);
    /* Once called, the callback is no longer registered (libvirt's behaviour). */
    int unregistered = rvirConnectUnregisterCloseCallback(conn, on_close);
    rvirConnectClose(conn);
    return st.calls == 1 && alive == 0 && unregistered == -1 ? 0 : 1;
}
