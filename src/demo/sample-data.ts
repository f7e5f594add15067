// A plausible person for the demo: each day's numbers are a fixed function of the day (the same on every run), made of
// a personal baseline, a weekday/weekend rhythm, a slow swell over weeks and day-to-day noise — so they vary like a
// real week and stay in realistic ranges however long the demo runs (tested over years of days). Documents are whole:
// a night with its phases and heart-rate and HRV series, readiness contributors, activity with steps and MET, workouts.
export interface SampleDocument {
  path: string;
  document: Record<string, unknown> & { id: string; day: string };
}

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, Math.round(value)));

/** A deterministic number in [-0.5, 0.5) for a day (and a salt): the same day always gives the same value. */
function noise(day: string, salt: number): number {
  let hash = 2166136261 ^ salt;
  for (const ch of day) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  hash = Math.imul(hash ^ (hash >>> 15), 2246822507);
  return ((hash >>> 0) % 10_000) / 10_000 - 0.5;
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

/** How this day leans: −1 … 1 from a swell over about five weeks plus the day's own noise (mean-reverting: no drift). */
function lean(day: string, salt: number): number {
  return 0.55 * Math.sin((dayNumber(day) * 2 * Math.PI) / 37 + salt) + 0.9 * noise(day, salt);
}

const isWeekend = (day: string) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());

export function dayOf(msAgo: number, now = Date.now()): string {
  return new Date(now - msAgo).toISOString().slice(0, 10);
}

/** The day's numbers, from which its documents are written. */
export function dayProfile(day: string) {
  const weekend = isWeekend(day);
  const rest = lean(day, 1);
  const strain = lean(day, 2);
  // Weekends: later to bed, longer asleep, fewer steps (and a longer run on Saturday).
  const totalSleep = clamp((weekend ? 7.9 : 7.1) * 3600 + 2400 * rest, 5 * 3600, 9.5 * 3600);
  const efficiency = clamp(89 + 5 * rest, 78, 97);
  const sleepScore = clamp(72 + 10 * rest + (totalSleep - 7 * 3600) / 900, 52, 95);
  const hrv = clamp(46 + 12 * rest - 5 * strain, 22, 85);
  const lowestHr = clamp(52 - 4 * rest + 3 * strain, 43, 66);
  const readiness = clamp(74 + 9 * rest - 6 * strain + (hrv - 46) / 3, 48, 96);
  const steps = clamp((weekend ? 6800 : 9200) + 3200 * strain, 2500, 17_000);
  const activityScore = clamp(70 + 12 * strain + (steps - 8000) / 1000, 45, 97);
  const bedtimeMinutes = (weekend ? 23 * 60 + 40 : 22 * 60 + 55) + 25 * noise(day, 3);
  return { weekend, totalSleep, efficiency, sleepScore, hrv, lowestHr, readiness, steps, activityScore, bedtimeMinutes };
}

/** Sleep phases every 5 minutes (1 deep, 2 light, 3 REM, 4 awake): deep early, REM growing towards morning. */
function phases(day: string, minutes: number, efficiency: number): string {
  // Each night its own: cycles of 80 to 100 minutes, deep sleep of 15 to 35 minutes a cycle, awake as often as the
  // night's efficiency says.
  const cycleLength = 90 + 20 * noise(day, 8);
  const deep = 25 + 20 * noise(day, 9);
  const shift = 30 * (noise(day, 10) + 0.5);
  let out = "";
  for (let i = 0; i < Math.floor(minutes / 5); i++) {
    const t = i / Math.max(1, minutes / 5);
    const cycle = (i * 5 + shift) % cycleLength;
    const r = noise(`${day}-${i}`, 7) + 0.5;
    if (i === 0 || r > efficiency / 100) out += "4";
    else if (cycle < deep && t < 0.6) out += "1";
    else if (cycle > cycleLength - 25 && t > 0.2) out += "3";
    else out += "2";
  }
  return out;
}

