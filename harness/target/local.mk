# harness/target/local.mk: start, watch and stop a server under test (libtarget.a), with tests.
noinst_LIBRARIES += harness/target/libtarget.a
harness_target_libtarget_a_SOURCES = harness/target/target.c harness/target/target.h \
  harness/target/target_int.h harness/target/target_observe.c harness/target/target_port.c \
  harness/target/target_guard.c harness/target/target_words.c

if HAVE_CHECK
check_PROGRAMS += tests/check_target tests/check_port
TESTS += tests/check_target tests/check_port
tests_check_target_SOURCES = tests/check_target.c
tests_check_target_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_target_LDADD = harness/target/libtarget.a $(CHECK_LIBS)
tests_check_port_SOURCES = tests/check_port.c
tests_check_port_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_port_LDADD = harness/target/libtarget.a $(CHECK_LIBS)
endif
