/*
 * alexis-rss-floor: the memory the daemons' libraries cost before any of
 * our code runs, for bench/rss_bench.py. It loads what the daemons load
 * (libcurl, libmicrohttpd, libyaml, cJSON, PCRE2, OpenSSL's libcrypto;
 * each referenced, so that the linker keeps it) and prints VmRSS, RssAnon
 * and RssFile (kB) as JSON after each step:
 *
 *   loaded       the libraries mapped and their constructors run
 *                (libmicrohttpd's initialises GnuTLS)
 *   curl_init    after libssh2_init(LIBSSH2_INIT_NO_CRYPTO) and
 *                curl_global_init, what every daemon does at start
 *                (http_client_global_init)
 *   ah_libs      after loading the action handler's own libraries too
 *                (SQLite, libpq; dlopen, so that the steps above stay
 *                those of the other daemons) and sqlite3_initialize
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libssh2.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static void
print_status(const char *step, int last)
{
    char line[256];
    long rss = 0, anon = 0, file = 0;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        exit(1);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            rss = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "RssAnon:", 8) == 0)
            anon = strtol(line + 8, NULL, 10);
        else if (strncmp(line, "RssFile:", 8) == 0)
            file = strtol(line + 8, NULL, 10);
    }
    (void)fclose(f);
    printf("\"%s\":{\"VmRSS\":%ld,\"RssAnon\":%ld,\"RssFile\":%ld}%s", step,
        rss, anon, file, last ? "}\n" : ",");
}

int
main(void)
{
    char buf[16];
    void *sqlite;
    int (*sqlite_init)(void);

    /* One call into each library, so none is dropped as unneeded. */
    (void)snprintf(buf, sizeof(buf), "%s%s%d%s", cJSON_Version(),
        yaml_get_version_string(), MHD_is_feature_supported(MHD_FEATURE_TLS),
        OpenSSL_version(OPENSSL_VERSION));
    (void)pcre2_config(PCRE2_CONFIG_JIT, buf);
    printf("{");
    print_status("loaded", 0);
    if (libssh2_init(LIBSSH2_INIT_NO_CRYPTO) != 0 ||
        curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    print_status("curl_init", 0);
    if ((sqlite = dlopen("libsqlite3.so.0", RTLD_NOW)) == NULL ||
        dlopen("libpq.so.5", RTLD_NOW) == NULL ||
        (*(void **)&sqlite_init = dlsym(sqlite, "sqlite3_initialize")) ==
        NULL || sqlite_init() != 0)
        return 1;
    print_status("ah_libs", 1);
    curl_global_cleanup();
    return 0;
}
