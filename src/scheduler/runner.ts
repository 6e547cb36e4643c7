// Calling jobs: with their arguments, skipping an occurrence while the previous async
// run has not settled, reporting what a run threw or rejected with, and telling stop()
// when no run is left in flight.
import { isThenable } from '../internal/index.js';
import type { Job } from './job.js';
import { writeErrorLine, type ErrorHandler } from './options.js';

/** Runs the jobs of one Scheduler (see the file comment). */
export class JobRunner {
  readonly #onError: ErrorHandler;
  #inFlight = 0;
  #onIdle: (() => void) | null = null;

  constructor(onError: ErrorHandler) {
    this.#onError = onError;
  }

  /** Runs `job` now, unless its previous (async) run is still going: then that occurrence is skipped. */
  run(job: Job): void {
    if (job.running) {
      job.skipped++;
      return;
    }
    job.runs++;
    let result: unknown;
    try {
      result = job.args.length === 0 ? job.fn() : Reflect.apply(job.fn, undefined, job.args);
    } catch (error) {
      this.#report(job, error);
      return;
    }
    if (isThenable(result)) {
      job.running = true;
      this.#inFlight++;
      void this.#settle(job, result);
    }
  }

  /** Resolves once no run is in flight. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  async #settle(job: Job, result: PromiseLike<unknown>): Promise<void> {
    try {
      await result;
    } catch (error) {
      this.#report(job, error);
    } finally {
      job.running = false;
      this.#inFlight--;
      if (this.#inFlight === 0) this.#onIdle?.();
    }
  }

  #report(job: Job, error: unknown): void {
    job.lastError = error;
    const info = { id: job.id, kind: job.kind };
    try {
      this.#onError(error, info);
    } catch (handlerError) {
      writeErrorLine(handlerError, info);
    }
  }
}
