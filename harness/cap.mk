# harness/cap.mk: part of the harness build.
