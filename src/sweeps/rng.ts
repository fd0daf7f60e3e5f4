/**
 * The sweeps' random numbers: a small counter-seeded generator (sfc32) whose stream for trial i is
 * derived from (seed, i, purpose) alone. That is what makes a sweep reproducible at any
 * parallelism: trial 7's draws never depend on how many draws trials 0-6 made, or when they ran.
 */

/** 32-bit mix (murmur3's finaliser): spreads nearby seeds far apart. */
function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A 32-bit seed from a list of integers and strings, order-sensitive. */
export function deriveSeed(...parts: ReadonlyArray<number | string>): number {
  let h = 0x2545f491;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Seeds may exceed 32 bits (hyperopt users pass e.g. 2**31 - 1 and larger).
      const lo = part >>> 0;
      const hi = Math.floor(part / 4294967296) >>> 0;
      h = mix32(h ^ mix32(lo + 0x9e3779b9));
      h = mix32(h ^ mix32(hi + 0x7f4a7c15));
    } else {
      for (let i = 0; i < part.length; i++) h = mix32(h ^ (part.charCodeAt(i) + 0x632be5ab));
      h = mix32(h ^ part.length);
    }
  }
  return h;
}

export class SweepRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.a = mix32(seed ^ 0xdeadbeef);
    this.b = mix32(seed + 0x1b873593);
    this.c = mix32(seed ^ 0xcc9e2d51);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** sfc32 (Chris Doty-Humphrey's small fast counting generator). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Marsaglia's polar method; the spare value is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }

  /** An integer in [0, n). */
  integer(n: number): number {
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  /** An index drawn with probability proportional to `weights` (non-negative, sum > 0). */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i] as number;
    let r = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}
