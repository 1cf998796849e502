/*
 * glib_loop.c: librvirt on a GLib main loop, through rvirEventRegisterImpl.
 *
 * The program implements libvirt's six event-loop callbacks itself on GLib's default main
 * context (fd watches with g_unix_fd_add_full, timers with g_timeout_add / g_idle_add),
 * registers them, and drives a test:///default domain through its lifecycle from inside the
 * lifecycle callback: each event triggers the next step, the last one quits the loop.
 * It also watches a pipe through rvirEventAddHandle, which reaches the GLib callbacks below.
 * Exits 0 when every expected event arrived, 1 on failure or after a 10 s watchdog.
 */
#include <glib.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rvirt.h>

/* ---- the event-loop implementation on GLib ------------------------------------------ */

typedef struct {
    int watch;
    int fd;
    int events;
    guint source;
    gboolean removed;
    rvirEventHandleCallback cb;
    void *opaque;
    rvirFreeCallback ff;
} Handle;

typedef struct {
    int timer;
    int interval;
    guint source;
    gboolean removed;
    rvirEventTimeoutCallback cb;
    void *opaque;
    rvirFreeCallback ff;
} Timeout;

static GMutex loop_lock;
static GPtrArray *handles; /* of Handle*, removed ones until their ff ran */
static GPtrArray *timeouts;
static int next_watch = 1;
static int next_timer = 1;

static GIOCondition to_glib(int events)
{
    GIOCondition cond = 0;
    if (events & RVIR_EVENT_HANDLE_READABLE)
        cond |= G_IO_IN;
    if (events & RVIR_EVENT_HANDLE_WRITABLE)
        cond |= G_IO_OUT;
    return cond | G_IO_HUP | G_IO_ERR;
}

static int from_glib(GIOCondition cond)
{
    int events = 0;
    if (cond & G_IO_IN)
        events |= RVIR_EVENT_HANDLE_READABLE;
    if (cond & G_IO_OUT)
        events |= RVIR_EVENT_HANDLE_WRITABLE;
    if (cond & (G_IO_ERR | G_IO_NVAL))
        events |= RVIR_EVENT_HANDLE_ERROR;
    if (cond & G_IO_HUP)
        events |= RVIR_EVENT_HANDLE_HANGUP;
    return events;
}

static gboolean handle_dispatch(gint fd, GIOCondition cond, gpointer data)
{
    Handle *h = data;
    rvirEventHandleCallback cb;
    void *opaque;
    int watch;

    g_mutex_lock(&loop_lock);
    if (h->removed) {
        g_mutex_unlock(&loop_lock);
        return G_SOURCE_CONTINUE;
    }
    cb = h->cb;
    opaque = h->opaque;
    watch = h->watch;
    g_mutex_unlock(&loop_lock);
    /* Called with no lock held: the callback may add, update or remove anything. */
    cb(watch, fd, from_glib(cond), opaque);
    return G_SOURCE_CONTINUE; /* level-triggered: stays armed until updated or removed */
}

/* Caller holds loop_lock. */
static void handle_arm(Handle *h)
{
    if (h->source) {
        g_source_remove(h->source);
        h->source = 0;
    }
    if (h->events)
        h->source = g_unix_fd_add_full(G_PRIORITY_DEFAULT, h->fd, to_glib(h->events),
                                       handle_dispatch, h, NULL);
}

static Handle *find_handle(int watch)
{
    for (guint i = 0; i < handles->len; i++) {
        Handle *h = g_ptr_array_index(handles, i);
        if (h->watch == watch && !h->removed)
            return h;
    }
    return NULL;
}

static int glib_add_handle(int fd, int events, rvirEventHandleCallback cb, void *opaque,
                           rvirFreeCallback ff)
{
    Handle *h = g_new0(Handle, 1);
    int watch;

    g_mutex_lock(&loop_lock);
    h->watch = watch = next_watch++;
    h->fd = fd;
    h->events = events;
    h->cb = cb;
    h->opaque = opaque;
    h->ff = ff;
    handle_arm(h);
    g_ptr_array_add(handles, h);
    g_mutex_unlock(&loop_lock);
    return watch;
}

static void glib_update_handle(int watch, int events)
{
    Handle *h;

    g_mutex_lock(&loop_lock);
    if ((h = find_handle(watch)) && h->events != events) {
        h->events = events;
        handle_arm(h);
    }
    g_mutex_unlock(&loop_lock);
}

