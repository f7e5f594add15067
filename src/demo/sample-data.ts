// A plausible person for the demo: each day's numbers are a fixed function of the day (the same on every run), made of
// a personal baseline, a weekday/weekend rhythm, a slow swell over weeks and day-to-day noise — so they vary like a
// real week and stay in realistic ranges however long the demo runs (tested over years of days). Documents are whole:
// a night with its phases and heart-rate and HRV series, readiness contributors, activity with steps and MET, workouts,
// and the newer types — daily stress, resilience, SpO2, cardiovascular age, VO2 max, sessions, tags.
//
// Shapes follow Oura's OpenAPI (v2, "openapi-1.37.json" as vendored in tgrk/ex_oura test/support, checked against
// openapi-1.29.json there): field names, nullability and enums; 1.37 documents carry no `meta`. The person is 41, lives
// at +00:00, drinks on many Friday and Saturday evenings — and the nights after are measurably worse (lower HRV, higher
// lowest heart rate, lower readiness next morning), as a dashboard that sets tags beside nights should show.
export interface SampleDocument {
  /** The usercollection path the document is served under: the data type, except `vO2_max` for vo2_max (Oura's casing). */
  path: string;
  /** Oura's data type (`ExtApiV2DataType`): what a webhook notification of the document names. */
  dataType: string;
  /** Daily documents have `day`; an enhanced tag has `start_day` instead. */
  document: Record<string, unknown> & { id: string };
}

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, Math.round(value)));

function hash32(text: string, salt: number): number {
  let hash = 2166136261 ^ salt;
  for (const ch of text) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  hash = Math.imul(hash ^ (hash >>> 15), 2246822507);
  return hash >>> 0;
}

/** A deterministic number in [-0.5, 0.5) for a day (and a salt): the same day always gives the same value. */
function noise(day: string, salt: number): number {
  return (hash32(day, salt) % 10_000) / 10_000 - 0.5;
}

