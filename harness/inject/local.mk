# harness/inject/local.mk: harness/inject's part of the build.
