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
 *   ah_store     with a directory argument: after SQLite has done what
 *                a job store does at the least (a WAL database file
 *                opened, a table made, a row written in a transaction
 *                and read back, the connection left open), which brings
 *                in the pages of SQLite's code that any store runs
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libssh2.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <sqlite3.h>    /* types only: the library is dlopen'ed */
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

static int
count_row(void *arg, int ncol, char **val, char **col)
{
    (void)ncol;
    (void)val;
    (void)col;
    (*(int *)arg)++;
    return 0;
}

/* The least a job store does with SQLite (see ah_store above). */
static int
sqlite_store(void *lib, const char *dir)
{
    static const char sql[] =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS jobs (seq INTEGER PRIMARY KEY "
        "AUTOINCREMENT, id TEXT NOT NULL UNIQUE, state TEXT NOT NULL,"
        " body TEXT NOT NULL);"
        "BEGIN IMMEDIATE;"
        "INSERT INTO jobs (id, state, body) VALUES ('j1', 'queued', '{}');"
        "UPDATE jobs SET state = 'finished' WHERE id = 'j1';"
        "COMMIT;";
    __typeof__(sqlite3_open_v2) *open_v2;
    __typeof__(sqlite3_exec) *exec;
    char path[PATH_MAX];
    sqlite3 *db = NULL;
    int rows = 0;

    *(void **)&open_v2 = dlsym(lib, "sqlite3_open_v2");
    *(void **)&exec = dlsym(lib, "sqlite3_exec");
    if (open_v2 == NULL || exec == NULL ||
        snprintf(path, sizeof(path), "%s/floor.db", dir) >=
        (int)sizeof(path) ||
        open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
        NULL) != SQLITE_OK ||
        exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        exec(db, "SELECT id, state FROM jobs WHERE id = 'j1'", count_row,
        &rows, NULL) != SQLITE_OK || rows != 1)
        return -1;
    return 0;   /* the connection stays open, as the store's does */
}

int
main(int argc, char **argv)
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
    print_status("ah_libs", argc < 2);
    if (argc >= 2) {
        if (sqlite_store(sqlite, argv[1]) == -1)
            return 1;
        print_status("ah_store", 1);
    }
    curl_global_cleanup();
    return 0;
}