/** A deterministic stream of numbers in [0, 1) (mulberry32), for long per-night strings where a hash per item is slow. */
function stream(seed: string, salt: number): () => number {
  let state = hash32(seed, salt);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const midnight = (day: string) => Date.parse(`${day}T00:00:00Z`);
const weekdayOf = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();
const dayBefore = (day: string, days = 1) => new Date(midnight(day) - days * DAY_MS).toISOString().slice(0, 10);

/** The person's local time (+00:00) as Oura writes it: `2026-12-01T22:55:00+00:00`, or with milliseconds for samples. */
const localTime = (ms: number, millis = false) => new Date(ms).toISOString().slice(0, millis ? 23 : 19) + "+00:00";

/** How this day leans: −1 … 1 from a swell over about five weeks plus the day's own noise (mean-reverting: no drift). */
function lean(day: string, salt: number): number {
  return 0.55 * Math.sin((dayNumber(day) * 2 * Math.PI) / 37 + salt) + 0.9 * noise(day, salt);
}

const isWeekend = (day: string) => [0, 6].includes(weekdayOf(day));

export function dayOf(msAgo: number, now = Date.now()): string {
  return new Date(now - msAgo).toISOString().slice(0, 10);
}

/** What the person tags on a day: alcohol on most Friday and Saturday evenings (rarely another), a late meal now and then, coffee most weekday mornings. */
export function tagsOfDay(day: string) {
  const weekday = weekdayOf(day);
  return {
    alcohol: [5, 6].includes(weekday) ? noise(day, 61) < 0.15 : noise(day, 61) < -0.46,
    lateMeal: noise(day, 62) < -0.27,
    caffeine: noise(day, 63) < (weekday >= 1 && weekday <= 5 ? 0.1 : -0.2),
  };
}

/** The day's numbers, from which its documents are written. A night belongs to the day it ends on: its evening is the day before. */
export function dayProfile(day: string) {
  const weekend = isWeekend(day);
  const rest = lean(day, 1);
  const strain = lean(day, 2);
  const evening = tagsOfDay(dayBefore(day));
  // Drinks the evening before: a restless night with a low HRV and a high heart rate, and a worse morning.
  const alcohol = evening.alcohol ? 1 : 0;
  const lateMeal = evening.lateMeal ? 1 : 0;
  // Weekends: later to bed, longer asleep, fewer steps (and a longer run on Saturday).
  const totalSleep = clamp((weekend ? 7.9 : 7.1) * 3600 + 2400 * rest, 5 * 3600, 9.5 * 3600);
  const efficiency = clamp(89 + 5 * rest - 3 * alcohol, 78, 97);
  const sleepScore = clamp(72 + 10 * rest + (totalSleep - 7 * 3600) / 900 - 6 * alcohol, 52, 95);
  const hrv = clamp(46 + 12 * rest - 5 * strain - 11 * alcohol - 3 * lateMeal, 22, 85);
  const lowestHr = clamp(52 - 4 * rest + 3 * strain + 5 * alcohol + 2 * lateMeal, 43, 66);
  const readiness = clamp(74 + 9 * rest - 6 * strain + (hrv - 46) / 3 - 6 * alcohol, 48, 96);
  const steps = clamp((weekend ? 6800 : 9200) + 3200 * strain, 2500, 17_000);
  const activityScore = clamp(70 + 12 * strain + (steps - 8000) / 1000, 45, 97);
  const bedtimeMinutes = (weekend ? 23 * 60 + 40 : 22 * 60 + 55) + 25 * noise(day, 3) + 20 * alcohol;
  return { weekend, rest, strain, alcohol, lateMeal, totalSleep, efficiency, sleepScore, hrv, lowestHr, readiness, steps, activityScore, bedtimeMinutes };
}

type Profile = ReturnType<typeof dayProfile>;

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

/** Movement every 30 seconds (1 still, 2 restless, 3 tossing and turning, 4 active): still in sleep, restless awake. */
function movement(seed: string, phase: string, restlessness: number): string {
  const next = stream(seed, 19);
  let out = "";
  for (const p of phase) {
    for (let k = 0; k < 10; k++) {
      const r = next();
      if (p === "4") out += r < 0.35 ? "1" : r < 0.75 ? "2" : r < 0.93 ? "3" : "4";
      else out += r < 1 - 0.07 * restlessness ? "1" : r < 1 - 0.01 * restlessness ? "2" : "3";
    }
  }
  return out;
}

/** Readiness contributors as Oura lists them (`PublicReadinessContributors`), each in [1, 100]. */
function readinessContributors(day: string, profile: Profile, readiness: number, sleepScore: number) {
  const contributor = (base: number, salt: number) => clamp(base + 10 * noise(day, salt), 40, 100);
  return {
    activity_balance: contributor(78, 41),
    body_temperature: contributor(90, 42),
    hrv_balance: contributor(readiness, 43),
    previous_day_activity: contributor(80, 44),
    previous_night: contributor(sleepScore, 45),
    recovery_index: contributor(readiness, 46),
    resting_heart_rate: contributor(readiness + 5, 47),
    sleep_balance: contributor(sleepScore, 48),
    sleep_regularity: contributor(profile.weekend ? 70 : 88, 49),
  };
}

/** The ring's encrypted identifier (`ring_id`), the same on every night. */
const RING_ID = "b7Yq2xR4Kp9mW1sT6vN3hJ0cLdF8gZeA";

interface NightReadiness {
  score: number;
  contributors: ReturnType<typeof readinessContributors>;
  temperature_deviation: number | null;
  temperature_trend_deviation: number | null;
}

function sleepDocument(day: string, profile: Profile, readiness: NightReadiness) {
  const bedtimeStart = new Date(midnight(day) - DAY_MS + profile.bedtimeMinutes * 60_000);
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
  // Restless periods: a few hundred a night (Oura counts short movements), more after drinks.
  const restless = clamp(290 - 50 * profile.rest + 45 * profile.alcohol + 60 * noise(day, 18), 150, 450);
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
    restless_periods: restless,
    lowest_heart_rate: profile.lowestHr,
    average_heart_rate: profile.lowestHr + 5,
    average_hrv: profile.hrv,
    average_breath: 14.5,
    heart_rate: series(heartRate),
    hrv: series(hrv),
    movement_30_sec: movement(`${day}-night`, phase, 1 + profile.alcohol),
    sleep_phase_5_min: phase,
    sleep_phase_30_sec: [...phase].map((p) => p.repeat(10)).join(""),
    app_sleep_phase_5_min: phase,
    readiness,
    readiness_score_delta: 0,
    sleep_score_delta: 0,
    sleep_algorithm_version: "v2",
    sleep_analysis_reason: "foreground_sleep_analysis",
    low_battery_alert: false,
    ring_id: RING_ID,
  };
}

