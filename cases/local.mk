# cases/local.mk: cases's part of the build.
