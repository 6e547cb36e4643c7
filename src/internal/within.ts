// Bounded waits: shutdown paths must end even when what they wait for never settles.

/**
 * Waits for `promise` at most `ms` milliseconds; true if it settled in time (a rejection
 * counts as settled and is swallowed: the caller only wants the bound).
 */
export async function within(promise: PromiseLike<unknown> | undefined, ms: number): Promise<boolean> {
  if (!promise) return true;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
    timer.unref?.();
  });
  try {
    return await Promise.race([
      Promise.resolve(promise).then(
        () => true,
        () => true,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A promise to wait on until a condition changes, instead of polling: `wait()` resolves at
 * the next `notify()`.
 */
export class Signal {
  #waiters: Array<() => void> = [];

  /** Resolves at the next {@link Signal.notify}. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Wakes every current waiter. */
  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
