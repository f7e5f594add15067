/** @jsxImportSource hono/jsx */
// "Last night": the sleep score and the night's numbers, the hypnogram as continuous runs with each stage's total
// beside its row, and titled heart-rate and HRV curves with the lowest heart rate marked — drawn on the server as
// SVG whose labels are HTML (readable at any width), with a text alternative that keeps every number.
import { band } from "./today.tsx";
import { type Night, type Phase, shiftDay } from "./night-data.ts";
import { durationText, grouped, signedDegrees } from "./metrics.ts";
import { gappedPath } from "./paths.ts";
import { shortDay } from "./days.ts";

/** User units across every night SVG; HTML labels are placed at the same fractions (x / WIDTH) of the width. */
const WIDTH = 1000;
const LANE = 100;
const LANES: Phase[] = ["awake", "rem", "light", "deep"];
const LANE_LABEL: Record<Phase, string> = { awake: "Awake", rem: "REM", light: "Light", deep: "Deep" };
const SLOT_MS = 5 * 60_000;
const CURVE_HEIGHT = 100;

const offsetMs = (offset: string) => (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;

/** "23:05" on the ring's clock that night (its UTC offset), not the server's or the viewer's. */
function clock(atMs: number, offset: string): string {
  return new Date(atMs + offsetMs(offset)).toISOString().slice(11, 16);
}

/** "7 h 05 min" (whole minutes first: 3,599 s is "1 h 00 min", never "0 h 60 min"). */
export const duration = (seconds: number | null) => {
  if (seconds === null) return "–";
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
};
const percent = (x: number) => `${((x / WIDTH) * 100).toFixed(2)}%`;

/** Hour marks (whole hours on the ring's clock) between start and end, as x positions. */
function hourTicks(startMs: number, endMs: number, offset: string, x: (ms: number) => number) {
  const ticks: { x: number; label: string }[] = [];
  const shift = offsetMs(offset);
  for (let at = Math.ceil((startMs + shift) / 3_600_000) * 3_600_000 - shift; at <= endMs; at += 3_600_000) ticks.push({ x: x(at), label: clock(at, offset) });
  // Every other hour on a long night, so labels do not collide on a phone.
  return ticks.length > 6 ? ticks.filter((_, i) => i % 2 === 0) : ticks;
}

/**
 * The hours below a plot, at the same fractions of the width as its grid lines: an SVG without a viewBox, so its text
 * keeps its CSS size at any width and its x is a percentage (the Content-Security-Policy refuses style attributes).
 */
function HourRow(props: { ticks: { x: number; label: string }[] }) {
  return (
    <svg class="hours" aria-hidden="true">
      {props.ticks.map((t) => (
        <text x={percent(t.x)} y="12" text-anchor="middle">
          {t.label}
        </text>
      ))}
    </svg>
  );
}

/** Runs of one phase (consecutive 5-minute slots), so the hypnogram is drawn as blocks without seams. */
function phaseRuns(phases: Phase[]): { phase: Phase; from: number; to: number }[] {
  const runs: { phase: Phase; from: number; to: number }[] = [];
  phases.forEach((phase, i) => {
    const last = runs[runs.length - 1];
    if (last && last.phase === phase) last.to = i + 1;
    else runs.push({ phase, from: i, to: i + 1 });
  });
  return runs;
}

function Curve(props: { id: string; title: string; unit: string; values: (number | null)[]; startMs: number; x: (ms: number) => number; ticks: { x: number; label: string }[]; offset: string; markLowest?: boolean }) {
  const readings = props.values.filter((v): v is number => v !== null);
  if (readings.length === 0) return null;
  const min = Math.min(...readings);
  const max = Math.max(...readings);
  const y = (v: number) => (max === min ? CURVE_HEIGHT / 2 : CURVE_HEIGHT - 8 - ((v - min) / (max - min)) * (CURVE_HEIGHT - 16));
  const lowestAt = props.values.indexOf(min);
  const lowestMs = props.startMs + lowestAt * SLOT_MS;
  const described = `${props.title} through the night: from ${min} to ${max} ${props.unit}${props.markLowest ? `, lowest ${min} ${props.unit} at ${clock(lowestMs, props.offset)}` : ""}`;
  return (
    <figure class="night-plot curve" id={props.id}>
      <figcaption class="plot-title">
        {props.title} <small>({props.unit})</small>
        {props.markLowest ? (
          <span class="lowest-note" id={`${props.id}-lowest`}>
            {" "}
            · lowest <strong>{min} {props.unit}</strong> at {clock(lowestMs, props.offset)}
          </span>
        ) : null}
      </figcaption>
      <div class="plot-row">
        <div class="plot-scale" aria-hidden="true">
          <span>{max}</span>
          <span>{min}</span>
        </div>
        <div class="plot-area">
          <svg viewBox={`0 0 ${WIDTH} ${CURVE_HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={described}>
            {props.ticks.map((t) => (
              <line class="grid" x1={t.x.toFixed(1)} x2={t.x.toFixed(1)} y1="0" y2={CURVE_HEIGHT} />
            ))}
            <path class={`line ${props.id}`} d={gappedPath(props.values, (i) => props.x(props.startMs + i * SLOT_MS), y)} fill="none" />
          </svg>
          {props.markLowest ? (
            // Over the curve, at the same fractions of its box: a circle stays round where the curve is stretched.
            <svg class="marks" aria-hidden="true">
              <circle class="lowest-mark" cx={percent(props.x(lowestMs))} cy={`${((y(min) / CURVE_HEIGHT) * 100).toFixed(1)}%`} r="5">
                <title>{`Lowest: ${min} ${props.unit}`}</title>
              </circle>
            </svg>
          ) : null}
          <HourRow ticks={props.ticks} />
        </div>
      </div>
    </figure>
  );
}

/** The night's numbers, each only where the night (or its day) has it. */
function nightNumbers(night: Night, startMs: number): { id: string; label: string; value: string }[] {
  const rows: { id: string; label: string; value: string | null }[] = [
    { id: "night-total", label: "Total sleep", value: duration(night.totalSleepSeconds) },
    { id: "night-in-bed", label: "In bed", value: `${clock(startMs, night.offset)}–${clock(Date.parse(night.bedtimeEnd), night.offset)}` },
    { id: "night-time-in-bed", label: "Time in bed", value: night.timeInBedSeconds === null ? null : duration(night.timeInBedSeconds) },
    { id: "night-efficiency", label: "Efficiency", value: night.efficiency === null ? null : `${night.efficiency} %` },
    { id: "night-latency", label: "Fell asleep in", value: night.latencySeconds === null ? null : durationText(night.latencySeconds) },
    { id: "night-restless", label: "Restless periods", value: night.restlessPeriods === null ? null : String(night.restlessPeriods) },
    { id: "night-lowest", label: "Lowest heart rate", value: night.lowestHeartRate === null ? null : `${night.lowestHeartRate} bpm` },
    { id: "night-average-hr", label: "Average heart rate", value: night.averageHeartRate === null ? null : `${grouped(night.averageHeartRate)} bpm` },
    { id: "night-hrv", label: "Average HRV", value: night.averageHrv === null ? null : `${night.averageHrv} ms` },
    { id: "night-breath", label: "Respiratory rate", value: night.averageBreath === null ? null : `${grouped(night.averageBreath)} /min` },
    { id: "night-temperature", label: "Temperature", value: night.temperatureDeviation === null ? null : signedDegrees(night.temperatureDeviation) },
    { id: "night-spo2", label: "SpO2", value: night.spo2 === null ? null : `${grouped(night.spo2)} %` },
    { id: "night-bdi", label: "Breathing disturbance", value: night.breathingDisturbanceIndex === null ? null : String(night.breathingDisturbanceIndex) },
  ];
  return rows.filter((r): r is { id: string; label: string; value: string } => r.value !== null);
}

/** `laterNight`: a night is recorded after the one shown (a wearer east of UTC has tomorrow's night in the morning). */
export function NightView(props: { night: Night | undefined; day?: string; today: string; laterNight?: boolean }) {
  const { night } = props;
  const shownDay = night?.day ?? props.day ?? props.today;
  const step = (by: number, label: string) => (
    <a href={`/dashboard?night=${shiftDay(shownDay, by)}`} hx-get={`/dashboard/night?day=${shiftDay(shownDay, by)}`} hx-target="#night" hx-swap="outerHTML" hx-push-url={`/dashboard?night=${shiftDay(shownDay, by)}`}>
      {label}
    </a>
  );
  const nav = (
    <nav class="night-nav" aria-label="Nights">
      {step(-1, "← Previous night")}
      {shownDay < props.today || props.laterNight ? step(1, "Next night →") : null}
    </nav>
  );
  if (!night) {
    return (
      <section id="night" class="night" aria-labelledby="night-title" data-day={shownDay}>
        <h2 id="night-title">{props.day ? `Night of ${props.day}` : "Last night"}</h2>
        <p class="empty">No night recorded{props.day ? ` for ${props.day}` : " yet"}.</p>
        {/* Nothing recorded at all: no way into more empty nights. */}
        {props.day ? nav : <div id="night-refresh" hidden></div>}
      </section>
    );
  }
  const startMs = Date.parse(night.bedtimeStart);
  const endMs = Math.max(Date.parse(night.bedtimeEnd), startMs + night.phases.length * SLOT_MS);
  const x = (ms: number) => ((ms - startMs) / Math.max(1, endMs - startMs)) * WIDTH;
  const ticks = hourTicks(startMs, endMs, night.offset, x);
  // A document whose day is not a calendar day still draws its night; it is only called undated.
  const dayText = night.day ?? "an undated day";
  const numbers = nightNumbers(night, startMs);
  const runs = phaseRuns(night.phases);
  const summary =
    `Night of ${dayText}${night.score === null ? "" : `, sleep score ${night.score}`}: in bed ${clock(startMs, night.offset)} to ${clock(Date.parse(night.bedtimeEnd), night.offset)} (UTC${night.offset}), ` +
    `asleep ${duration(night.totalSleepSeconds)}: deep ${duration(night.durations.deep)}, light ${duration(night.durations.light)}, ` +
    `REM ${duration(night.durations.rem)}, awake ${duration(night.durations.awake)}; ` +
    numbers
      .filter((n) => !["night-total", "night-in-bed"].includes(n.id))
      // "Efficiency" reads "efficiency" mid-sentence; "SpO2" and "HRV" stay as they are.
      .map((n) => `${/^[A-Z][a-z]*( |$)/.test(n.label) ? n.label.charAt(0).toLowerCase() + n.label.slice(1) : n.label} ${n.value}`)
      .join(", ") +
    (night.otherPeriods.length > 0 ? `; also ${night.otherPeriods.map((p) => `${p.type} ${clock(Date.parse(p.start), night.offset)}–${clock(Date.parse(p.end), night.offset)}`).join(", ")}` : "") +
    ".";
  const seriesStart = Date.parse(night.seriesStart);
  // The hypnogram's step line: down and up between the runs' lanes, as Oura draws it.
  const laneY = (phase: Phase) => LANES.indexOf(phase) * LANE + LANE / 2;
  const steps = runs.map((r, i) => `${i === 0 ? "M" : "L"}${x(startMs + r.from * SLOT_MS).toFixed(1)},${laneY(r.phase)} L${x(startMs + r.to * SLOT_MS).toFixed(1)},${laneY(r.phase)}`).join(" ");
  return (
    <section id="night" class="night" aria-labelledby="night-title" data-day={night.day ?? undefined}>
      <div class="night-head">
        <h2 id="night-title">{props.day ? `Night of ${night.day ? shortDay(night.day) : dayText}` : `Last night (${night.day ? shortDay(night.day) : dayText})`}</h2>
        {night.score === null ? null : (
          <p class={`night-score ${band(night.score).class}`} id="night-score">
            Sleep score <strong>{night.score}</strong> <small>{band(night.score).name}</small>
          </p>
        )}
      </div>
      <dl class="night-numbers">
        {numbers.map((n) => (
          <div>
            <dt>{n.label}</dt>
            <dd id={n.id}>{n.value}</dd>
          </div>
        ))}
      </dl>
      {night.otherPeriods.length > 0 ? (
        <p class="other-periods" id="night-other">
          Also that day:{" "}
          {night.otherPeriods.map((p, i) => (
            <>
              {i > 0 ? ", " : ""}
              {p.type} {clock(Date.parse(p.start), night.offset)}–{clock(Date.parse(p.end), night.offset)}
              {p.seconds === null ? "" : ` (${durationText(p.seconds)} asleep)`}
            </>
          ))}
        </p>
      ) : null}
      <figure class="night-chart">
        <figure class="night-plot hypnogram-plot">
          <figcaption class="plot-title">
            Sleep stages <small>(times UTC{night.offset}, the ring's clock)</small>
          </figcaption>
          <div class="plot-row">
            <ul class="lanes" aria-hidden="true">
              {LANES.map((phase) => (
                <li class={`lane lane-${phase}`} data-phase={phase}>
                  <span class="lane-name">{LANE_LABEL[phase]}</span> <span class="lane-total">{duration(night.durations[phase])}</span>
                </li>
              ))}
            </ul>
            <div class="plot-area">
              <svg id="hypnogram" viewBox={`0 0 ${WIDTH} ${LANES.length * LANE}`} preserveAspectRatio="none" role="img" aria-label={summary}>
                {ticks.map((t) => (
                  <line class="grid" x1={t.x.toFixed(1)} x2={t.x.toFixed(1)} y1="0" y2={LANES.length * LANE} />
                ))}
                <path class="steps" d={steps} fill="none" />
                {runs.map((r) => (
                  <rect
                    class={`phase phase-${r.phase}`}
                    x={x(startMs + r.from * SLOT_MS).toFixed(1)}
                    y={LANES.indexOf(r.phase) * LANE + 12}
                    width={Math.max(1, x(startMs + r.to * SLOT_MS) - x(startMs + r.from * SLOT_MS)).toFixed(1)}
                    height={LANE - 24}
                    data-phase={r.phase}
                    data-slots={r.to - r.from}
                  />
                ))}
              </svg>
              <HourRow ticks={ticks} />
            </div>
          </div>
        </figure>
        <Curve id="night-heart-rate" title="Heart rate" unit="bpm" values={night.heartRate} startMs={seriesStart} x={x} ticks={ticks} offset={night.offset} markLowest />
        <Curve id="night-hrv" title="Heart rate variability" unit="ms" values={night.hrv} startMs={seriesStart} x={x} ticks={ticks} offset={night.offset} />
        <figcaption class="night-summary">{summary}</figcaption>
      </figure>
      {nav}
      {props.day ? null : <div id="night-refresh" hidden></div>}
    </section>
  );
}
