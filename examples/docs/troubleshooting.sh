# docs/troubleshooting.md opens with this file (below this line); test/examples/docs.test.ts runs it.
raspimon check                 # configuration problems and orphan readings (exit 1 if any)
raspimon devices list          # each device, and why the monitor would skip it
raspimon readings tail -n 5    # the newest readings: are they arriving?
