/**
 * Runs a task over a stream of items with up to `window` of them in flight (a thread pool keeps
 * its threads busy), and yields each item's outcome in the items' order, so what a batch writes
 * does not depend on which thread finished first. Memory holds at most `window` items.
 */
export interface Outcome<T, R> {
  item: T;
  result: { ok: true; value: R } | { ok: false; error: unknown };
}

export async function* inOrder<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  window: number,
  task: (item: T) => Promise<R>,
): AsyncGenerator<Outcome<T, R>> {
  const inFlight: Promise<Outcome<T, R>>[] = [];
  // Settled at once: an outcome waiting its turn is never an unhandled rejection.
  const start = (item: T): Promise<Outcome<T, R>> =>
    task(item).then(
      (value) => ({ item, result: { ok: true, value } }),
      (error: unknown) => ({ item, result: { ok: false, error } }),
    );
  for await (const item of items) {
    inFlight.push(start(item));
    if (inFlight.length >= window) yield await (inFlight.shift() as Promise<Outcome<T, R>>);
  }
  while (inFlight.length > 0) yield await (inFlight.shift() as Promise<Outcome<T, R>>);
}
