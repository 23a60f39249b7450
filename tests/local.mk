# tests/local.mk: shared test helpers (each module lists its own tests in its fragment).
EXTRA_DIST += tests/check_main.h
