/*
 * host_objects.c: the host's networks, storage pools with their volumes, and secrets
 * through librvirt, on test:///default.
 *
 * Lists the networks (libvirt's `default`, its UUID, active; stopped and started
 * again; its XML), the pools (`default-pool`, running, 100 GiB) with their volumes
 * (one created for the example, then deleted), and the secrets (the test driver has
 * none: the call fails with RVIR_ERR_NO_SUPPORT, as libvirt's does). Every handle and
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

int main(void)
{
    rvirConnectPtr conn = rvirConnectOpen("test:///default");
    if (!conn)
        return fprintf(stderr, "%s\n", rvirGetLastErrorMessage()), 1;
    networks(conn);
    pools(conn);
    secrets(conn);
    rvirConnectClose(conn);
    printf("host_objects: %s\n", failures ? "FAILED" : "done");
    return failures ? 1 : 0;
}