/* Runs from an idle source, on a fresh stack: the deferred ff of a removed watch. */
static gboolean handle_release(gpointer data)
{
    Handle *h = data;

    g_mutex_lock(&loop_lock);
    g_ptr_array_remove(handles, h);
    g_mutex_unlock(&loop_lock);
    if (h->ff)
        h->ff(h->opaque);
    g_free(h);
    return G_SOURCE_REMOVE;
}

static int glib_remove_handle(int watch)
{
    Handle *h;

    g_mutex_lock(&loop_lock);
    if (!(h = find_handle(watch))) {
        g_mutex_unlock(&loop_lock);
        return -1;
    }
    h->removed = TRUE;
    if (h->source) {
        g_source_remove(h->source);
        h->source = 0;
    }
    g_idle_add(handle_release, h); /* never call ff from inside remove */
    g_mutex_unlock(&loop_lock);
    return 0;
}

static gboolean timeout_dispatch(gpointer data)
{
    Timeout *t = data;
    rvirEventTimeoutCallback cb;
    void *opaque;
    int timer;

    g_mutex_lock(&loop_lock);
    if (t->removed) {
        g_mutex_unlock(&loop_lock);
        return G_SOURCE_CONTINUE;
    }
    cb = t->cb;
    opaque = t->opaque;
    timer = t->timer;
    g_mutex_unlock(&loop_lock);
    cb(timer, opaque);
    return G_SOURCE_CONTINUE; /* periodic, not one-shot */
}

/* Caller holds loop_lock. -1 disabled, 0 every iteration (idle), N ms periodic. */
static void timeout_arm(Timeout *t)
{
    if (t->source) {
        g_source_remove(t->source);
        t->source = 0;
    }
    if (t->interval == 0)
        t->source = g_idle_add(timeout_dispatch, t);
    else if (t->interval > 0)
        t->source = g_timeout_add(t->interval, timeout_dispatch, t);
}

static Timeout *find_timeout(int timer)
{
    for (guint i = 0; i < timeouts->len; i++) {
        Timeout *t = g_ptr_array_index(timeouts, i);
        if (t->timer == timer && !t->removed)
            return t;
    }
    return NULL;
}

static int glib_add_timeout(int interval, rvirEventTimeoutCallback cb, void *opaque,
                            rvirFreeCallback ff)
{
    Timeout *t = g_new0(Timeout, 1);
    int timer;

    g_mutex_lock(&loop_lock);
    t->timer = timer = next_timer++;
    t->interval = interval;
    t->cb = cb;
    t->opaque = opaque;
    t->ff = ff;
    timeout_arm(t);
    g_ptr_array_add(timeouts, t);
    g_mutex_unlock(&loop_lock);
    return timer;
}

static void glib_update_timeout(int timer, int interval)
{
    Timeout *t;

    g_mutex_lock(&loop_lock);
    if ((t = find_timeout(timer))) {
        t->interval = interval;
        timeout_arm(t);
    }
    g_mutex_unlock(&loop_lock);
}

static gboolean timeout_release(gpointer data)
{
    Timeout *t = data;

    g_mutex_lock(&loop_lock);
    g_ptr_array_remove(timeouts, t);
    g_mutex_unlock(&loop_lock);
    if (t->ff)
        t->ff(t->opaque);
    g_free(t);
    return G_SOURCE_REMOVE;
}

static int glib_remove_timeout(int timer)
{
    Timeout *t;

    g_mutex_lock(&loop_lock);
    if (!(t = find_timeout(timer))) {
        g_mutex_unlock(&loop_lock);
        return -1;
    }
    t->removed = TRUE;
    if (t->source) {
        g_source_remove(t->source);
        t->source = 0;
    }
    g_idle_add(timeout_release, t);
    g_mutex_unlock(&loop_lock);
    return 0;
}

/* ---- the application ---------------------------------------------------------------- */

static const char *xml =
    "<domain type='test'>"
    "  <name>c-glib-loop</name>"
    "  <memory unit='MiB'>128</memory>"
    "  <vcpu>1</vcpu>"
    "  <os><type arch='x86_64'>hvm</type></os>"
    "</domain>";

static GMainLoop *main_loop;
static rvirDomainPtr dom;
static int failed;
static int events_seen;
static int pipe_fds[2];

static void step_failed(const char *what)
{
    fprintf(stderr, "glib_loop: %s failed: %s\n", what, rvirGetLastErrorMessage());
    failed = 1;
    g_main_loop_quit(main_loop);
}

