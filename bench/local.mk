# bench/local.mk: measurement tools (not tests); see bench/README.md.
noinst_PROGRAMS += bench/echo_bench
bench_echo_bench_SOURCES = bench/echo_bench.c
dist_noinst_SCRIPTS += bench/measure.sh
EXTRA_DIST += bench/README.md
