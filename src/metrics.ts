// Prometheus metrics: counters and a histogram kept in memory, gauges read when scraped.
type Labels = Record<string, string>;

/** A label set rendered once, sorted and escaped: `a="1",b="2"`. */
export const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]!.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");

class Counter {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    this.incKey(labelKey(labels), by);
  }
  /** `k` is a pre-rendered label set (see labelKey()): the hot path should not sort and escape per call. */
  incKey(k: string, by = 1): void {
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ""} ${v}`);
    return lines.join("\n");
  }
}

class Histogram {
  readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: number[],
  ) {}
  /** `labelKey` is a pre-rendered label set (see labelKey()): the hot path should not sort and escape per call. */
  observe(labels: string, value: number): void {
    let s = this.series.get(labels);
    if (!s) this.series.set(labels, (s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) s.buckets[i]!++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const prefix = k ? `${k},` : "";
      this.bounds.forEach((bound, i) => lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${s.buckets[i]}`));
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${s.count}`, `${this.name}_sum${k ? `{${k}}` : ""} ${s.sum}`, `${this.name}_count${k ? `{${k}}` : ""} ${s.count}`);
    }
    return lines.join("\n");
  }
}


/** Label sets rendered once per id (e.g. a refusal reason) and reused: for counters and histograms on the hot path. */
export function cachedLabelKeys(labelsFor: (id: string) => Labels): (id: string) => string {
  const keys = new Map<string, string>();
  return (id) => {
    let k = keys.get(id);
    if (k === undefined) keys.set(id, (k = labelKey(labelsFor(id))));
    return k;
  };
}

export class Metrics {
  readonly webhooks = new Counter("oura_webhooks_total", "Webhook deliveries by outcome (created, duplicate, rejected) and reason.");
  readonly fetches = new Counter("oura_fetch_outcomes_total", "Document fetch outcomes (fetched, missing, failed, awaiting_link, retry, rate_limited, oura_down).");
  readonly pruned = new Counter("oura_pruned_events_total", "Events deleted by retention pruning.");
  readonly polls = new Counter("oura_poll_runs_total", "Poll and reconciliation runs (one user and data type each) by outcome (ok, failed).");
  readonly polledDocuments = new Counter("oura_polled_documents_total", "Documents read by polls and backfills, by outcome (created, updated, unchanged).");
  readonly onlyByPolling = new Counter(
    "oura_documents_only_by_polling_total",
    "New documents that no webhook announced (with webhooks on: missed webhooks, repaired by the poll or reconciliation).",
  );
  readonly requests = new Histogram("oura_http_request_duration_seconds", "HTTP request duration by method and status class.", [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  readonly #gauges: { name: string; help: string; read: () => number | Promise<number> }[] = [];

  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    this.#gauges.push({ name, help, read });
  }

  async render(): Promise<string> {
    const parts = [this.webhooks, this.fetches, this.pruned, this.polls, this.polledDocuments, this.onlyByPolling, this.requests].map((m) => m.render());
    for (const gauge of this.#gauges) {
      let value: number;
      try {
        value = await gauge.read();
      } catch {
        value = NaN;
      }
      parts.push(`# HELP ${gauge.name} ${gauge.help}\n# TYPE ${gauge.name} gauge\n${gauge.name} ${value}`);
    }
    return parts.join("\n") + "\n";
  }
}
