/*
 * glib_register.c: librvirt on a GLib main loop in one call (rvirEventRegisterGLib),
 * where glib_loop.c implements the six event-loop callbacks itself.
 *
 * Registers rvirt's GLib loop on the default context, subscribes to test:///default's
 * lifecycle events, suspends and resumes the domain, and runs a GMainLoop until both
 * events arrived (5 s watchdog). Exits 0 on success.
 */
#include <stdio.h>
#include <glib.h>
#include <rvirt.h>

static int seen;
static GMainLoop *loop;

static int on_event(rvirConnectPtr conn, rvirDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn, (void)opaque;
    printf("glib: event %d detail %d for %s\n", event, detail, rvirDomainGetName(dom));
    if (++seen == 2)
        g_main_loop_quit(loop);
    return 0;
}

static gboolean on_watchdog(gpointer data)
{
    (void)data;
    fprintf(stderr, "glib_register: timed out\n");
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(void)
{
    loop = g_main_loop_new(NULL, FALSE);
    if (rvirEventRegisterGLib(NULL) < 0 || rvirEventRegisterGLib(NULL) < 0)
        return fprintf(stderr, "register: %s\n", rvirGetLastErrorMessage()), 1;
    rvirConnectPtr conn = rvirConnectOpen("test:///default");
    rvirDomainPtr dom = conn ? rvirDomainLookupByName(conn, "test") : NULL;
    if (!dom || rvirConnectDomainEventRegisterAny(conn, dom, RVIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  RVIR_DOMAIN_EVENT_CALLBACK(on_event), NULL,
                                                  NULL) < 0 ||
        rvirDomainSuspend(dom) < 0 || rvirDomainResume(dom) < 0)
        return fprintf(stderr, "%s\n", rvirGetLastErrorMessage()), 1;
    guint watchdog = g_timeout_add(5000, on_watchdog, NULL);
    g_main_loop_run(loop);
    g_source_remove(watchdog);
    rvirDomainFree(dom);
    rvirConnectClose(conn);
    g_main_loop_unref(loop);
    printf("glib_register: %d events\n", seen);
    return seen == 2 ? 0 : 1;
}
