/** @jsxImportSource hono/jsx */
// "Last night": the hypnogram (deep, light, REM, awake every 5 minutes), the heart-rate and HRV curves of the night,
// and its numbers, drawn on the server as SVG with a text alternative; previous/next night without leaving the page.
import { type Night, type Phase, shiftDay } from "./night-data.ts";

const WIDTH = 640;
const LEFT = 52;
const RIGHT = 8;
const LANE = 20;
const LANES: Phase[] = ["awake", "rem", "light", "deep"];
const LANE_LABEL: Record<Phase, string> = { awake: "Awake", rem: "REM", light: "Light", deep: "Deep" };
const SLOT_MS = 5 * 60_000;

/** "23:05" on the ring's clock that night (its UTC offset), not the server's or the viewer's. */
function clock(atMs: number, offset: string): string {
  return new Date(atMs + offsetMs(offset)).toISOString().slice(11, 16);
}

const offsetMs = (offset: string) => (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;

export const duration = (seconds: number | null) => (seconds === null ? "–" : `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, "0")} min`);

/** Hour marks (whole hours on the ring's clock) between start and end, as x positions. */
function hourTicks(startMs: number, endMs: number, offset: string, x: (ms: number) => number) {
  const ticks: { x: number; label: string }[] = [];
  const shift = offsetMs(offset);
  for (let at = Math.ceil((startMs + shift) / 3_600_000) * 3_600_000 - shift; at <= endMs; at += 3_600_000) ticks.push({ x: x(at), label: clock(at, offset) });
  // Every other hour on a long night, so labels do not collide.
  return ticks.length > 7 ? ticks.filter((_, i) => i % 2 === 0) : ticks;
}

/** A curve with gaps where the ring had no reading (null), never a line across them. */
function curvePath(values: (number | null)[], startMs: number, x: (ms: number) => number, y: (v: number) => number): string {
  let path = "";
  let pen = false;
  values.forEach((value, i) => {
    if (value === null) {
      pen = false;
      return;
    }
    path += `${pen ? "L" : "M"}${x(startMs + i * SLOT_MS).toFixed(1)},${y(value).toFixed(1)} `;
    pen = true;
  });
  return path.trim();
}

function Curve(props: { id: string; title: string; unit: string; values: (number | null)[]; startMs: number; x: (ms: number) => number; ticks: { x: number; label: string }[] }) {
  const readings = props.values.filter((v): v is number => v !== null);
  if (readings.length === 0) return null;
  const height = 70;
  const min = Math.min(...readings);
  const max = Math.max(...readings);
  const y = (v: number) => (max === min ? height / 2 : height - 6 - ((v - min) / (max - min)) * (height - 14));
  return (
    <svg class="night-curve" id={props.id} viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${props.title}: from ${min} to ${max} ${props.unit}`}>
      <title>{`${props.title}: from ${min} to ${max} ${props.unit}`}</title>
      {props.ticks.map((t) => (
        <line class="grid" x1={t.x.toFixed(1)} x2={t.x.toFixed(1)} y1="0" y2={height} />
      ))}
      <text class="axis" x="2" y="12">
        {max} {props.unit}
      </text>
      <text class="axis" x="2" y={height - 4}>
        {min}
      </text>
      <path class={`line ${props.id}`} d={curvePath(props.values, props.startMs, props.x, y)} fill="none" />
    </svg>
  );
}

export function NightView(props: { night: Night | undefined; day?: string; today: string }) {
  const { night } = props;
  const shownDay = night?.day ?? props.day ?? props.today;
  const nav = (
    <nav class="night-nav" aria-label="Nights">
      <a href={`/dashboard?night=${shiftDay(shownDay, -1)}`} hx-get={`/dashboard/night?day=${shiftDay(shownDay, -1)}`} hx-target="#night" hx-swap="outerHTML" hx-push-url={`/dashboard?night=${shiftDay(shownDay, -1)}`}>
        ← Previous night
      </a>
      {shownDay < props.today ? (
        <a href={`/dashboard?night=${shiftDay(shownDay, 1)}`} hx-get={`/dashboard/night?day=${shiftDay(shownDay, 1)}`} hx-target="#night" hx-swap="outerHTML" hx-push-url={`/dashboard?night=${shiftDay(shownDay, 1)}`}>
          Next night →
        </a>
      ) : null}
    </nav>
  );
  if (!night) {
    return (
      <section id="night" class="night" aria-labelledby="night-title" data-day={shownDay}>
        <h2 id="night-title">{props.day ? `Night of ${props.day}` : "Last night"}</h2>
        <p class="empty">No night recorded{props.day ? ` for ${props.day}` : " yet"}.</p>
        {/* Nothing recorded at all: no way into more empty nights. */}
        {props.day ? nav : null}
      </section>
    );
  }
  const startMs = Date.parse(night.bedtimeStart);
  const endMs = Math.max(Date.parse(night.bedtimeEnd), startMs + night.phases.length * SLOT_MS);
  const x = (ms: number) => LEFT + ((ms - startMs) / Math.max(1, endMs - startMs)) * (WIDTH - LEFT - RIGHT);
  const ticks = hourTicks(startMs, endMs, night.offset, x);
  const hypnogramHeight = LANES.length * LANE + 20;
  // A document whose day is not a calendar day still draws its night; it is only called undated.
  const dayText = night.day ?? "an undated day";
  const summary =
    `Night of ${dayText}: in bed ${clock(startMs, night.offset)} to ${clock(Date.parse(night.bedtimeEnd), night.offset)} (UTC${night.offset}), ` +
    `asleep ${duration(night.totalSleepSeconds)}: deep ${duration(night.durations.deep)}, light ${duration(night.durations.light)}, ` +
    `REM ${duration(night.durations.rem)}, awake ${duration(night.durations.awake)}` +
    (night.lowestHeartRate !== null ? `; lowest heart rate ${night.lowestHeartRate} bpm` : "") +
    (night.averageHrv !== null ? `; average HRV ${night.averageHrv} ms` : "") +
    ".";
  const seriesStart = Date.parse(night.seriesStart);
  return (
    <section id="night" class="night" aria-labelledby="night-title" data-day={night.day ?? undefined}>
      <h2 id="night-title">{props.day ? `Night of ${dayText}` : `Last night (${dayText})`}</h2>
      <dl class="night-numbers">
        <div>
          <dt>In bed</dt>
          <dd>
            {clock(startMs, night.offset)}–{clock(Date.parse(night.bedtimeEnd), night.offset)} <small>UTC{night.offset}</small>
          </dd>
        </div>
        <div>
          <dt>Total sleep</dt>
          <dd id="night-total">{duration(night.totalSleepSeconds)}</dd>
        </div>
        <div>
          <dt>Efficiency</dt>
          <dd>{night.efficiency ?? "–"} %</dd>
        </div>
        <div>
          <dt>Lowest heart rate</dt>
          <dd id="night-lowest">{night.lowestHeartRate ?? "–"} bpm</dd>
        </div>
        <div>
          <dt>Average HRV</dt>
          <dd>{night.averageHrv ?? "–"} ms</dd>
        </div>
      </dl>
      <figure class="night-chart">
        <svg id="hypnogram" viewBox={`0 0 ${WIDTH} ${hypnogramHeight}`} role="img" aria-label={summary}>
          <title>{summary}</title>
          {LANES.map((phase, lane) => (
            <text class="axis" x="2" y={lane * LANE + 14}>
              {LANE_LABEL[phase]}
            </text>
          ))}
          {ticks.map((t) => (
            <>
              <line class="grid" x1={t.x.toFixed(1)} x2={t.x.toFixed(1)} y1="0" y2={LANES.length * LANE} />
              <text class="axis" x={t.x.toFixed(1)} y={hypnogramHeight - 3} text-anchor="middle">
                {t.label}
              </text>
            </>
          ))}
          {night.phases.map((phase, i) => {
            const x0 = x(startMs + i * SLOT_MS);
            return <rect class={`phase phase-${phase}`} x={x0.toFixed(1)} y={LANES.indexOf(phase) * LANE + 2} width={Math.max(0.5, x(startMs + (i + 1) * SLOT_MS) - x0).toFixed(1)} height={LANE - 4} data-phase={phase} />;
          })}
        </svg>
        <Curve id="night-heart-rate" title="Heart rate" unit="bpm" values={night.heartRate} startMs={seriesStart} x={x} ticks={ticks} />
        <Curve id="night-hrv" title="HRV" unit="ms" values={night.hrv} startMs={seriesStart} x={x} ticks={ticks} />
        <figcaption>{summary}</figcaption>
      </figure>
      {nav}
    </section>
  );
}
