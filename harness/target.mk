# harness/target.mk: the target (run and observe a server under test) and report (results folder) library, with tests.
noinst_LIBRARIES += harness/libtarget.a
harness_libtarget_a_SOURCES = harness/target/target.c harness/target/target.h harness/target/target_int.h \
  harness/target/target_observe.c harness/target/target_port.c harness/target/target_guard.c harness/report/report.c harness/report/report.h

if HAVE_CHECK
check_PROGRAMS += tests/check_target tests/check_report tests/check_port
TESTS += tests/check_target tests/check_report tests/check_port
tests_check_target_SOURCES = tests/check_target.c
tests_check_target_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_target_LDADD = harness/libtarget.a $(CHECK_LIBS)
tests_check_port_SOURCES = tests/check_port.c
tests_check_port_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_port_LDADD = harness/libtarget.a $(CHECK_LIBS)
tests_check_report_SOURCES = tests/check_report.c
tests_check_report_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_report_LDADD = harness/libtarget.a $(CHECK_LIBS)
endif