const PHASE_SECONDS = (p: string, phase: string) => [...p].filter((c) => c === phase).length * 300;

function sleepDocument(day: string, profile: ReturnType<typeof dayProfile>) {
  const bedtimeStart = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000 + profile.bedtimeMinutes * 60_000);
  const timeInBed = Math.round(profile.totalSleep / (profile.efficiency / 100) / 300) * 300;
  const bedtimeEnd = new Date(bedtimeStart.getTime() + timeInBed * 1000);
  const phase = phases(day, timeInBed / 60, profile.efficiency);
  // Heart rate and HRV every 5 minutes: heart rate dips in the first half of the night, HRV rises as it does.
  const slots = phase.length;
  const heartRate = Array.from({ length: slots }, (_, i) => {
    const t = i / Math.max(1, slots - 1);
    const dip = Math.sin(Math.PI * Math.min(1, t * 1.6)) * 6;
    return phase[i] === "4" ? null : clamp(profile.lowestHr + 7 - dip + 2 * noise(`${day}-hr-${i}`, 11), profile.lowestHr, 90);
  });
  const hrv = Array.from({ length: slots }, (_, i) => (phase[i] === "4" ? null : clamp(profile.hrv + 12 * Math.sin(Math.PI * (i / slots)) - 6 + 8 * noise(`${day}-hrv-${i}`, 13), 12, 140)));
  const series = (items: (number | null)[]) => ({ interval: 300, items, timestamp: bedtimeStart.toISOString().replace("Z", "+00:00") });
  return {
    id: `s-${day}`,
    day,
    type: "long_sleep",
    period: 0,
    bedtime_start: bedtimeStart.toISOString().replace("Z", "+00:00"),
    bedtime_end: bedtimeEnd.toISOString().replace("Z", "+00:00"),
    time_in_bed: timeInBed,
    total_sleep_duration: timeInBed - PHASE_SECONDS(phase, "4"),
    awake_time: PHASE_SECONDS(phase, "4"),
    deep_sleep_duration: PHASE_SECONDS(phase, "1"),
    light_sleep_duration: PHASE_SECONDS(phase, "2"),
    rem_sleep_duration: PHASE_SECONDS(phase, "3"),
    // What the durations say: asleep over in bed.
    efficiency: Math.round(((timeInBed - PHASE_SECONDS(phase, "4")) / timeInBed) * 100),
    latency: clamp(600 + 300 * noise(day, 17), 120, 1800),
    lowest_heart_rate: profile.lowestHr,
    average_heart_rate: profile.lowestHr + 5,
    average_hrv: profile.hrv,
    average_breath: 14.5,
    heart_rate: series(heartRate),
    hrv: series(hrv),
    sleep_phase_5_min: phase,
  };
}

