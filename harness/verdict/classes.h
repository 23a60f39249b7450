/* classes.h: the 20 bug classes of docs/bug-classes.md as one table: number, name as printed, one-line symptom. */
#ifndef EC_CLASSES_H
#define EC_CLASSES_H

/*
 * X(ID, name, symptom), in the order and with the numbers of
 * docs/bug-classes.md; tests/check_verdict.c checks the names and symptoms
 * against that document's "classes at a glance" table.
 */
#define BC_TABLE(X) \
    X(BC_UNSENT_TAIL, "unsent tail dropped", \
      "bytes missing from the first short write on") \
    X(BC_WRITE_RETURN, "write return ignored", \
      "bytes missing or garbled a few KiB into the stream") \
    X(BC_SPIN_EAGAIN, "spin on EAGAIN", \
      "a whole CPU burned while a reader is stalled") \
    X(BC_LT_EPOLLOUT, "level-triggered EPOLLOUT left armed", \
      "100 % CPU while the connections sit idle") \
    X(BC_READ_ONCE, "read once per edge", \
      "the echo stops partway through a burst, CPU idle") \
    X(BC_ACCEPT_ONCE, "accept once per edge", \
      "most connections of a burst never get a byte") \
    X(BC_UNBOUNDED_OUTPUT, "unbounded output buffering", \
      "VmRSS grows with the input of a client that never reads") \
    X(BC_NO_READ_RESUME, "read not resumed after backpressure", \
      "a hang or stall at CPU 0 once the server stops reading") \
    X(BC_BUDGET_NO_REQUEUE, "write budget without requeue", \
      "a hang or stall at CPU 0, or a transfer that finishes far too late") \
    X(BC_SHARED_BUFFER, "shared output buffer", \
      "a client receives another client's bytes (cross-talk)") \
    X(BC_IF_ELSE_IF, "IN and OUT handled with if/else-if", \
      "output never resumes while input is still read") \
    X(BC_ONESHOT_REARM, "EPOLLONESHOT/MOD re-arm lost", \
      "a hang at CPU 0 on the first EAGAIN") \
    X(BC_SIGPIPE, "SIGPIPE not handled", \
      "the server dies by SIGPIPE") \
    X(BC_EAGAIN_ERROR, "EAGAIN taken for an error", \
      "a truncated reply, often with an RST") \
    X(BC_HALFCLOSE_DROP, "half-close drops output", \
      "a client that shut down its side gets a truncated reply and an early FIN") \
    X(BC_EINTR, "EINTR not retried", \
      "the server exits on a signal, or connections are closed") \
    X(BC_WRITEV_OFFSET, "writev offset wrong after a short write", \
      "duplicated or missing bytes at an iovec boundary") \
    X(BC_EMFILE, "EMFILE on accept", \
      "pending connections hang even after fds are freed, or 100 % CPU") \
    X(BC_STARVATION, "starvation", \
      "a probe client's latency explodes next to bulk transfers") \
    X(BC_SHORT_READ, "short-read heuristic", \
      "a full reply but no FIN: the EOF that came with the data is never read")

#define BC__ENUM(id, name, symptom) id,
/* BC_NONE ends a candidate list; the classes are 1..BC_COUNT. */
enum bug_class { BC_NONE, BC_TABLE(BC__ENUM) BC__END };
#undef BC__ENUM
#define BC_COUNT ((int)BC__END - 1)

/* The name of class n as diagnoses print it, or "unknown class" outside 1..BC_COUNT. */
const char *bc_name(int n);
/* Its one-line symptom, or "" outside 1..BC_COUNT. */
const char *bc_symptom(int n);

#endif
