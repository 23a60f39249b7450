# harness/local.mk: harness's part of the build.
