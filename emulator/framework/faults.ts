/**
 * Fault injection. A rule matches vendor requests by method and path (a regular expression) and
 * then either answers with `status` (plus Retry-After) or drops the connection `before` handling
 * (nothing applied) or `after` (the request is applied — a streamed answer is produced to the
 * end and discarded — and the connection is closed without an answer). A rule fires `times`
 * times (default 1; with `probability`, default unlimited) and, with `probability` p (0–1),
 * fires on a matching request with probability p. The random draws come from a PRNG seeded by
 * the config's `seed` (default 1), so the same seed and request sequence give the same faults.
 */
export interface FaultRule {
  method?: string;
  /** Regular expression matched against the path. */
  path?: string;
  /** Respond with this status instead of handling the request. */
  status?: number;
  /** Retry-After header (seconds) sent with the status. */
  retryAfter?: number;
  /** Drop the connection: "before" handling (nothing applied) or "after" (applied, no answer). */
  drop?: "before" | "after";
  /** How many times the rule fires (default 1, or unlimited when `probability` is set). */
  times?: number;
  /** Chance (0–1) that a matching request gets the fault (default 1). */
  probability?: number;
}

export interface FaultConfig {
  latencyMs?: number;
  rules?: FaultRule[];
  /** Seed of the PRNG behind `probability` (an integer; default 1). */
  seed?: number;
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private config: FaultConfig = {};
  private random: () => number = seededRandom(1);

  constructor(initial?: FaultConfig) {
    this.set(initial ?? {});
  }

  set(f: FaultConfig): FaultConfig {
    const rules = (f.rules ?? []).map((r) => {
      if (r.probability !== undefined && !(r.probability >= 0 && r.probability <= 1)) throw new Error(`fault probability must be between 0 and 1 (got ${r.probability})`);
      return { ...r, times: r.times ?? (r.probability !== undefined ? Number.MAX_SAFE_INTEGER : 1) };
    });
    this.config = { latencyMs: f.latencyMs, rules, seed: f.seed ?? 1 };
    this.random = seededRandom(this.config.seed!);
    return this.config;
  }

  get(): FaultConfig {
    return this.config;
  }

  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  /** The rule that applies to this request, if any (its count is taken). */
  take(method: string, p: string): FaultRule | undefined {
    for (const rule of this.config.rules ?? []) {
      if ((rule.times ?? 1) <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.path && !new RegExp(rule.path).test(p)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.times = (rule.times ?? 1) - 1;
      return rule;
    }
    return undefined;
  }
}
