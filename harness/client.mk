# harness/client.mk: part of the harness build.
