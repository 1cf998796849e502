/*
 * default_loop.c: librvirt with rvirt's own event loop.
 *
 * Registers the default loop, opens test:///default, subscribes to lifecycle events,
 * defines, starts, destroys and undefines a domain, and runs the loop until each expected
 * event was printed. Exits 0 on success, 1 on any failure (or after a 5 s watchdog).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvirt.h>

static const char *xml =
    "<domain type='test'>"
    "  <name>c-default-loop</name>"
    "  <memory unit='MiB'>128</memory>"
    "  <vcpu>1</vcpu>"
    "  <os><type arch='x86_64'>hvm</type></os>"
    "</domain>";

static const char *event_name(int event)
{
    switch (event) {
    case RVIR_DOMAIN_EVENT_DEFINED: return "Defined";
    case RVIR_DOMAIN_EVENT_UNDEFINED: return "Undefined";
    case RVIR_DOMAIN_EVENT_STARTED: return "Started";
    case RVIR_DOMAIN_EVENT_SUSPENDED: return "Suspended";
    case RVIR_DOMAIN_EVENT_RESUMED: return "Resumed";
    case RVIR_DOMAIN_EVENT_STOPPED: return "Stopped";
    case RVIR_DOMAIN_EVENT_SHUTDOWN: return "Shutdown";
    default: return "Other";
    }
}

static int events_seen;
static int timed_out;

static int on_lifecycle(rvirConnectPtr conn, rvirDomainPtr dom, int event, int detail,
                        void *opaque)
{
    (void)conn;
    printf("%s: event %s (%d %d) for %s\n", (const char *)opaque, event_name(event), event,
           detail, rvirDomainGetName(dom));
    fflush(stdout);
    events_seen++;
    return 0;
}

static void on_callback_freed(void *opaque)
{
    printf("callback data freed: %s\n", (const char *)opaque);
}

static void on_watchdog(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    timed_out = 1;
}

static void fail(const char *what)
{
    fprintf(stderr, "default_loop: %s failed: %s\n", what, rvirGetLastErrorMessage());
    exit(1);
}

/* Runs loop iterations until `want` events have been seen in total. */
static void wait_for(int want)
{
    while (events_seen < want) {
        if (timed_out) {
            fprintf(stderr, "default_loop: timed out waiting for event %d\n", want);
            exit(1);
        }
        if (rvirEventRunDefaultImpl() < 0)
            fail("rvirEventRunDefaultImpl");
    }
}

int main(void)
{
    rvirConnectPtr conn;
    rvirDomainPtr dom, *domains = NULL;
    rvirDomainInfo info;
    char uuid[RVIR_UUID_STRING_BUFLEN];
    char *desc;
    int n, i, cb, watchdog;
    static char label[] = "lifecycle";

    if (rvirEventRegisterDefaultImpl() < 0)
        fail("rvirEventRegisterDefaultImpl");
    watchdog = rvirEventAddTimeout(5000, on_watchdog, NULL, NULL);
    if (watchdog < 0)
        fail("rvirEventAddTimeout");

    if (!(conn = rvirConnectOpen("test:///default")))
        fail("rvirConnectOpen");

    /* Error reporting: a NULL argument and a missing domain. */
    if (rvirDomainLookupByName(conn, NULL) != NULL || rvirGetLastError()->code != RVIR_ERR_INVALID_ARG)
        fail("NULL-argument check");
    if (rvirDomainLookupByName(conn, "no-such-domain") != NULL ||
        rvirGetLastError()->code != RVIR_ERR_NO_DOMAIN)
        fail("missing-domain check");
    printf("missing domain: code %d: %s\n", rvirGetLastError()->code, rvirGetLastErrorMessage());
    rvirResetLastError();

    n = rvirConnectListAllDomains(conn, &domains, 0);
    if (n < 0)
        fail("rvirConnectListAllDomains");
    for (i = 0; i < n; i++) {
        printf("domain %s id %u\n", rvirDomainGetName(domains[i]), rvirDomainGetID(domains[i]));
        rvirDomainFree(domains[i]);
    }
    free(domains);

    cb = rvirConnectDomainEventRegisterAny(conn, NULL, RVIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                           RVIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), label,
                                           on_callback_freed);
    if (cb < 0)
        fail("rvirConnectDomainEventRegisterAny");

    if (!(dom = rvirDomainDefineXML(conn, xml)))
        fail("rvirDomainDefineXML");
    wait_for(1);
    if (rvirDomainCreate(dom) < 0)
        fail("rvirDomainCreate");
    wait_for(2);

    if (rvirDomainGetInfo(dom, &info) < 0 || rvirDomainGetUUIDString(dom, uuid) < 0)
        fail("rvirDomainGetInfo");
    printf("running: state %d vcpus %d memory %lu KiB uuid-length %zu\n", info.state,
           info.nrVirtCpu, info.memory, strlen(uuid));
    if (!(desc = rvirDomainGetXMLDesc(dom, 0)))
        fail("rvirDomainGetXMLDesc");
    printf("xml mentions name: %s\n", strstr(desc, "<name>c-default-loop</name>") ? "yes" : "no");
    free(desc);

    if (rvirDomainDestroy(dom) < 0)
        fail("rvirDomainDestroy");
    wait_for(3);
    if (rvirDomainUndefine(dom) < 0)
        fail("rvirDomainUndefine");
    wait_for(4);
    rvirDomainFree(dom);

    if (rvirConnectDomainEventDeregisterAny(conn, cb) < 0)
        fail("rvirConnectDomainEventDeregisterAny");
    if (rvirConnectDomainEventDeregisterAny(conn, cb) == 0)
        fail("deregistering twice");
    rvirEventRemoveTimeout(watchdog);
    if (rvirConnectClose(conn) < 0)
        fail("rvirConnectClose");
    printf("default_loop: done, %d events\n", events_seen);
    return 0;
}