/**
 * An afternoon nap on most Sundays: Oura's type "sleep" (a confirmed nap of 15 minutes to 3 hours that adds to the
 * day's scores), its own id and period 1. About one in five is too short for readings: then Oura sends no heart-rate or
 * HRV series, `average_hrv: null` and `lowest_heart_rate: 255` (as recorded answers show), and no score deltas.
 */
function napDocument(day: string, profile: Profile, readiness: NightReadiness) {
  if (weekdayOf(day) !== 0 || noise(day, 81) < -0.3) return undefined;
  const noReadings = noise(day, 82) < -0.3;
  const start = midnight(day) + (14 * 60 + 10 + 40 * noise(day, 83)) * 60_000 + clamp(50 * (noise(day, 84) + 0.5), 0, 59) * 1000;
  const slots = noReadings ? clamp(4.5 + 2 * noise(day, 85), 4, 5) : clamp(9 + 6 * (noise(day, 85) + 0.5), 8, 14);
  const timeInBed = slots * 300;
  const phase = noReadings ? (noise(day, 86) < 0.15 ? "4424".padEnd(slots, "4") : "4".repeat(slots)) : "44" + phases(`${day}-nap`, timeInBed / 60 - 10, 84);
  const asleep = timeInBed - PHASE_SECONDS(phase, "4");
  const napLowest = profile.lowestHr + clamp(11 + 4 * noise(day, 87), 9, 13);
  const heartRate = [...phase].map((p, i) => (p === "4" ? null : clamp(napLowest + 3 - (2 * i) / slots + 2 * noise(`${day}-nap-hr-${i}`, 88), napLowest, 95)));
  const hrv = [...phase].map((p, i) => (p === "4" ? null : clamp(profile.hrv - 12 + 6 * noise(`${day}-nap-hrv-${i}`, 89), 10, 120)));
  const readings = heartRate.filter((v): v is number => v !== null);
  const hrvReadings = hrv.filter((v): v is number => v !== null);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const series = (items: (number | null)[]) => ({ interval: 300, items, timestamp: localTime(start, true) });
  const delta = noReadings ? null : clamp(4 + 2 * noise(day, 90), 3, 6);
  return {
    id: `sn-${day}`,
    day,
    type: "sleep",
    period: 1,
    bedtime_start: localTime(start),
    bedtime_end: localTime(start + timeInBed * 1000),
    time_in_bed: timeInBed,
    total_sleep_duration: asleep,
    awake_time: PHASE_SECONDS(phase, "4"),
    deep_sleep_duration: PHASE_SECONDS(phase, "1"),
    light_sleep_duration: PHASE_SECONDS(phase, "2"),
    rem_sleep_duration: PHASE_SECONDS(phase, "3"),
    efficiency: Math.round((asleep / timeInBed) * 100),
    latency: noReadings ? 0 : 600,
    restless_periods: clamp(8 + 6 * noise(day, 91), 2, 14),
    // Oura's 255 means "no reading": the nap was too short for one.
    lowest_heart_rate: noReadings ? 255 : Math.min(...readings),
    average_heart_rate: noReadings ? Math.round((napLowest + 8) * 8) / 8 : Math.round(mean(readings) * 8) / 8,
    average_hrv: noReadings ? null : Math.round(mean(hrvReadings)),
    average_breath: 15.5,
    heart_rate: noReadings ? null : series(heartRate),
    hrv: noReadings ? null : series(hrv),
    movement_30_sec: movement(`${day}-nap`, phase, 1),
    sleep_phase_5_min: phase,
    sleep_phase_30_sec: [...phase].map((p) => p.repeat(10)).join(""),
    app_sleep_phase_5_min: phase,
    // A nap's readiness: no temperature of its own and little to say about the night.
    readiness: {
      score: clamp(readiness.score + (delta ?? -15), 1, 100),
      contributors: { ...readiness.contributors, body_temperature: 0, previous_night: 1, recovery_index: clamp(10 + 10 * noise(day, 92), 1, 25), resting_heart_rate: 1 },
      temperature_deviation: null,
      temperature_trend_deviation: readiness.temperature_trend_deviation,
    },
    readiness_score_delta: delta,
    sleep_score_delta: delta,
    sleep_algorithm_version: "v2",
    sleep_analysis_reason: "foreground_sleep_analysis",
    low_battery_alert: false,
    ring_id: RING_ID,
  };
}