/** The documents of one day; `version` revises today's numbers a little (as Oura does during the day), never beyond bounds. */
export function documentsForDay(day: string, version = 0): SampleDocument[] {
  const profile = dayProfile(day);
  // A revision moves a value by at most a couple of points around the day's own, never further.
  const revised = (value: number, salt: number, low: number, high: number) => clamp(value + (version > 0 ? 4 * noise(`${day}-v${version}`, salt) : 0), low, high);
  const sleepScore = revised(profile.sleepScore, 21, 52, 95);
  const readiness = revised(profile.readiness, 22, 48, 96);
  const activity = revised(profile.activityScore, 23, 45, 97);
  const steps = revised(profile.steps, 24, 2500, 17_000);
  const contributor = (base: number, salt: number) => clamp(base + 10 * noise(day, salt), 40, 100);
  const documents: SampleDocument[] = [
    {
      path: "daily_sleep",
      document: {
        id: `ds-${day}`,
        day,
        score: sleepScore,
        timestamp: `${day}T00:00:00+00:00`,
        contributors: { deep_sleep: contributor(sleepScore, 31), efficiency: contributor(profile.efficiency, 32), latency: contributor(80, 33), rem_sleep: contributor(sleepScore, 34), restfulness: contributor(75, 35), timing: contributor(profile.weekend ? 70 : 85, 36), total_sleep: contributor(sleepScore + 3, 37) },
      },
    },
    {
      path: "daily_readiness",
      document: {
        id: `dr-${day}`,
        day,
        score: readiness,
        timestamp: `${day}T00:00:00+00:00`,
        temperature_deviation: Number((0.3 * lean(day, 5)).toFixed(2)),
        temperature_trend_deviation: Number((0.2 * lean(day, 6)).toFixed(2)),
        contributors: { activity_balance: contributor(78, 41), body_temperature: contributor(90, 42), hrv_balance: contributor(readiness, 43), previous_day_activity: contributor(80, 44), previous_night: contributor(sleepScore, 45), recovery_index: contributor(readiness, 46), resting_heart_rate: contributor(readiness + 5, 47), sleep_balance: contributor(sleepScore, 48), sleep_regularity: contributor(profile.weekend ? 70 : 88, 49) },
      },
    },
    {
      path: "daily_activity",
      document: {
        id: `da-${day}`,
        day,
        score: activity,
        steps,
        active_calories: clamp(steps / 22, 60, 1200),
        total_calories: clamp(1900 + steps / 22, 1900, 3200),
        equivalent_walking_distance: clamp(steps * 0.78, 0, 14_000),
        timestamp: `${day}T04:00:00+00:00`,
        // MET every minute of the waking day: resting around 1, walks and a workout above.
        met: { interval: 60, items: Array.from({ length: 16 * 60 }, (_, i) => Number((1 + Math.max(0, 2.5 * noise(`${day}-met-${i >> 4}`, 51) + (i > 17 * 30 && i < 18 * 30 ? 4 : 0))).toFixed(1))), timestamp: `${day}T07:00:00+00:00` },
        contributors: { meet_daily_targets: contributor(activity, 52), move_every_hour: contributor(85, 53), recovery_time: contributor(90, 54), stay_active: contributor(activity, 55), training_frequency: contributor(75, 56), training_volume: contributor(70, 57) },
      },
    },
    { path: "sleep", document: sleepDocument(day, profile) },
  ];
  // Workouts on Tuesdays, Thursdays and Saturdays.
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  if ([2, 4, 6].includes(weekday)) {
    const minutes = weekday === 6 ? 55 : 35;
    const start = `${day}T${weekday === 6 ? "09" : "18"}:15:00+00:00`;
    documents.push({
      path: "workout",
      document: { id: `w-${day}`, day, activity: weekday === 6 ? "running" : "cycling", calories: minutes * 9, distance: minutes * 160, intensity: weekday === 6 ? "hard" : "moderate", label: null, source: "autodetected", start_datetime: start, end_datetime: new Date(Date.parse(start) + minutes * 60_000).toISOString().replace("Z", "+00:00") },
    });
  }
  return documents;
}

/** Heart-rate samples every 5 minutes in [fromMs, toMs): lower at night, higher during the day, plus noise. */
export function heartRateSince(fromMs: number, toMs: number): { timestamp: string; bpm: number; source: string }[] {
  const step = 5 * 60_000;
  const samples: { timestamp: string; bpm: number; source: string }[] = [];
  for (let at = Math.ceil(fromMs / step) * step; at < toMs; at += step) {
    const hour = new Date(at).getUTCHours();
    const asleep = hour < 6 || hour >= 23;
    const wobble = ((Math.imul(at / step, 2654435761) >>> 0) % 9) - 4;
    samples.push({ timestamp: new Date(at).toISOString(), bpm: clamp((asleep ? 54 : 70) + 6 * Math.sin(at / 3_600_000) + wobble, 42, 140), source: asleep ? "sleep" : "awake" });
  }
  return samples;
}
