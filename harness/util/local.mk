# harness/util/local.mk: the header-only helpers every module may include (shipped by make dist).
noinst_HEADERS += harness/util/clock.h harness/util/strbuf.h