/** Seconds in 15-minute steps, as Oura reports stress and recovery time. */
const quarterHours = (seconds: number, high: number) => Math.min(high, Math.max(0, Math.round(seconds / 900) * 900));

/** Time in high stress and in high recovery (`PublicDailyStress`), in seconds: more stress on weekdays and strained days, less recovery after drinks. */
function stressOf(day: string, profile: Profile) {
  const stressHigh = quarterHours((profile.weekend ? 0.7 : 1.6) * 3600 + 1.6 * 3600 * profile.strain + 2400 * noise(day, 101), 4 * 3600);
  const recoveryHigh = quarterHours((profile.weekend ? 3.1 : 2.3) * 3600 + 1.4 * 3600 * profile.rest - 1.3 * 3600 * profile.alcohol + 1800 * noise(day, 102), 5 * 3600);
  return { stressHigh, recoveryHigh };
}

const daySummary = (stressHigh: number, recoveryHigh: number) =>
  recoveryHigh >= 2 * stressHigh && recoveryHigh >= 2.5 * 3600 ? "restored" : stressHigh > recoveryHigh && stressHigh >= 2 * 3600 ? "stressful" : "normal";

/**
 * Resilience (`DailyResilienceModel`) is long-term: each contributor is a two-week mean, so the level moves slowly and
 * follows the readiness lean. Contributors are numbers in [0, 100] with a decimal, as Oura sends them.
 */
function resilienceOf(day: string) {
  let sleep = 0;
  let daytime = 0;
  let stress = 0;
  const window = 14;
  for (let ago = 0; ago < window; ago++) {
    const d = dayBefore(day, ago);
    const profile = dayProfile(d);
    const { stressHigh, recoveryHigh } = stressOf(d, profile);
    sleep += 55 + 28 * profile.rest - 10 * profile.alcohol + (profile.hrv - 46) / 2;
    daytime += 28 + (recoveryHigh / 3600) * 11;
    stress += 78 - (stressHigh / 3600) * 13;
  }
  const one = (total: number) => Math.max(0, Math.min(100, Math.round((total / window) * 10) / 10));
  const contributors = { sleep_recovery: one(sleep), daytime_recovery: one(daytime), stress: one(stress) };
  const mean = (contributors.sleep_recovery + contributors.daytime_recovery + contributors.stress) / 3;
  const level = mean < 48 ? "limited" : mean < 53 ? "adequate" : mean < 58 ? "solid" : mean < 63 ? "strong" : "exceptional";
  return { contributors, level };
}

const SESSION_MOODS = [null, "good", "great", "same", "good", "worse", null, "good", "bad", "great"] as const;

