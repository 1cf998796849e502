/*
 * host_objects.c: the host's networks, storage pools with their volumes, secrets,
 * node devices, host interfaces and network filters through librvirt, on
 * test:///default.
 *
 * Lists the networks (libvirt's `default`, its UUID, active; stopped and started
 * again; its XML), the pools (`default-pool`, running, 100 GiB) with their volumes
 * (one created for the example, then deleted), and the secrets (the test driver has
 * none: the call fails with RVIR_ERR_NO_SUPPORT, as libvirt's does), the node devices
 * (`computer` and its SCSI hosts, with parents and capabilities), the interfaces
 * (`eth1`, found again by its MAC) and the network filters (none in the test driver:
 * RVIR_ERR_NO_SUPPORT, as libvirt's test driver answers). Every handle and
 * array is freed as libvirt's API asks. Exits 0 when every value is the expected one,
 * 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvirt.h>

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        const char *msg = rvirGetLastErrorMessage();
        fprintf(stderr, "host_objects: unexpected %s (%s)\n", what, msg ? msg : "no error");
        failures++;
    }
}

static void networks(rvirConnectPtr conn)
{
    rvirNetworkPtr *nets = NULL;
    int n = rvirConnectListAllNetworks(conn, &nets, 0);
    expect(n == 1, "network count");
    for (int i = 0; i < n; i++) {
        char uuid[RVIR_UUID_STRING_BUFLEN];
        const char *name = rvirNetworkGetName(nets[i]);
        expect(rvirNetworkGetUUIDString(nets[i], uuid) == 0, "network UUID failure");
        printf("network %s uuid %s active %d\n", name, uuid, rvirNetworkIsActive(nets[i]));
        expect(strcmp(name, "default") == 0, "network name");
        expect(strcmp(uuid, "dd8fe884-6c02-601e-7551-cca97df1c5df") == 0, "network UUID");
        rvirNetworkFree(nets[i]);
    }
    free(nets);

    rvirNetworkPtr net = rvirNetworkLookupByName(conn, "default");
    expect(net != NULL, "network lookup failure");
    if (!net)
        return;
    expect(rvirNetworkDestroy(net) == 0, "network destroy failure");
    expect(rvirNetworkIsActive(net) == 0, "active network after destroy");
    expect(rvirNetworkCreate(net) == 0, "network create failure");
    expect(rvirNetworkIsActive(net) == 1, "inactive network after create");
    expect(rvirNetworkCreate(net) == -1, "second start of a running network");
    printf("second start: code %d\n", rvirGetLastError()->code);
    char *xml = rvirNetworkGetXMLDesc(net, 0);
    expect(xml && strstr(xml, "<bridge name='virbr0'") != NULL, "network XML");
    printf("network xml names virbr0: %s\n", xml && strstr(xml, "virbr0") ? "yes" : "no");
    free(xml);
    rvirNetworkFree(net);

    expect(rvirNetworkLookupByName(conn, "no-such-network") == NULL, "missing network found");
    printf("missing network: code %d: %s\n", rvirGetLastError()->code, rvirGetLastErrorMessage());
}

static void volumes(rvirStoragePoolPtr pool)
{
    rvirStorageVolPtr made = rvirStorageVolCreateXML(
        pool, "<volume><name>c-example.img</name><capacity>1048576</capacity></volume>", 0);
    expect(made != NULL, "volume create failure");

    rvirStorageVolPtr *vols = NULL;
    int n = rvirStoragePoolListAllVolumes(pool, &vols, 0);
    expect(n == 1, "volume count");
    for (int i = 0; i < n; i++) {
        rvirStorageVolInfo info;
        char *path = rvirStorageVolGetPath(vols[i]);
        expect(rvirStorageVolGetInfo(vols[i], &info) == 0, "volume info failure");
        printf("  volume %s path %s type %d capacity %llu\n", rvirStorageVolGetName(vols[i]),
               path ? path : "?", info.type, info.capacity);
        expect(strcmp(rvirStorageVolGetName(vols[i]), "c-example.img") == 0, "volume name");
        expect(path && strcmp(path, "/default-pool/c-example.img") == 0, "volume path");
        expect(info.type == RVIR_STORAGE_VOL_FILE && info.capacity == 1048576, "volume info");
        free(path);
        rvirStorageVolFree(vols[i]);
    }
    free(vols);

    if (made) {
        expect(rvirStorageVolDelete(made, 0) == 0, "volume delete failure");
        rvirStorageVolFree(made);
    }
    expect(rvirStoragePoolListAllVolumes(pool, NULL, 0) == 0, "volumes left after delete");
}

static void pools(rvirConnectPtr conn)
{
    rvirStoragePoolPtr *list = NULL;
    int n = rvirConnectListAllStoragePools(conn, &list, RVIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
    expect(n == 1, "pool count");
    for (int i = 0; i < n; i++) {
        rvirStoragePoolInfo info;
        expect(rvirStoragePoolGetInfo(list[i], &info) == 0, "pool info failure");
        printf("pool %s state %d capacity %llu available %llu\n", rvirStoragePoolGetName(list[i]),
               info.state, info.capacity, info.available);
        expect(strcmp(rvirStoragePoolGetName(list[i]), "default-pool") == 0, "pool name");
        expect(info.state == RVIR_STORAGE_POOL_RUNNING, "pool state");
        expect(info.capacity == 107374182400ULL, "pool capacity");
        volumes(list[i]);
        rvirStoragePoolFree(list[i]);
    }
    free(list);
    expect(rvirStoragePoolLookupByName(conn, "no-such-pool") == NULL, "missing pool found");
    printf("missing pool: code %d\n", rvirGetLastError()->code);
}

static void secrets(rvirConnectPtr conn)
{
    rvirSecretPtr *list = NULL;
    int n = rvirConnectListAllSecrets(conn, &list, 0);
    if (n < 0) {
        /* test:/// has no secret driver, like libvirt's test driver. */
        printf("secrets: code %d: %s\n", rvirGetLastError()->code, rvirGetLastErrorMessage());
        expect(rvirGetLastError()->code == RVIR_ERR_NO_SUPPORT, "secret listing error");
        expect(list == NULL, "secret array set on failure");
        return;
    }
    for (int i = 0; i < n; i++) {
        char uuid[RVIR_UUID_STRING_BUFLEN];
        expect(rvirSecretGetUUIDString(list[i], uuid) == 0, "secret UUID failure");
        printf("secret %s usage %d %s\n", uuid, rvirSecretGetUsageType(list[i]),
               rvirSecretGetUsageID(list[i]));
        rvirSecretFree(list[i]);
    }
    free(list);
    expect(0, "secrets on test:///default");
}

