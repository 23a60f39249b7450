# man/local.mk: the manual pages, installed by make install and shipped by make dist, and their check.
# Plain roff, written by hand: no generator is needed to build, install or read them.
dist_man1_MANS = man/edgecase.1 man/edgecase-server.1
dist_man5_MANS = man/edgecase-case.5

# Keeps the pages in step with --help and the case parser's key table.
TESTS += tests/man_pages.sh
dist_noinst_SCRIPTS += tests/man_pages.sh
