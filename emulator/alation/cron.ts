/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week, UTC) as query schedules
 * use them: numbers, `*`, ranges `a-b`, steps `*\/n` and `a-b/n`, lists. Day-of-week 0 and 7 are
 * Sunday; when both day fields are restricted a day matching either runs (classic cron).
 */

interface Parsed {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  domAny: boolean;
  dowAny: boolean;
}

function field(text: string, min: number, max: number, name: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`cron ${name} "${part}" is not a number, range, step or *`);
    const step = m[4] ? Number(m[4]) : 1;
    const lo = m[1] === "*" ? min : Number(m[2]);
    const hi = m[1] === "*" ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : lo;
    if (lo < min || hi > max || lo > hi || step < 1) throw new Error(`cron ${name} "${part}" is out of range ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expr: string): Parsed {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron expression "${expr}" must have 5 fields (minute hour day-of-month month day-of-week)`);
  const dow = field(parts[4], 0, 7, "day-of-week");
  if (dow.has(7)) dow.add(0);
  return {
    minute: field(parts[0], 0, 59, "minute"),
    hour: field(parts[1], 0, 23, "hour"),
    dom: field(parts[2], 1, 31, "day-of-month"),
    month: field(parts[3], 1, 12, "month"),
    dow,
    domAny: parts[2] === "*",
    dowAny: parts[4] === "*",
  };
}

/** The first run strictly after `after`, or undefined within about a year (e.g. "0 0 31 2 *"). */
export function nextRun(expr: string, after: Date): Date | undefined {
  const c = parseCron(expr);
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  for (let i = 0; i < 366 * 24 * 60; i++) {
    const dayOk = c.domAny && c.dowAny ? true : c.domAny ? c.dow.has(t.getUTCDay()) : c.dowAny ? c.dom.has(t.getUTCDate()) : c.dom.has(t.getUTCDate()) || c.dow.has(t.getUTCDay());
    if (c.month.has(t.getUTCMonth() + 1) && dayOk && c.hour.has(t.getUTCHours()) && c.minute.has(t.getUTCMinutes())) return t;
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  return undefined;
}