static const char *event_name(int event)
{
    static const char *names[] = {"Defined", "Undefined", "Started", "Suspended", "Resumed",
                                  "Stopped", "Shutdown", "PMSuspended", "Crashed"};
    return event >= 0 && event < 9 ? names[event] : "Other";
}

/* Each lifecycle event starts the next step, from inside the event callback. */
static int on_lifecycle(rvirConnectPtr conn, rvirDomainPtr d, int event, int detail,
                        void *opaque)
{
    (void)conn;
    (void)opaque;
    printf("glib: event %s (%d %d) for %s\n", event_name(event), event, detail,
           rvirDomainGetName(d));
    fflush(stdout);
    events_seen++;
    switch (event) {
    case RVIR_DOMAIN_EVENT_DEFINED:
        if (rvirDomainCreate(dom) < 0)
            step_failed("create");
        break;
    case RVIR_DOMAIN_EVENT_STARTED:
        if (rvirDomainSuspend(dom) < 0)
            step_failed("suspend");
        break;
    case RVIR_DOMAIN_EVENT_SUSPENDED:
        if (rvirDomainResume(dom) < 0)
            step_failed("resume");
        break;
    case RVIR_DOMAIN_EVENT_RESUMED:
        if (rvirDomainDestroy(dom) < 0)
            step_failed("destroy");
        break;
    case RVIR_DOMAIN_EVENT_STOPPED:
        if (rvirDomainUndefine(dom) < 0)
            step_failed("undefine");
        break;
    case RVIR_DOMAIN_EVENT_UNDEFINED:
        g_main_loop_quit(main_loop);
        break;
    }
    return 0;
}

static void on_pipe(int watch, int fd, int events, void *opaque)
{
    char c;

    (void)opaque;
    if ((events & RVIR_EVENT_HANDLE_READABLE) && read(fd, &c, 1) == 1)
        printf("glib: pipe watch %d read '%c'\n", watch, c);
    rvirEventRemoveHandle(watch); /* removing itself from inside its callback */
}

static gboolean on_watchdog(gpointer data)
{
    (void)data;
    fprintf(stderr, "glib_loop: timed out after %d events\n", events_seen);
    failed = 1;
    g_main_loop_quit(main_loop);
    return G_SOURCE_REMOVE;
}

int main(void)
{
    rvirConnectPtr conn;
    int cb, watch;
    guint watchdog;

    handles = g_ptr_array_new();
    timeouts = g_ptr_array_new();
    rvirEventRegisterImpl(glib_add_handle, glib_update_handle, glib_remove_handle,
                          glib_add_timeout, glib_update_timeout, glib_remove_timeout);
    if (rvirGetLastError()) {
        fprintf(stderr, "glib_loop: rvirEventRegisterImpl: %s\n", rvirGetLastErrorMessage());
        return 1;
    }
    main_loop = g_main_loop_new(NULL, FALSE);

    if (!(conn = rvirConnectOpen("test:///default"))) {
        fprintf(stderr, "glib_loop: open: %s\n", rvirGetLastErrorMessage());
        return 1;
    }
    cb = rvirConnectDomainEventRegisterAny(conn, NULL, RVIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                           RVIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
    if (cb < 0) {
        fprintf(stderr, "glib_loop: register: %s\n", rvirGetLastErrorMessage());
        return 1;
    }

    if (pipe(pipe_fds) < 0 || write(pipe_fds[1], "x", 1) != 1)
        return 1;
    watch = rvirEventAddHandle(pipe_fds[0], RVIR_EVENT_HANDLE_READABLE, on_pipe, NULL, NULL);
    if (watch < 0) {
        fprintf(stderr, "glib_loop: add handle: %s\n", rvirGetLastErrorMessage());
        return 1;
    }

    if (!(dom = rvirDomainDefineXML(conn, xml))) {
        fprintf(stderr, "glib_loop: define: %s\n", rvirGetLastErrorMessage());
        return 1;
    }
    watchdog = g_timeout_add_seconds(10, on_watchdog, NULL);
    g_main_loop_run(main_loop);
    g_source_remove(watchdog);

    rvirDomainFree(dom);
    rvirConnectDomainEventDeregisterAny(conn, cb);
    rvirConnectClose(conn);
    /* Let the deferred ff callbacks of removed watches and timers run. */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    printf("glib: %u watches left, %u timers left\n", handles->len,
           timeouts->len);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    g_ptr_array_free(handles, TRUE);
    g_ptr_array_free(timeouts, TRUE);
    g_main_loop_unref(main_loop);
    if (failed || events_seen != 6)
        return 1;
    printf("glib_loop: done\n");
    return 0;
}
