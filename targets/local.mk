# targets/local.mk: targets's part of the build.
