# bench/local.mk: bench's part of the build.
