// toad-scheduler as a contender in the scheduler benches: hourly interval jobs, each under
// its own id. Measured at 50,000 jobs: adding them is slow (shown in the rows' names).
import { SimpleIntervalJob, Task, type ToadScheduler } from 'toad-scheduler';

/** How a scheduler bench schedules and removes one job of toad-scheduler's `toad`. */
export function toadHourlyJobs(
  toad: ToadScheduler,
  job: () => void,
): { who: string; count: number; schedule: (i: number) => string; remove: (id: string) => void } {
  return {
    who: 'toad-scheduler',
    count: 50_000,
    schedule: (i) => {
      const id = `job${i}`;
      toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task(id, job), { id }));
      return id;
    },
    remove: (id) => toad.removeById(id),
  };
}
