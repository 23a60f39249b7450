/* target_int.h: helpers shared by the target module's files (not for other modules). */
#ifndef EC_TARGET_INT_H
#define EC_TARGET_INT_H

#include <stddef.h>
#include <sys/types.h>

/* Monotonic clock in seconds. */
/* Sleeps ms milliseconds, resuming after signals. */
void target__sleep_ms(int ms);
/* Copies the last ~300 bytes of a file into buf as one line ("(empty)" if none). */
void target__tail(const char *path, char *buf, size_t buflen);
/* Registers / forgets a live target process group for target_guard_install's handlers. */
void target__guard_add(pid_t pgid);
void target__guard_remove(pid_t pgid);

#endif
