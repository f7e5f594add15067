// What an assistant asks across days of one wearer: a metric's trend against their usual (the dashboard's series and
// its 30-day median), heart rate in buckets, and what a tag does to a metric the day after.
import type { Documents } from "../storage/documents.ts";
import type { PollStore } from "../storage/polls.ts";
import { loadTags, tagName } from "../views/activities-data.ts";
import { changeText, dayString, saidChange, formatMetric, loadMetricSeries, type MetricDefinition } from "../views/metrics.ts";
import { shiftDay } from "../views/night-data.ts";
import { heartRateOr } from "../views/values.ts";
import { DAY_MS, dayCount, instant, isoWithOffset, mean, metric as metricNamed, ToolError, unitOf } from "./tool-args.ts";

export const MOST_TREND_DAYS = 365;
export const MOST_TAG_EFFECT_DAYS = 365;
export const MOST_HEART_RATE_DAYS = 7;
/** Tags read for an effect: every tag of a year for a wearer who tags ten things a day (a cut would count tagged days as untagged). */
const MOST_TAGS_READ = (MOST_TAG_EFFECT_DAYS + 1) * 10;
export const HEART_RATE_RESOLUTIONS = { "5min": 300, "15min": 900, "30min": 1800, "1h": 3600 } as const;
export type HeartRateResolution = keyof typeof HEART_RATE_RESOLUTIONS;

const valueOf = (metric: MetricDefinition, value: number) => ({ value, text: formatMetric(metric, value) });
/** A change with its text, the value as precise as the text says it (+3.5 in readiness is +4; −0.085 °C is −0.08). */
const changeOf = (metric: MetricDefinition, change: number) => {
  const value = saidChange(metric, change);
  return { value, text: changeText(metric, value) };
};

async function seriesOf(store: Documents, userId: string, metric: MetricDefinition, days: number, now: number) {
  return (await loadMetricSeries(store, userId, days, now)).find((s) => s.metric.key === metric.key)!;
}

/** A metric per day over the last `days` days, the wearer's baseline (the median of the last 30 days) and the change. */
export async function metricTrend(store: Documents, userId: string, args: { metric: string; days?: number }, now: number) {
  const metric = metricNamed(args.metric);
  const days = dayCount(args.days, 30, MOST_TREND_DAYS);
  const series = await seriesOf(store, userId, metric, days, now);
  if (series.points.length === 0) throw new ToolError(`no ${metric.label} values recorded in the ${days === 1 ? "day" : `${days} days`} to ${dayString(now)}`);
  const latest = series.latest!;
  return {
    user: userId,
    metric: metric.key,
    label: metric.label,
    unit: unitOf(metric),
    first_day: dayString(now - (days - 1) * DAY_MS),
    last_day: dayString(now),
    days: series.points.map((p) => ({ day: p.day, ...valueOf(metric, p.value) })),
    latest: { day: latest.day, ...valueOf(metric, latest.value) },
    baseline: series.baseline === undefined ? null : { ...valueOf(metric, series.baseline), rule: `the median of the values of the 30 days to ${dayString(now)}` },
    change_vs_baseline: series.baseline === undefined ? null : changeOf(metric, latest.value - series.baseline),
  };
}

/** Buckets in one answer: 7 days at 15 minutes; finer resolutions take shorter windows (an answer an assistant can read). */
export const MOST_HEART_RATE_BUCKETS = 672;

/**
 * Heart rate from `start` to `end` (at most 7 days, at most MOST_HEART_RATE_BUCKETS buckets) in buckets: min, mean and
 * max bpm of the samples in each. Days are the wearer's (midnight in the offset of their newest night).
 */
