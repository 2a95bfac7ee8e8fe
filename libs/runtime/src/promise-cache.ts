// A short-lived memo of lookups by key: concurrent callers share one pending promise, a value is
// reused for `ttlMs`, a failed lookup is forgotten at once (the next caller asks again), and the
// oldest lookup is forgotten when the map holds `maxEntries`, so it never grows with the keys
// seen and a flood of new keys does not push out everyone else's at once.
export class PromiseCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    // A Map iterates in insertion order; a key looked up again is re-inserted at the end.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
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