/** A session (`PublicSession`) on about a third of days: meditation or relaxation in the evening, breathing in the morning, now and then a body status check. Samples every 5 s. */
function sessionDocument(day: string, profile: Profile) {
  if (noise(day, 93) >= -0.18) return undefined;
  const pick = noise(day, 94);
  const type = pick < -0.25 ? "breathing" : pick < 0.2 ? "meditation" : pick < 0.4 ? "relaxation" : "body_status";
  const minutes = type === "breathing" ? 5 : type === "meditation" ? clamp(12 + 6 * noise(day, 95), 9, 15) : 10;
  const startMinutes = type === "breathing" ? 7 * 60 + 5 : 21 * 60 + 30;
  const start = midnight(day) + (startMinutes + 30 * noise(day, 96)) * 60_000 + clamp(59 * (noise(day, 97) + 0.5), 0, 59) * 1000;
  const count = minutes * 12;
  const next = stream(`${day}-session`, 98);
  const sample = (items: (number | null)[]) => ({ interval: 5, items, timestamp: localTime(start, true) });
  // Breathing exercises are often recorded without heart rate (as a recorded answer shows: both series null).
  const noHeart = type === "breathing" && noise(day, 99) < 0;
  const calm = profile.lowestHr + 14;
  const heartRate = Array.from({ length: count }, (_, i) => (i < 4 ? null : Math.round((calm - (4 * i) / count + 0.6 * Math.sin(i / 9)) * 10) / 10));
  const heartRateVariability = Array.from({ length: count }, (_, i) => (i < 12 || i >= count - 6 ? null : Math.round(profile.hrv - 8 + (10 * i) / count + 3 * (next() - 0.5))));
  const motion = Array.from({ length: count }, (_, i) => (i === 0 ? 0 : i < 9 ? Math.round(10 + 40 * next()) : next() < 0.04 ? Math.round(15 + 25 * next()) : 0));
  return {
    id: `ses-${day}`,
    day,
    start_datetime: localTime(start),
    end_datetime: localTime(start + minutes * 60_000),
    type,
    heart_rate: noHeart ? null : sample(heartRate),
    heart_rate_variability: noHeart ? null : sample(heartRateVariability),
    mood: SESSION_MOODS[hash32(day, 100) % SESSION_MOODS.length] ?? null,
    motion_count: sample(motion),
  };
}

const ALCOHOL_COMMENTS = ["", "", "2 glasses of wine", "", "beers with friends", ""];
const CAFFEINE_COMMENTS = ["", "", "double espresso", ""];
const NOTES: { text: string; tags: string[] }[] = [
  { text: "Long day at work", tags: ["tag_sleep_latework"] },
  { text: "Slept with the window open", tags: [] },
  { text: "Headache in the evening", tags: ["tag_generic_headache"] },
  { text: "Hotel bed", tags: ["tag_generic_travel", "tag_generic_hotel"] },
];

/**
 * Tags: `enhanced_tag` documents (`EnhancedTagModel`: `start_day`, not `day`; `end_time`/`end_day` null for a tag
 * without duration; `comment` "" when none; `custom_name` only for custom tags), and on a few days an old-style note
 * (`TagModel`: `day`, `text`, `timestamp`, `tags`). Tag type codes seen in real answers: `tag_sleep_alcohol`,
 * `tag_sleep_latemeal` (sleep-impact framing) and `tag_generic_caffeine`.
 */
function tagDocuments(day: string): SampleDocument[] {
  const tags = tagsOfDay(day);
  const documents: SampleDocument[] = [];
  const enhanced = (key: string, code: string, minutes: number, comment: string) => {
    const at = midnight(day) + minutes * 60_000 + clamp(59 * (noise(day, 110 + minutes) + 0.5), 0, 59) * 1000;
    documents.push({ path: "enhanced_tag", dataType: "enhanced_tag", document: { id: `et-${day}-${key}`, tag_type_code: code, start_time: localTime(at), end_time: null, start_day: day, end_day: null, comment, custom_name: null } });
  };
  if (tags.caffeine) enhanced("caffeine", "tag_generic_caffeine", Math.round(7 * 60 + 50 + 40 * noise(day, 64)), CAFFEINE_COMMENTS[hash32(day, 65) % CAFFEINE_COMMENTS.length]!);
  if (tags.alcohol) enhanced("alcohol", "tag_sleep_alcohol", Math.round(20 * 60 + 30 + 50 * noise(day, 66)), ALCOHOL_COMMENTS[hash32(day, 67) % ALCOHOL_COMMENTS.length]!);
  if (tags.lateMeal) enhanced("latemeal", "tag_sleep_latemeal", Math.round(21 * 60 + 20 + 30 * noise(day, 68)), "");
  if (noise(day, 69) < -0.44) {
    const note = NOTES[hash32(day, 70) % NOTES.length]!;
    documents.push({ path: "tag", dataType: "tag", document: { id: `tag-${day}`, day, text: note.text, timestamp: localTime(midnight(day) + (21 * 60 + 45) * 60_000), tags: note.tags } });
  }
  return documents;
}

