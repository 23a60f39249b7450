# harness/target.mk: part of the harness build.
