/* check_util.c: helpers for the Check programs that run cases (find the catalogue, binaries, a case folder). */
#include "tests/check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ecu_env(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return v && *v ? v : dflt;
}

int ecu_load_cases(struct ec_case **cases, int *n)
{
    char dflt[4096], err[1024];
    const char *dir;

    snprintf(dflt, sizeof(dflt), "%s/cases", ecu_env("EC_TOP_SRCDIR", "."));
    dir = ecu_env("EDGECASE_CASES", dflt);
    if (case_load_dir(dir, cases, n, err, sizeof(err)) < 0) {
        fprintf(stderr, "cannot load cases: %s\n", err);
        return -1;
    }
    return 0;
}

const struct ec_case *ecu_find(const struct ec_case *cases, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(cases[i].name, name))
            return &cases[i];
    return NULL;
}

const char *ecu_build_path(const char *rel, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%s/%s", ecu_env("EC_TOP_BUILDDIR", "."), rel);
    return buf;
}

/* mkdir -p for the two levels below tests/check-results. */
static void ecu_mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    mkdir(path, 0755);
}

static double ecu_scale(void)
{
    double s = atof(ecu_env("EC_TIMEOUT_SCALE", "1"));

    return s > 0 ? s : 1.0;
}

void ecu_run_in(const struct ec_case *c, const char *cmd, const char *proto, const char *dir,
                struct case_outcome *o)
{
    struct run_conf rc;
    char server[4096], err[256], so[4096];

    run_conf_init(&rc);
    rc.server_path = ecu_build_path("server/edgecase-server", server, sizeof(server));
    rc.target_cmd = cmd;
    /* Like edgecase run: targets run traced under the injector when it is built. */
    if (access(ecu_build_path("harness/inject/.libs/libedgecase-inject.so", so, sizeof(so)), R_OK) == 0)
        rc.inject_so = so;
    rc.proto = c->protos[0];
    if (proto && case_proto_parse(proto, &rc.proto, err, sizeof(err)) < 0)
        rc.proto = c->protos[0];
    rc.timeout_scale = ecu_scale();
    rc.seed = strtoull(ecu_env("EC_SEED", "1"), NULL, 10);
    run_case(&rc, c, dir, o);
}

void ecu_run(const struct ec_case *c, const char *cmd, const char *proto, const char *suite,
             struct case_outcome *o)
{
    char dir[4096], rel[512];

    snprintf(rel, sizeof(rel), "tests/check-results/%s/%s", suite, c->name);
    ecu_mkdirs((char *)ecu_build_path(rel, dir, sizeof(dir)));
    ecu_run_in(c, cmd, proto, dir, o);
}

double ecu_timeout(const struct ec_case *c)
{
    return (c->deadline_ms / 1e3 + 30) * ecu_scale();
}

const char *const ecu_case_bins[] = { "server/edgecase-server", "harness/inject/.libs/libedgecase-inject.so",
                                      NULL };

int ecu_require_built(const char *const *rels)
{
    char path[4096];

    for (; *rels; rels++)
        if (access(ecu_build_path(*rels, path, sizeof(path)), R_OK) != 0) {
            fprintf(stderr, "ERROR: %s is not built (make check builds it; run make first)\n", path);
            return -1;
        }
    return 0;
}

int ecu_libevent_expected(void)
{
    return strcmp(ecu_env("EC_WITH_LIBEVENT", "yes"), "no") != 0;
}
