// A short-lived memo of lookups by key: concurrent callers share one pending promise, a value is
// reused for `ttlMs`, a failed lookup is forgotten at once (the next caller asks again), and the
// map is emptied when it passes `maxEntries`, so it never grows with the keys seen.
export class PromiseCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry = { value: load(), at: Date.now() };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  /** Forgets one key: the next caller looks it up again. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key (the source changed, and says so). */
  clear(): void {
    this.entries.clear();
  }
}
