/**
 * Refresh reads answered from one listing. `pulumi refresh` of a thousand warehouses asks the
 * provider for a thousand reads, a few at a time; a kind whose vendor lists whole objects
 * (`readAll` in its spec) answers them from one listing of the kind (a few paged requests)
 * instead of one request each, once reads of the kind come in a burst:
 *
 *   - a listing starts when `threshold` reads of the kind arrive within `windowMs` (a stack of a
 *     few objects keeps its direct reads, and never lists a large account for them);
 *   - it serves reads for `ttlMs` after it started — a refresh is not atomic either way;
 *   - any write of the kind through this process (create, update, delete) discards it, as does
 *     one that was under way while it was listed;
 *   - an object the listing lacks, or any read while the listing failed, is read on its own: only
 *     the vendor's answer for that object can take it out of state.
 */
export const BATCH_READ = { threshold: 16, windowMs: 1_000, ttlMs: 10_000 };

export class BatchReader<Raw> {
  private windowStart = -Infinity;
  private count = 0;
  private generation = 0;
  private listing?: { started: number; generation: number; items: Promise<Map<string, Raw>> };

  constructor(
    private readonly readAll: () => Promise<Map<string, Raw>>,
    private readonly options = BATCH_READ,
    private readonly now: () => number = Date.now,
  ) {}

  /** A write of the kind starts or ends: listings taken before it are stale. */
  wrote(): void {
    this.generation++;
    this.listing = undefined;
  }

  /** The object from the current listing; undefined means: read it on its own. */
  async lookup(id: string): Promise<Raw | undefined> {
    const now = this.now();
    if (now - this.windowStart > this.options.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    let listing = this.listing;
    if (!listing || listing.generation !== this.generation || now - listing.started > this.options.ttlMs) {
      if (this.count < this.options.threshold) return undefined;
      listing = this.listing = { started: now, generation: this.generation, items: this.readAll() };
      const mine = listing;
      mine.items.catch(() => {
        if (this.listing === mine) this.listing = undefined;
      });
    }
    try {
      const items = await listing.items;
      return listing.generation === this.generation ? items.get(id) : undefined;
    } catch {
      return undefined;
    }
  }
}