export async function heartRate(polls: PollStore, userId: string, args: { start: string; end: string; resolution?: HeartRateResolution }, wearerOffsetMinutes: number) {
  const from = instant(args.start, "start", wearerOffsetMinutes);
  const to = instant(args.end, "end", wearerOffsetMinutes, true);
  const resolution = args.resolution ?? "15min";
  const step = HEART_RATE_RESOLUTIONS[resolution];
  if (step === undefined) throw new ToolError(`resolution must be one of ${Object.keys(HEART_RATE_RESOLUTIONS).join(", ")}`);
  if (to.ms <= from.ms) throw new ToolError("end must be after start");
  if (to.ms - from.ms > MOST_HEART_RATE_DAYS * DAY_MS) throw new ToolError(`the window is longer than ${MOST_HEART_RATE_DAYS} days: at most ${MOST_HEART_RATE_DAYS} days per call`);
  const bucketCount = Math.ceil((to.ms - from.ms) / (step * 1000));
  if (bucketCount > MOST_HEART_RATE_BUCKETS) {
    const coarser = Object.entries(HEART_RATE_RESOLUTIONS).find(([, seconds]) => Math.ceil((to.ms - from.ms) / (seconds * 1000)) <= MOST_HEART_RATE_BUCKETS)?.[0];
    const hours = Math.floor((MOST_HEART_RATE_BUCKETS * step) / 3600);
    throw new ToolError(`${bucketCount} buckets of ${resolution}: at most ${MOST_HEART_RATE_BUCKETS} per call — choose resolution ${coarser}, or a window of at most ${hours} hours at ${resolution}`);
  }
  const buckets = new Map<number, number[]>();
  for (const sample of await polls.heartRate(userId, from.ms, to.ms)) {
    const bpm = heartRateOr(sample.bpm);
    if (bpm === null) continue;
    const at = from.ms + Math.floor((sample.atMs - from.ms) / (step * 1000)) * step * 1000;
    buckets.get(at)?.push(bpm) ?? buckets.set(at, [bpm]);
  }
  const start = isoWithOffset(from.ms, from.offsetMinutes);
  const end = isoWithOffset(to.ms, to.offsetMinutes);
  if (buckets.size === 0) throw new ToolError(`no heart-rate samples recorded from ${start} to ${end}`);
  return {
    user: userId,
    start,
    end,
    resolution,
    unit: "bpm",
    // Times in the offset `start` was given in (a day: the wearer's); buckets without a sample are left out.
    buckets: [...buckets].map(([at, values]) => ({ start: isoWithOffset(at, from.offsetMinutes), min: Math.min(...values), mean: mean(values), max: Math.max(...values), samples: values.length })),
  };
}

/** "Alcohol", "tag_sleep_alcohol" and "late meal" all name the tags the dashboard shows by those words. */
const tagKey = (text: string) => tagName(text.trim().toLowerCase()).toLowerCase();

/**
 * A metric on the day after each day tagged `tag` (Oura's day of a night is the morning's date, so: the night after,
 * the next day's readiness) against every other day with a value, over the last `days` days.
 */
export async function tagEffect(store: Documents, userId: string, args: { tag: string; metric: string; days?: number }, now: number) {
  const metric = metricNamed(args.metric);
  const days = dayCount(args.days, 90, MOST_TAG_EFFECT_DAYS);
  const wanted = tagKey(args.tag);
  if (wanted.length === 0) throw new ToolError("tag must name a tag, e.g. alcohol");
  const firstDay = dayString(now - (days - 1) * DAY_MS);
  const tags = await loadTags(store, userId, { start_day: shiftDay(firstDay, -1) }, MOST_TAGS_READ);
  const taggedDays = [...new Set(tags.filter((t) => t.label.toLowerCase().includes(wanted)).map((t) => t.day))].sort();
  if (taggedDays.length === 0) {
    const seen = [...new Set(tags.map((t) => t.label))].slice(0, 30);
    throw new ToolError(`no days tagged "${args.tag}" from ${firstDay} to ${dayString(now)}; tags recorded then: ${seen.length ? seen.join(", ") : "none"}`);
  }
  const series = await seriesOf(store, userId, metric, days, now);
  const afterTag = new Map(taggedDays.map((d) => [shiftDay(d, 1), d]));
  const tagged = series.points.filter((p) => afterTag.has(p.day));
  const other = series.points.filter((p) => !afterTag.has(p.day));
  const taggedMean = mean(tagged.map((p) => p.value));
  const otherMean = mean(other.map((p) => p.value));
  const difference = taggedMean === null || otherMean === null ? null : taggedMean - otherMean;
  return {
    user: userId,
    tag: args.tag,
    metric: metric.key,
    label: metric.label,
    unit: unitOf(metric),
    first_day: firstDay,
    last_day: dayString(now),
    rule: "the metric on the day after each tagged day (a night's day is the morning's date: the night after the tag) against every other day with a value",
    tagged: { count: tagged.length, mean: taggedMean, days: tagged.map((p) => ({ tag_day: afterTag.get(p.day)!, day: p.day, value: p.value })) },
    other: { count: other.length, mean: otherMean, days: other.map((p) => p.day) },
    tagged_days_without_value: taggedDays.filter((d) => !tagged.some((p) => p.day === shiftDay(d, 1))),
    difference: difference === null ? null : changeOf(metric, difference),
  };
}
