/* check_rank.c: the ranking of bug classes on synthetic observations (no server): evidence decides, else the candidates.
 * One table row: CK_RUN_CASE=table; the trace ring reader: CK_RUN_CASE=ring. Debug with CK_FORK=no gdb. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "harness/inject/trace_layout.h"
#include "harness/run/run_int.h"
#include "harness/verdict/run_rank.h"
#include "tests/check_main.h"

/* Candidate lists as run_verdict.c gives them for each symptom. */
static const enum bug_class C_LOSS[] = { 1, 2, 17, 14, 10 }, C_XTALK[] = { 10 }, C_IDLE[] = { 4, 12, 3, 18 },
                 C_BUSY[] = { 3, 12, 18, 4 }, C_STUCK[] = { 5, 8, 9, 11, 12, 20, 14, 1 },
                 C_NEVER[] = { 6, 18, 5, 20, 11, 12 }, C_TRUNC[] = { 14, 15, 1, 13 }, C_DIED[] = { 16, 13 },
                 C_LATE[] = { 19, 3, 12 };
#define CANDS(a) a, (int)(sizeof(a) / sizeof(a[0]))

enum obs_kind { O_NONE, O_XTALK, O_LT, O_SPIN, O_SPIN_FEW, O_ONESHOT, O_INOUT, O_ACCEPT, O_EMFILE, O_CLOSE,
                O_NOTRACE, O_SIGPIPE, O_EXITED, O_ACCEPT_ROOM, O_CLOSE_LATE, O_DUP, O_LT_BUSY, O_POLL_WAIT };

