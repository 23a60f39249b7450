# harness/report/local.mk: the results folder writer (libreport.a: text outputs, series.tsv, index.html and its timelines) and its tests.
noinst_LIBRARIES += harness/report/libreport.a
harness_report_libreport_a_SOURCES = harness/report/report.c harness/report/report.h \
  harness/report/series.c harness/report/series_io.c harness/report/series.h \
  harness/report/report_html.c harness/report/report_html_read.c harness/report/report_html.h \
  harness/report/report_svg.c harness/report/report_svg_lanes.c harness/report/report_svg.h \
  harness/report/report_svg_int.h

if HAVE_CHECK
check_PROGRAMS += tests/check_report
TESTS += tests/check_report
tests_check_report_SOURCES = tests/check_report.c
tests_check_report_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_report_LDADD = harness/report/libreport.a harness/target/libtarget.a $(CHECK_LIBS)
# The timeline's series, its SVG and the page, on synthetic series and folders.
check_PROGRAMS += tests/check_series
TESTS += tests/check_series
tests_check_series_SOURCES = tests/check_series.c
tests_check_series_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_series_LDADD = harness/report/libreport.a $(CHECK_LIBS)
endif

# A real run's index.html in headless chromium (SKIPs without chromium); keeps its results and screenshot.
TESTS += tests/html_report.sh
dist_noinst_SCRIPTS += tests/html_report.sh
clean-local: clean-local-html
clean-local-html:
	-rm -rf tests/html-results
.PHONY: clean-local-html
