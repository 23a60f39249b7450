/* buggy_bugs.c: the table of buggy-server's bug switches (name, class, what goes wrong). */
#include "targets/buggy.h"

#include <string.h>

const struct bug_entry bug_table[BUG_COUNT] = {
    [BUG_DROP_TAIL] = {"drop-tail", 1,
        "after a short write or EAGAIN the unsent rest of the queue is discarded"},
    [BUG_IGNORE_WRITE_RETURN] = {"ignore-write-return", 2,
        "writev's return value is ignored: everything offered counts as sent"},
    [BUG_SPIN_EAGAIN] = {"spin-eagain", 3,
        "on EAGAIN the write is retried at once in a busy loop instead of waiting for EPOLLOUT"},
    [BUG_LT_EPOLLOUT] = {"lt-epollout", 4,
        "EPOLLOUT armed with EPOLL_CTL_MOD without EPOLLET once output is queued, never disarmed"},
    [BUG_READ_ONCE] = {"read-once", 5,
        "one read() per EPOLLIN edge instead of reading until EAGAIN"},
    [BUG_ACCEPT_ONCE] = {"accept-once", 6,
        "one accept() per EPOLLIN edge of the ET listener instead of accepting until EAGAIN"},
    [BUG_UNBOUNDED_OUTPUT] = {"unbounded-output", 7,
        "no high-water mark: keeps reading and queueing replies for a client that never reads"},
    [BUG_NO_READ_RESUME] = {"no-read-resume", 8,
        "pauses reading at the high-water mark, then waits for a new EPOLLIN edge that never comes"},
    [BUG_BUDGET_NO_REQUEUE] = {"budget-no-requeue", 9,
        "writes at most --budget bytes per turn and forgets the socket is still writable"},
    [BUG_SHARED_BUFFER] = {"shared-buffer", 10,
        "one output queue shared by every connection (the seed's globals)"},
    [BUG_IF_ELSE_IF] = {"if-else-if", 11,
        "if (EPOLLIN) ... else if (EPOLLOUT): an event carrying both loses the EPOLLOUT"},
    [BUG_ONESHOT_NO_REARM] = {"oneshot-no-rearm", 12,
        "EPOLLONESHOT, re-armed after each event except when a write hit EAGAIN"},
    [BUG_SIGPIPE] = {"sigpipe", 13,
        "SIGPIPE left at its default and writev without MSG_NOSIGNAL: EPIPE kills the server"},
    [BUG_EAGAIN_IS_ERROR] = {"eagain-is-error", 14,
        "a write failing with EAGAIN closes the connection"},
    [BUG_HALFCLOSE_DROP] = {"halfclose-drop", 15,
        "read() == 0 closes at once, dropping the queued output"},
    [BUG_EINTR_EXIT] = {"eintr-exit", 16,
        "EINTR from epoll_wait exits the server; from read/write/accept closes the connection"},
    [BUG_WRITEV_OFFSET] = {"writev-offset", 17,
        "after a short writev advances by whole iovecs: a partly sent iovec is sent again"},
    [BUG_EMFILE_STALL] = {"emfile-stall", 18,
        "ET listener gives up on EMFILE; pending connections wait for an edge that never comes"},
    [BUG_EMFILE_SPIN] = {"emfile-spin", 18,
        "level-triggered listener gives up on EMFILE and is woken again at once: 100% CPU"},
    [BUG_STARVATION] = {"starvation", 19,
        "no caps: serves one connection, polling it alone, until it is quiet for 100 ms"},
    [BUG_SHORT_READ] = {"short-read", 20,
        "read() shorter than the buffer is taken for 'drained' (the seed's heuristic)"},
    [BUG_LOST_WAKEUP] = {"lost-wakeup", 11,
        "one EPOLLOUT in a hundred that finds a write blocked is ignored; a 4 s housekeeping timer retries the write"},
    [BUG_PARTIAL_WRITEV_BASE] = {"partial-writev-base", 17,
        "after a short writev the partly sent iovec's length is cut but its base not advanced (h2o)"},
    [BUG_CHUNK_SIZE_OVERWRITE] = {"chunk-size-overwrite", 17,
        "http --chunked: a short write inside a chunk resumes with a chunk-size line written over the payload (haproxy #2598)"},
    [BUG_REQUEUE_BACK] = {"requeue-back", 17,
        "on EAGAIN the partly sent head chunk is requeued behind the other queued chunks: bytes leave out of order"},
    [BUG_EXACT_EAGAIN_DROP] = {"exact-eagain-drop", 1,
        "EAGAIN right after a write that took exactly what was offered is taken for 'all sent': the queue is dropped"},
};

int bug_lookup(const char *name)
{
    for (int i = 0; i < BUG_COUNT; i++)
        if (strcmp(bug_table[i].name, name) == 0)
            return i;
    return -1;
}

void bug_print_list(FILE *out)
{
    for (int i = 0; i < BUG_COUNT; i++)
        fprintf(out, "  %-20s %2d  %s\n", bug_table[i].name, bug_table[i].class_no, bug_table[i].what);
}
