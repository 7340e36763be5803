/** Small statistics the benchmarks share. */

/** The median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Throughput in MiB/s. */
export const mbps = (bytes: number, ms: number) => bytes / (1 << 20) / (ms / 1000);
