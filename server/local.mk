# server/local.mk: server's part of the build.
