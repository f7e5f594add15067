// Plausible nights and days for the demo user: scores, steps, HRV and resting heart rate that drift like real ones.
export interface SampleDocument {
  path: string;
  document: Record<string, unknown> & { id: string; day: string };
}

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, Math.round(value)));

/** A deterministic wobble per day in [-0.5, 0.5]: day-to-day noise on a slow weekly swell, the same on every run. */
function wobble(day: string, salt: number): number {
  let hash = 2166136261 ^ salt;
  for (const ch of day) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  const noise = ((hash >>> 0) % 1000) / 1000 - 0.5;
  const dayNumber = Date.parse(`${day}T00:00:00Z`) / 86_400_000;
  return 0.6 * noise + 0.2 * Math.sin(dayNumber / 3.5 + salt);
}

export function dayOf(msAgo: number, now = Date.now()): string {
  return new Date(now - msAgo).toISOString().slice(0, 10);
}

/** The four documents of one day; `version` nudges the values for "update" notifications. */
export function documentsForDay(day: string, version = 0): SampleDocument[] {
  const w = (salt: number) => wobble(day, salt) + version * 0.03;
  const sleepScore = clamp(78 + 14 * w(1), 45, 99);
  const readiness = clamp(76 + 16 * w(2), 40, 99);
  const activity = clamp(74 + 18 * w(3), 35, 99);
  const steps = clamp(8500 + 5000 * w(4), 1200, 24000);
  const hrv = clamp(48 + 18 * w(5), 18, 110);
  const restingHr = clamp(54 - 6 * w(6), 40, 75);
  return [
    { path: "daily_sleep", document: { id: `ds-${day}`, day, score: sleepScore, timestamp: `${day}T00:00:00+00:00`, contributors: { deep_sleep: clamp(sleepScore - 5, 1, 100), efficiency: clamp(sleepScore + 3, 1, 100) } } },
    { path: "daily_readiness", document: { id: `dr-${day}`, day, score: readiness, timestamp: `${day}T00:00:00+00:00`, temperature_deviation: Number((0.4 * w(7)).toFixed(2)) } },
    { path: "daily_activity", document: { id: `da-${day}`, day, score: activity, steps, active_calories: clamp(steps / 25, 50, 1500), timestamp: `${day}T04:00:00+00:00` } },
    { path: "sleep", document: { id: `s-${day}`, day, type: "long_sleep", average_hrv: hrv, lowest_heart_rate: restingHr, total_sleep_duration: clamp(25_000 + 4000 * w(8), 14_000, 36_000), efficiency: clamp(88 + 6 * w(9), 60, 99) } },
  ];
}

/** Heart-rate samples every 5 minutes in [fromMs, toMs): a night's dip and a day's ups, plus noise. */
export function heartRateSince(fromMs: number, toMs: number): { timestamp: string; bpm: number; source: string }[] {
  const step = 5 * 60_000;
  const samples: { timestamp: string; bpm: number; source: string }[] = [];
  for (let at = Math.ceil(fromMs / step) * step; at < toMs; at += step) {
    const hour = new Date(at).getUTCHours();
    const asleep = hour < 6;
    const noise = ((Math.imul(at / step, 2654435761) >>> 0) % 9) - 4;
    samples.push({ timestamp: new Date(at).toISOString(), bpm: clamp((asleep ? 54 : 68) + 8 * Math.sin(at / 3_600_000) + noise, 42, 140), source: asleep ? "sleep" : "awake" });
  }
  return samples;
}
