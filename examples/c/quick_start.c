/* README quick start (C): lifecycle events of test:///default on rvirt's own loop. */
#include <stdio.h>
#include <rvirt.h>

static int seen;
static int on_event(rvirConnectPtr conn, rvirDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn, (void)opaque;
    printf("%s: event %d detail %d\n", rvirDomainGetName(dom), event, detail);
    return ++seen, 0;
}
int main(void)
{
    rvirEventRegisterDefaultImpl();
    rvirConnectPtr conn = rvirConnectOpen("test:///default");
    rvirDomainPtr dom = conn ? rvirDomainLookupByName(conn, "test") : NULL;
    if (!dom || rvirConnectDomainEventRegisterAny(conn, dom, RVIR_DOMAIN_EVENT_ID_LIFECYCLE, RVIR_DOMAIN_EVENT_CALLBACK(on_event), NULL, NULL) < 0 || rvirDomainSuspend(dom) < 0 || rvirDomainResume(dom) < 0)
        return fprintf(stderr, "%s\n", rvirGetLastErrorMessage()), 1;
    while (seen < 2 && rvirEventRunDefaultImpl() == 0) {}
    return rvirDomainFree(dom), rvirConnectClose(conn), seen == 2 ? 0 : 1;
}