static void node_devices(rvirConnectPtr conn)
{
    rvirNodeDevicePtr *devs = NULL;
    int n = rvirConnectListAllNodeDevices(conn, &devs, 0);
    expect(n == 4, "node device count");
    for (int i = 0; i < n; i++) {
        char *parent = rvirNodeDeviceGetParent(devs[i]);
        int ncaps = rvirNodeDeviceNumOfCaps(devs[i]);
        char *caps[8] = { NULL };
        int got = rvirNodeDeviceListCaps(devs[i], caps, 8);
        expect(ncaps >= 1 && got == ncaps, "node device capabilities");
        printf("node device %s parent %s caps", rvirNodeDeviceGetName(devs[i]),
               parent ? parent : "(none)");
        for (int c = 0; c < got; c++) {
            printf(" %s", caps[c]);
            free(caps[c]);
        }
        printf("\n");
        free(parent);
        rvirNodeDeviceFree(devs[i]);
    }
    free(devs);

    int systems = rvirConnectListAllNodeDevices(conn, NULL, RVIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM);
    expect(systems == 1, "system device count");
    rvirNodeDevicePtr host = rvirNodeDeviceLookupByName(conn, "scsi_host1");
    expect(host != NULL, "node device lookup failure");
    if (host) {
        char *xml = rvirNodeDeviceGetXMLDesc(host, 0);
        expect(xml && strstr(xml, "<parent>computer</parent>") != NULL, "node device XML");
        free(xml);
        rvirNodeDeviceFree(host);
    }
    expect(rvirNodeDeviceLookupByName(conn, "no_such_device") == NULL, "missing device found");
    printf("missing node device: code %d\n", rvirGetLastError()->code);
    expect(rvirGetLastError()->code == RVIR_ERR_NO_NODE_DEVICE, "missing device error");
}

static void interfaces(rvirConnectPtr conn)
{
    rvirInterfacePtr *list = NULL;
    int n = rvirConnectListAllInterfaces(conn, &list, RVIR_CONNECT_LIST_INTERFACES_ACTIVE);
    expect(n == 1, "active interface count");
    for (int i = 0; i < n; i++) {
        const char *name = rvirInterfaceGetName(list[i]);
        const char *mac = rvirInterfaceGetMACString(list[i]);
        printf("interface %s mac %s active %d\n", name, mac, rvirInterfaceIsActive(list[i]));
        expect(strcmp(name, "eth1") == 0, "interface name");
        rvirInterfacePtr again = rvirInterfaceLookupByMACString(conn, mac);
        expect(again && strcmp(rvirInterfaceGetName(again), name) == 0, "interface by MAC");
        if (again) {
            char *xml = rvirInterfaceGetXMLDesc(again, 0);
            expect(xml && strstr(xml, "<interface type='ethernet' name='eth1'>") != NULL,
                   "interface XML");
            free(xml);
            rvirInterfaceFree(again);
        }
        rvirInterfaceFree(list[i]);
    }
    free(list);
    expect(rvirInterfaceLookupByName(conn, "no-such-if") == NULL, "missing interface found");
    printf("missing interface: code %d\n", rvirGetLastError()->code);
    expect(rvirGetLastError()->code == RVIR_ERR_NO_INTERFACE, "missing interface error");
}

static void nwfilters(rvirConnectPtr conn)
{
    rvirNWFilterPtr *list = NULL;
    int n = rvirConnectListAllNWFilters(conn, &list, 0);
    /* test:/// has no network filter driver, like libvirt's test driver. */
    expect(n == -1 && list == NULL, "network filters on test:///default");
    printf("nwfilters: code %d: %s\n", rvirGetLastError()->code, rvirGetLastErrorMessage());
    expect(rvirGetLastError()->code == RVIR_ERR_NO_SUPPORT, "network filter listing error");
    expect(rvirConnectListAllNWFilterBindings(conn, NULL, 0) == -1, "filter bindings listed");
}

int main(void)
{
    rvirConnectPtr conn = rvirConnectOpen("test:///default");
    if (!conn)
        return fprintf(stderr, "%s\n", rvirGetLastErrorMessage()), 1;
    networks(conn);
    pools(conn);
    secrets(conn);
    node_devices(conn);
    interfaces(conn);
    nwfilters(conn);
    rvirConnectClose(conn);
    printf("host_objects: %s\n", failures ? "FAILED" : "done");
    return failures ? 1 : 0;
}