/* One synthetic observation, the failures it produced, the case's classes, and the expected head. */
static const struct rank_row {
    const char *name;
    enum obs_kind obs;
    const enum bug_class *c1; int n1;    /* first failure's candidates */
    const enum bug_class *c2; int n2;    /* second failure (NULL: none) */
    int classes[4];           /* the case's classes, 0-terminated */
    int want_fail;
    const char *want;         /* the exact head rank_format writes */
} rows[] = {
    { "xtalk beats loss listed first", O_XTALK, CANDS(C_LOSS), CANDS(C_XTALK), { 1, 2, 17, 14 }, 1,
      "class 10 shared output buffer (evidence: client 1 received another client's bytes: cross-talk at offset 0: "
      "received bytes of client 0)" },
    { "loss without cross-talk is not class 10", O_NONE, CANDS(C_LOSS), NULL, 0, { 10 }, 0,
      "class 1 unsent tail dropped? (also consistent with class 2 write return ignored?, "
      "class 17 writev offset wrong after a short write?, class 14 EAGAIN taken for an error?)" },
    { "lt idle wake-ups name class 4 before the MOD", O_LT, CANDS(C_IDLE), NULL, 0, { 4, 12 }, 0,
      "class 4 level-triggered EPOLLOUT left armed (evidence: EPOLLOUT registered without EPOLLET 4 times, "
      "5000 wake-ups with nothing to write)" },
    { "retry loop names class 3", O_SPIN, CANDS(C_BUSY), NULL, 0, { 3, 12 }, 0,
      "class 3 spin on EAGAIN (evidence: 48213 writes retried after EAGAIN with no epoll_wait between, for 1036 "
      "that sent bytes)" },
    { "a retry per write is a wait the trace cannot see", O_POLL_WAIT, CANDS(C_LATE), NULL, 0, { 19, 3 }, 0,
      "class 19 starvation? (also consistent with class 3 spin on EAGAIN?)" },
    { "a few retries decide nothing", O_SPIN_FEW, CANDS(C_BUSY), NULL, 0, { 3, 12 }, 0,
      "class 3 spin on EAGAIN? (also consistent with class 18 EMFILE on accept?)" },
    { "oneshot never re-armed", O_ONESHOT, CANDS(C_STUCK), NULL, 0, { 14, 1, 2 }, 0,
      "class 12 EPOLLONESHOT/MOD re-arm lost (evidence: 1 connection blocked on EAGAIN under EPOLLONESHOT "
      "never re-armed)" },
    { "IN+OUT event without a write", O_INOUT, CANDS(C_STUCK), NULL, 0, { 14, 1, 2 }, 0,
      "class 11 IN and OUT handled with if/else-if (evidence: 2 connections blocked on EAGAIN got an event "
      "carrying EPOLLIN and EPOLLOUT and never wrote again)" },
    { "connections never accepted", O_ACCEPT, CANDS(C_NEVER), NULL, 0, { 6, 18 }, 0,
      "class 6 accept once per edge (evidence: the target accepted 2 of 100 connections; 99 clients never got "
      "a byte)" },
    { "never accepted under RLIMIT_NOFILE", O_EMFILE, CANDS(C_NEVER), NULL, 0, { 18 }, 0,
      "class 18 EMFILE on accept (evidence: the target accepted 30 of 80 connections at its RLIMIT_NOFILE; "
      "50 clients never got a byte)" },
    { "never accepted with descriptors to spare", O_ACCEPT_ROOM, CANDS(C_NEVER), NULL, 0, { 18 }, 0,
      "class 6 accept once per edge (evidence: the target accepted 9 of 80 connections, fewer than its "
      "RLIMIT_NOFILE 32 allows; 73 clients never got a byte)" },
    { "close right after EAGAIN", O_CLOSE, CANDS(C_TRUNC), NULL, 0, { 15, 20 }, 0,
      "class 14 EAGAIN taken for an error (evidence: the server closed 2 connections right after a write met "
      "EAGAIN; 2 clients had not shut down)" },
    { "a close later than EAGAIN decides nothing", O_CLOSE_LATE, CANDS(C_TRUNC), NULL, 0, { 15, 20 }, 0,
      "class 15 half-close drops output? (also consistent with class 14 EAGAIN taken for an error?, class 1 "
      "unsent tail dropped?)" },
    { "duplication names 17 over the case's 2", O_DUP, CANDS(C_LOSS), NULL, 0, { 1, 2, 14, 3 }, 0,
      "class 17 writev offset wrong after a short write (evidence: client 2 received bytes twice: duplication at "
      "offset 28672: 12288 bytes repeated)" },
    { "LT EPOLLOUT busy in a transfer", O_LT_BUSY, CANDS(C_BUSY), NULL, 0, { 12, 3, 4 }, 0,
      "class 4 level-triggered EPOLLOUT left armed (evidence: EPOLLOUT registered without EPOLLET 1 times, 3 "
      "wake-ups with nothing to write)" },
    { "a fact that is no candidate decides nothing", O_SPIN, CANDS(C_LOSS), NULL, 0, { 1, 2 }, 0,
      "class 1 unsent tail dropped? (also consistent with class 2 write return ignored?, "
      "class 17 writev offset wrong after a short write?, class 14 EAGAIN taken for an error?)" },
    { "killed by SIGPIPE", O_SIGPIPE, CANDS(C_DIED), NULL, 0, { 16 }, 0,
      "class 13 SIGPIPE not handled (evidence: the server was killed by SIGPIPE)" },
    { "an exit is no SIGPIPE", O_EXITED, CANDS(C_DIED), NULL, 0, { 13 }, 0, "class 16 EINTR not retried?" },
    { "no trace: the case's classes first", O_NOTRACE, CANDS(C_STUCK), NULL, 0, { 8, 11 }, 0,
      "class 8 read not resumed after backpressure? (also consistent with class 11 IN and OUT handled with "
      "if/else-if?, class 5 read once per edge?, class 9 write budget without requeue?)" },
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

/* A correct-looking trace: EAGAIN met, nothing suspicious. */
static void obs_base(struct rank_obs *o)
{
    memset(o, 0, sizeof(*o));
    o->have_trace = 1;
    o->xtalk_client = o->dup_client = -1;
    o->eagain = 7;
    o->accepted = 5;
    o->connected = 4;
    o->reg_oneshot = 0;
}

static void obs_make(enum obs_kind k, struct rank_obs *o)
{
    obs_base(o);
    switch (k) {
    case O_NONE: break;
    case O_XTALK:
        o->xtalk_client = 1;
        snprintf(o->xtalk_diag, sizeof(o->xtalk_diag), "cross-talk at offset 0: received bytes of client 0");
        break;
    case O_LT: o->reg_lt_out = 4; o->epollout_lt_idle = 5000; o->mod_dropped_et = 4; break;
    case O_SPIN: o->spin_nowait = 48213; o->writes = 1036; break;
    case O_POLL_WAIT: o->spin_nowait = 117; o->writes = 1076; break;
    case O_SPIN_FEW: o->spin_nowait = 12; break;
    case O_ONESHOT: o->reg_oneshot = 40; o->oneshot_unarmed = 1; o->hung = 1; break;
    case O_INOUT: o->inout_unserved = 2; o->hung = 2; break;
    case O_ACCEPT: o->accepted = 2; o->connected = 100; o->hung = o->hung_zero = 99; break;
    case O_EMFILE: o->accepted = 30; o->connected = 80; o->hung = o->hung_zero = 50; o->nofile = 32; break;
    case O_CLOSE: o->closed_trunc = o->closed_on_eagain = 2; break;
    case O_CLOSE_LATE: o->closed_trunc = 2; break;
    case O_DUP:
        o->dup_client = 2;
        snprintf(o->dup_diag, sizeof(o->dup_diag), "duplication at offset 28672: 12288 bytes repeated");
        break;
    case O_LT_BUSY: o->reg_lt_out = 1; o->mod_dropped_et = 1; o->epollout_lt_idle = 3; break;
    case O_NOTRACE: o->have_trace = 0; o->eagain = -1; o->accepted = -1; break;
    case O_SIGPIPE: o->died = 1; break;
    case O_EXITED: o->died = 2; break;
    case O_ACCEPT_ROOM: o->accepted = 9; o->connected = 80; o->hung = o->hung_zero = 73; o->nofile = 32; break;
    }
}

START_TEST(t_table)
{
    const struct rank_row *r = &rows[_i];
    struct rank_fail f[2] = { { r->c1, r->n1, 0 }, { r->c2, r->n2, 0 } };
    struct rank_obs o;
    struct rank_ev ev;
    struct rank_out out;
    char head[1024];
    int n = 0;

    while (n < 4 && r->classes[n])
        n++;
    obs_make(r->obs, &o);
    rank_facts(&o, &ev);
    rank_classes(&ev, f, r->c2 ? 2 : 1, r->classes, n, &out);
    rank_format(&out, head, sizeof(head));
    ck_assert_msg(!strcmp(head, r->want), "%s:\n  got  '%s'\n  want '%s'", r->name, head, r->want);
    ck_assert_msg(out.fail == r->want_fail, "%s: failure %d leads, expected %d", r->name, out.fail, r->want_fail);
}
END_TEST

/* Vacuous failures name no class; a real one after them still leads. */
START_TEST(t_vacuous)
{
    struct rank_fail f[2] = { { NULL, 0, 1 }, { C_LOSS, 5, 0 } };
    int classes[] = { 1 };
    struct rank_obs o;
    struct rank_ev ev;
    struct rank_out out;
    char head[256];

    obs_make(O_XTALK, &o);
    rank_facts(&o, &ev);
    rank_classes(&ev, f, 1, classes, 1, &out);
    rank_format(&out, head, sizeof(head));
    ck_assert_int_eq(out.fail, -1);
    ck_assert_str_eq(head, "");
    rank_classes(&ev, f, 2, classes, 1, &out);
    ck_assert_int_eq(out.fail, 1);
    ck_assert_int_eq(out.cls, 10);
}
END_TEST

/* Writes a trace file whose ring holds ents (header + ring only: the reader needs no more). */
static void ring_file(const char *path, const struct trace_ring_ent *ents, int n)
{
    struct trace_header h;
    struct trace_ring_ent e;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(fd, 0);
    memset(&h, 0, sizeof(h));
    h.magic = TRACE_MAGIC;
    h.ring_head = (uint64_t)n;
    ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
    ck_assert_int_eq(ftruncate(fd, TRACE_RING_OFF + TRACE_RING * sizeof(e)), 0);
    for (int i = 0; i < n; i++) {
        e = ents[i];
        e.seq = (uint32_t)(i + 1);
        ck_assert_int_eq(pwrite(fd, &e, sizeof(e), TRACE_RING_OFF + i * sizeof(e)), (ssize_t)sizeof(e));
    }
    close(fd);
}

#define ENT(ms, ord, k, a) { .ts_ns = (uint64_t)(ms) * 1000000u, .arg = (a), .ordinal = (ord), .fd = 5, .kind = (k) }
#define ONESHOT_REG (EPOLLIN | EPOLLET | EPOLLONESHOT)

/* The ring reader (harness/run/run_ring.c) on a synthetic trace: conn 1 blocked
 * under ONESHOT and never re-armed; conn 2 re-armed after its EAGAIN
 * (correct); conn 3 got IN|OUT while blocked and wrote nothing; conn 4 did
 * the same but wrote after it (correct); conn 5 closed 1 ms after its EAGAIN,
 * conn 6 80 ms after (an EINTR, an EOF); the rest "close" at 900 ms,
 * after the clients ended at 500 ms: the target being stopped. */
START_TEST(t_ring)
{
    const struct trace_ring_ent ents[] = {
        ENT(10, 1, TE_REG, ONESHOT_REG), ENT(20, 1, TE_EAGAIN_REAL, 4096),
        ENT(10, 2, TE_REG, ONESHOT_REG), ENT(20, 2, TE_EAGAIN_REAL, 4096),
        ENT(21, 2, TE_REG, ONESHOT_REG | EPOLLOUT),
        ENT(10, 3, TE_REG, EPOLLIN | EPOLLOUT | EPOLLET), ENT(20, 3, TE_SHORT_REAL, 100),
        ENT(30, 3, TE_EPOLLOUT_REAL, EPOLLIN | EPOLLOUT), ENT(40, 3, TE_EPOLLOUT_REAL, EPOLLIN | EPOLLOUT),
        ENT(10, 4, TE_REG, EPOLLIN | EPOLLOUT | EPOLLET), ENT(20, 4, TE_EAGAIN_REAL, 100),
        ENT(30, 4, TE_EPOLLOUT_REAL, EPOLLIN | EPOLLOUT), ENT(31, 4, TE_RESUME, 100),
        ENT(20, 5, TE_EAGAIN_REAL, 100), ENT(21, 5, TE_CLOSE, 0),
        ENT(20, 6, TE_EAGAIN_REAL, 100), ENT(100, 6, TE_CLOSE, 0),
        ENT(900, 1, TE_CLOSE, 0), ENT(900, 2, TE_CLOSE, 0), ENT(900, 3, TE_CLOSE, 0), ENT(900, 4, TE_CLOSE, 0),
    };
    char dir[] = "/tmp/check_rank.XXXXXX", path[64];
    struct obs_ring o;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    memset(&o, 0, sizeof(o));
    snprintf(path, sizeof(path), "%s/trace.bin", dir);
    ring_file(path, ents, (int)(sizeof(ents) / sizeof(ents[0])));
    run__trace_ring(path, 6, 500, &o);
    unlink(path);
    rmdir(dir);
    ck_assert_msg(o.oneshot_unarmed == 1, "oneshot_unarmed %d, expected 1 (conn 1)", o.oneshot_unarmed);
    ck_assert_msg(o.inout_unserved == 1, "inout_unserved %d, expected 1 (conn 3)", o.inout_unserved);
    ck_assert_msg(o.closed_on_eagain == 1, "closed_on_eagain %d, expected 1 (conn 5, not 6)", o.closed_on_eagain);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rank");
    TCase *tc = tcase_create("table");

    tcase_add_loop_test(tc, t_table, 0, NROWS);
    suite_add_tcase(s, tc);
    tc = tcase_create("vacuous");
    tcase_add_test(tc, t_vacuous);
    suite_add_tcase(s, tc);
    tc = tcase_create("ring");
    tcase_add_test(tc, t_ring);
    suite_add_tcase(s, tc);
    return check_main_run(s);
}
