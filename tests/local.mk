# tests/local.mk: tests's part of the build.
