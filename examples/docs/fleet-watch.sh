# docs/fleet-watch.md opens with this file (below this line); test/examples/docs.test.ts runs it.
raspimon fleet   # every raspimon_* database on the server: devices, newest reading, its age