/** Activity totals Oura computes from the minutes' MET (`PublicDailyActivity`'s required fields). */
function activityTotals(met: number[], steps: number, day: string) {
  const minutes = (low: number, high: number) => met.filter((m) => m >= low && m < high);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const high = minutes(6, Infinity);
  const medium = minutes(3, 6);
  const low = minutes(1.5, 3);
  const sedentary = minutes(1.05, 1.5);
  const resting = minutes(0, 1.05);
  const targetMeters = 10_000;
  const walked = clamp(steps * 0.78, 0, 14_000);
  // Five-minute classes of the waking day: 2 inactive, 3 low, 4 medium, 5 high (1 rest, 0 non-wear).
  const classes = Array.from({ length: Math.floor(met.length / 5) }, (_, i) => {
    const m = Math.max(...met.slice(i * 5, i * 5 + 5));
    return m >= 6 ? "5" : m >= 3 ? "4" : m >= 1.5 ? "3" : m >= 1.05 ? "2" : "1";
  }).join("");
  return {
    average_met_minutes: Number((sum(met) / met.length).toFixed(3)),
    class_5_min: classes,
    high_activity_met_minutes: Math.round(sum(high)),
    high_activity_time: high.length * 60,
    medium_activity_met_minutes: Math.round(sum(medium)),
    medium_activity_time: medium.length * 60,
    low_activity_met_minutes: Math.round(sum(low)),
    low_activity_time: low.length * 60,
    sedentary_met_minutes: Math.round(sum(sedentary) / 10),
    sedentary_time: sedentary.length * 60,
    resting_time: resting.length * 60 + 8 * 3600,
    non_wear_time: clamp(600 * (noise(day, 58) + 0.5), 0, 600),
    inactivity_alerts: noise(day, 59) < -0.3 ? 1 : 0,
    target_calories: 550,
    target_meters: targetMeters,
    meters_to_target: targetMeters - walked,
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
  const contributors = readinessContributors(day, profile, readiness, sleepScore);
  const temperatureDeviation = Number((0.3 * lean(day, 5)).toFixed(2));
  const temperatureTrendDeviation = Number((0.2 * lean(day, 6)).toFixed(2));
  const nightReadiness = { score: readiness, contributors, temperature_deviation: temperatureDeviation, temperature_trend_deviation: temperatureTrendDeviation };
  // MET every minute of the waking day: resting around 1, walks and a workout above.
  const met = Array.from({ length: 16 * 60 }, (_, i) => Number((1 + Math.max(0, 2.5 * noise(`${day}-met-${i >> 4}`, 51) + (i > 17 * 30 && i < 18 * 30 ? 4 : 0))).toFixed(1)));
  const daily = (path: string, document: SampleDocument["document"]): SampleDocument => ({ path, dataType: path, document });
  const documents: SampleDocument[] = [
    daily("daily_sleep", {
      id: `ds-${day}`,
      day,
      score: sleepScore,
      timestamp: `${day}T00:00:00+00:00`,
      contributors: { deep_sleep: contributor(sleepScore, 31), efficiency: contributor(profile.efficiency, 32), latency: contributor(80, 33), rem_sleep: contributor(sleepScore, 34), restfulness: contributor(75, 35), timing: contributor(profile.weekend ? 70 : 85, 36), total_sleep: contributor(sleepScore + 3, 37) },
    }),
    daily("daily_readiness", {
      id: `dr-${day}`,
      day,
      score: readiness,
      timestamp: `${day}T00:00:00+00:00`,
      temperature_deviation: temperatureDeviation,
      temperature_trend_deviation: temperatureTrendDeviation,
      contributors,
    }),
    daily("daily_activity", {
      id: `da-${day}`,
      day,
      score: activity,
      steps,
      active_calories: clamp(steps / 22, 60, 1200),
      total_calories: clamp(1900 + steps / 22, 1900, 3200),
      equivalent_walking_distance: clamp(steps * 0.78, 0, 14_000),
      timestamp: `${day}T04:00:00+00:00`,
      met: { interval: 60, items: met, timestamp: `${day}T07:00:00+00:00` },
      ...activityTotals(met, steps, day),
      contributors: { meet_daily_targets: contributor(activity, 52), move_every_hour: contributor(85, 53), recovery_time: contributor(90, 54), stay_active: contributor(activity, 55), training_frequency: contributor(75, 56), training_volume: contributor(70, 57) },
    }),
    daily("sleep", sleepDocument(day, profile, nightReadiness)),
  ];
  const nap = napDocument(day, profile, nightReadiness);
  if (nap) documents.push(daily("sleep", nap));
  // Workouts on Tuesdays, Thursdays and Saturdays.
  const weekday = weekdayOf(day);
  if ([2, 4, 6].includes(weekday)) {
    const minutes = weekday === 6 ? 55 : 35;
    const start = `${day}T${weekday === 6 ? "09" : "18"}:15:00+00:00`;
    documents.push(daily("workout", { id: `w-${day}`, day, activity: weekday === 6 ? "running" : "cycling", calories: minutes * 9, distance: minutes * 160, intensity: weekday === 6 ? "hard" : "moderate", label: null, source: "autodetected", start_datetime: start, end_datetime: new Date(Date.parse(start) + minutes * 60_000).toISOString().replace("Z", "+00:00") }));
  }

  // Stress builds up during the day: today's revisions add a quarter-hour now and then.
  const stress = stressOf(day, profile);
  const stressHigh = version > 0 ? quarterHours(stress.stressHigh + 900 * Math.round(noise(`${day}-v${version}`, 25) + 0.5), 4 * 3600) : stress.stressHigh;
  // Too little data for a summary on some days: Oura then sends day_summary null.
  documents.push(daily("daily_stress", { id: `dst-${day}`, day, stress_high: stressHigh, recovery_high: stress.recoveryHigh, day_summary: noise(day, 103) < -0.47 ? null : daySummary(stressHigh, stress.recoveryHigh) }));
  documents.push(daily("daily_resilience", { id: `dre-${day}`, day, ...resilienceOf(day) }));
  // SpO2 of the night (some nights have too little good signal: null), and the Breathing Disturbance Index, higher after drinks.
  const spo2Missing = noise(day, 104) < -0.45;
  documents.push(
    daily("daily_spo2", {
      id: `dsp-${day}`,
      day,
      spo2_percentage: spo2Missing ? null : { average: Number(Math.max(95, Math.min(99, 97.3 + 1.6 * noise(day, 105) + 0.5 * profile.rest - 0.5 * profile.alcohol)).toFixed(3)) },
      breathing_disturbance_index: spo2Missing ? null : clamp(2 + 8 * (noise(day, 106) + 0.5) - 2 * profile.rest + 5 * profile.alcohol, 0, 15),
    }),
  );
  // Cardiovascular age: about the person's 41 years, drifting over months.
  const vascularAge = clamp(41 + 3 * Math.sin((dayNumber(day) * 2 * Math.PI) / 150 + 2) + 1.5 * noise(day, 107), 36, 46);
  documents.push(daily("daily_cardiovascular_age", { id: `dca-${day}`, day, vascular_age: vascularAge, pulse_wave_velocity: Number((4.6 + 0.065 * vascularAge + 0.2 * noise(day, 108)).toFixed(1)) }));
  // VO2 max: Oura estimates it now and then, not daily — here after the Saturday run; it moves over months.
  if (weekday === 6) {
    const vo2 = clamp(42 + 3 * Math.sin((dayNumber(day) * 2 * Math.PI) / 240) + 1.2 * noise(day, 109), 38, 46);
    documents.push({ path: "vO2_max", dataType: "vo2_max", document: { id: `vo2-${day}`, day, timestamp: `${day}T10:32:00+00:00`, vo2_max: vo2 } });
  }
  const session = sessionDocument(day, profile);
  if (session) documents.push(daily("session", session));
  documents.push(...tagDocuments(day));
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
