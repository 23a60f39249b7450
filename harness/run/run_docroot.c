/* run_docroot.c: the http document root of a case: a file per piece of each client's echo stream its GETs ask for, written before the target starts and removed after. */
#include "harness/run/run_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/proto/http.h"

/* A case's document root may not exceed this (the disk it takes while the case runs). */
#define RUN_DOCROOT_MAX (2ULL << 30)
#define RUN_DOCROOT_BUF (64 * 1024)

/* Writes request j's file: size bytes of the client's echo stream from its offset. Skips a
 * file already there (a request whose offset wrapped). Returns 0 or -1 with err. */
static int run__docroot_file(const char *root, uint64_t seed, const struct http_plan *p, uint32_t j, char *buf,
                             char *err, size_t errlen)
{
    char path[4200], rel[48];
    struct stat st;
    uint64_t size = http_req_size(p, j), off = http_req_off(p, j), end = off + size;
    int fd;

    http_req_path(p, j, rel, sizeof(rel));
    snprintf(path, sizeof(path), "%s%s", root, rel);
    if (stat(path, &st) == 0 && (uint64_t)st.st_size == size)
        return 0;
    *strrchr(path, '/') = '\0';
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "docroot: mkdir %.300s: %s", path, strerror(errno));
        return -1;
    }
    path[strlen(path)] = '/';
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        snprintf(err, errlen, "docroot: %.300s: %s", path, strerror(errno));
        return -1;
    }
    while (off < end) {
        size_t n = end - off < RUN_DOCROOT_BUF ? (size_t)(end - off) : RUN_DOCROOT_BUF;

        pattern_echo_fill(seed, p->client, off, buf, n);
        if (write(fd, buf, n) != (ssize_t)n) {
            snprintf(err, errlen, "docroot: writing %.300s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        off += n;
    }
    return close(fd);
}

/* The requests whose files hold every piece of plan p: the first wrap (or all but the last) and the last. */
static uint32_t run__docroot_pieces(const struct http_plan *p)
{
    return p->wrap < p->nreq - 1 ? p->wrap : p->nreq - 1;
}

/* Bytes the files of one client's plan take. */
static uint64_t run__docroot_plan_bytes(const struct http_plan *p)
{
    return (uint64_t)run__docroot_pieces(p) * p->size + http_req_size(p, p->nreq - 1);
}

int run__docroot_make(const char *root, const struct client_spec *groups, int ngroups, uint64_t seed,
                      const char *host, char *err, size_t errlen)
{
    struct http_plan p;
    uint64_t need = 0;
    uint32_t id = 0;
    char *buf;
    int rc = 0;

    for (int g = 0; g < ngroups; g++)
        for (int k = 0; k < groups[g].count; k++, id++) {
            engine_http_plan(&groups[g], id, host, &p);
            need += run__docroot_plan_bytes(&p);
        }
    if (need > RUN_DOCROOT_MAX) {
        snprintf(err, errlen, "docroot: the case needs %llu MiB of files, more than the %llu MiB allowed",
                 (unsigned long long)(need >> 20), (unsigned long long)(RUN_DOCROOT_MAX >> 20));
        return -1;
    }
    if ((mkdir(root, 0755) < 0 && errno != EEXIST) || !(buf = malloc(RUN_DOCROOT_BUF))) {
        snprintf(err, errlen, "docroot: mkdir %.300s: %s", root, strerror(errno));
        return -1;
    }
    id = 0;
    for (int g = 0; g < ngroups && rc == 0; g++)
        for (int k = 0; k < groups[g].count && rc == 0; k++, id++) {
            engine_http_plan(&groups[g], id, host, &p);
            for (uint32_t j = 0; j < run__docroot_pieces(&p) && rc == 0; j++)
                rc = run__docroot_file(root, seed, &p, j, buf, err, errlen);
            if (rc == 0)
                rc = run__docroot_file(root, seed, &p, p.nreq - 1, buf, err, errlen);
        }
    free(buf);
    return rc;
}

/* Removes dir's entries and dir; depth bounded by the layout (root/cXXXXXX/file). */
static void run__rm_tree(const char *dir, int depth)
{
    char path[4200];
    struct dirent *d;
    DIR *dh = depth < 3 ? opendir(dir) : NULL;

    while (dh && (d = readdir(dh)) != NULL) {
        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
        if (unlink(path) < 0 && (errno == EISDIR || errno == EPERM))
            run__rm_tree(path, depth + 1);
    }
    if (dh)
        closedir(dh);
    rmdir(dir);
}

void run__docroot_remove(const char *root)
{
    run__rm_tree(root, 0);
}
