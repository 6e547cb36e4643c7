// Bundled to plain JS and preloaded (`node --import`) into every process of
// bench/arm64-weight.bench.ts, x86 and arm64 alike. Every 2 s it appends the process's own view of its memory to
// $RASPIMON_BENCH_HEAP_FILE and copies its /proc/self/maps to that file + '.maps'. Under
// qemu-user the guest cannot see its RSS (qemu fills /proc/self/stat's rss with 0), but
// V8's heap figures are the guest's own, and the maps qemu shows the guest list exactly the
// guest's mappings, which the bench finds resident in the qemu process's smaps.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const file = process.env.RASPIMON_BENCH_HEAP_FILE;
if (file) {
  setInterval(() => {
    const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), rss, heapTotal, heapUsed, external })}\n`);
    writeFileSync(`${file}.maps.tmp`, readFileSync('/proc/self/maps'));
    renameSync(`${file}.maps.tmp`, `${file}.maps`); // the bench never reads half a list
  }, 2000).unref(); // never what keeps the process alive
}
