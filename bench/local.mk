# bench/local.mk: measurement tools and `make bench` (never part of make check); see bench/README.md.
noinst_PROGRAMS += bench/echo_bench
bench_echo_bench_SOURCES = bench/echo_bench.c
noinst_PROGRAMS += bench/verify_bench
bench_verify_bench_SOURCES = bench/verify_bench.c
bench_verify_bench_LDADD = harness/verify/libverify.a
noinst_PROGRAMS += bench/engine_bench
bench_engine_bench_SOURCES = bench/engine_bench.c
bench_engine_bench_LDADD = harness/client/libclient.a harness/proto/libproto.a harness/verify/libverify.a
dist_noinst_SCRIPTS += bench/measure.sh bench/bench.sh bench/bench_report.py
EXTRA_DIST += bench/README.md bench/bench_lib.sh bench/bench_harness.sh bench/bench_servers.sh bench/bench_memory.sh

# make bench: the harness's speed and the reference server's against libuv, libevent, nginx and iperf3,
# into results/bench-<stamp>/bench.json (BENCH_QUICK=1: about 2 minutes; BENCH_ARGS: more bench.sh options).
bench: all tests/inject_load
	$(abs_top_srcdir)/bench/bench.sh --build '$(abs_top_builddir)' $(BENCH_ARGS)
.PHONY: bench
