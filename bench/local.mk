# bench/local.mk: measurement tools (not tests); see bench/README.md.
noinst_PROGRAMS += bench/echo_bench
bench_echo_bench_SOURCES = bench/echo_bench.c
noinst_PROGRAMS += bench/verify_bench
bench_verify_bench_SOURCES = bench/verify_bench.c
bench_verify_bench_LDADD = harness/libclient.a
noinst_PROGRAMS += bench/engine_bench
bench_engine_bench_SOURCES = bench/engine_bench.c
bench_engine_bench_LDADD = harness/libclient.a
dist_noinst_SCRIPTS += bench/measure.sh
EXTRA_DIST += bench/README.md
