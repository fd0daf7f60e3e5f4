/**
 * numpy's legacy `RandomState(seed)` (MT19937), as far as scikit-learn's permutation_importance
 * uses it: `randint(2**31)` and `shuffle` of a 1-d array. Reproducing the generator, not just its
 * distribution, makes our permutations the very ones scikit-learn draws for the same
 * `random_state`, so the importances can be checked against scikit-learn's to rounding.
 *
 * MT19937 as Matsumoto and Nishimura's reference `init_genrand` / `genrand_int32`; bounded draws
 * as numpy's `random_interval` (a mask of the bound's bits, redrawn until within the bound).
 */
const N = 624;
const M = 397;

export class LegacyRandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /** `numpy.random.RandomState(seed)` for an integer seed in [0, 2**32). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`a RandomState seed must be an integer in [0, 2**32), got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev mod 2**32, in two halves so no product exceeds 2**53.
      mt[i] =
        (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** The next 32-bit output (genrand_int32). */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] (numpy's random_interval, max < 2**32). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= max) return v;
    }
  }

  /** `randint(2**31)`: what permutation_importance draws as every feature's seed. */
  randint31(): number {
    return this.interval(0x7fffffff);
  }

  /** `shuffle(a)` of a 1-d array, in place: Fisher-Yates from the end, as numpy's legacy shuffle. */
  shuffle(a: Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
