// Counts arrivals per distinct message without keeping the message: an open-addressing table
// keyed by two independent 32-bit hashes (64 bits, so a false "duplicate" among a million
// messages has odds around 1 in 10^7). About 20 bytes per distinct message, no GC churn.

const EMPTY = 0;

export class DuplicateIndex {
  private slots: Int32Array; // group id + 1, or EMPTY
  private mask: number;
  private h1: Uint32Array;
  private h2: Uint32Array;
  private counts: Uint32Array;
  private groups = 0;

  constructor(initialGroups = 1024) {
    const capacity = Math.max(16, nextPowerOfTwo(initialGroups));
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    this.h1 = new Uint32Array(capacity);
    this.h2 = new Uint32Array(capacity);
    this.counts = new Uint32Array(capacity);
  }

  /** Number of distinct messages seen. */
  get size(): number {
    return this.groups;
  }

  /** Records one arrival of the message with hashes (a, b); returns its group id. */
  add(a: number, b: number): number {
    const slots = this.slots;
    let slot = a & this.mask;
    for (;;) {
      const entry = slots[slot];
      if (entry === EMPTY) break;
      const group = entry - 1;
      if (this.h1[group] === a && this.h2[group] === b) {
        this.counts[group]++;
        return group;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.groups === this.h1.length) {
      this.grow();
      return this.add(a, b);
    }
    const group = this.groups++;
    this.h1[group] = a;
    this.h2[group] = b;
    this.counts[group] = 1;
    slots[slot] = group + 1;
    return group;
  }

  /** How many times the message of `group` has arrived so far. */
  countOf(group: number): number {
    return this.counts[group];
  }

  private grow(): void {
    const capacity = this.h1.length * 2;
    this.h1 = copyInto(new Uint32Array(capacity), this.h1);
    this.h2 = copyInto(new Uint32Array(capacity), this.h2);
    this.counts = copyInto(new Uint32Array(capacity), this.counts);
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    for (let group = 0; group < this.groups; group++) {
      let slot = this.h1[group] & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = group + 1;
    }
  }
}

function copyInto(target: Uint32Array, source: Uint32Array): Uint32Array {
  target.set(source);
  return target;
}

function nextPowerOfTwo(n: number): number {
  let power = 1;
  while (power < n) power *= 2;
  return power;
}

/**
 * Two 32-bit hashes over the given strings in one pass (FNV-1a and a murmur3-style mix), with a
 * separator between parts so ("ab","c") and ("a","bc") differ. Returns them in `out`.
 */
export function hashParts(parts: readonly (string | null)[], out: Uint32Array): void {
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  for (let p = 0; p < parts.length; p++) {
    const text = parts[p] ?? '\u0001null';
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = fnvStep(a, c);
      b = murmurStep(b, c);
    }
    a = fnvStep(a, 0xffff);
    b = murmurStep(b, 0xffff);
  }
  b ^= b >>> 16;
  b = mul32(b, 0x85ebca6b);
  b ^= b >>> 13;
  b = mul32(b, 0xc2b2ae35);
  b ^= b >>> 16;
  out[0] = a >>> 0;
  out[1] = b >>> 0;
}

// FNV-1a: xor, then multiply by the FNV prime 2^24 + 0x193 written as shifts.
function fnvStep(hash: number, c: number): number {
  const h = hash ^ c;
  return (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) | 0;
}

function murmurStep(hash: number, c: number): number {
  let k = mul32(c, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  let h = hash ^ mul32(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (h * 5 + 0xe6546b64) | 0;
}

/**
 * 32-bit multiply without Math.imul: under Jest's VM context (the sandbox also runs inside the
 * integration tests) Math.imul is a cross-realm call that costs ~100x more than these two.
 */
export function mul32(x: number, k: number): number {
  return ((x & 0xffff) * k + ((((x >>> 16) * k) & 0xffff) << 16)) | 0;
}
