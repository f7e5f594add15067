// Line logger (logfmt) whose output can never stall the server: writes are buffered and bounded,
// and lines are dropped (and counted) while the reader of stdout is not keeping up.
import { maskSecrets } from "./auth/mask-secrets.ts";
import type { Config } from "./config.ts";

type Level = Exclude<Config["logLevel"], "silent">;
const SEVERITY: Record<Config["logLevel"], number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Resolves once everything written so far has reached the output. */
  drain(): Promise<void>;
}

export interface LineSink {
  write(line: string): void;
  drain(timeoutMs?: number): Promise<void>;
}

/** Bytes allowed to wait for a slow stdout before lines are dropped. */
const DEFAULT_BACKLOG_LIMIT = 1024 * 1024;

export function createStdoutSink(backlogLimit = DEFAULT_BACKLOG_LIMIT): LineSink {
  const sink = Bun.stdout.writer({ highWaterMark: 64 * 1024 });
  let backlog = 0;
  let dropped = 0;
  let scheduled = false;
  let pending: Promise<unknown> | undefined;

  // One flush per event-loop turn, not per line: a burst of events costs one write(2).
  const flush = () => {
    scheduled = false;
    if (pending) return;
    const result = sink.flush();
    if (!(result instanceof Promise)) {
      backlog = 0;
      return;
    }
    pending = result.then(
      () => {
        pending = undefined;
        backlog = 0;
        if (dropped > 0) {
          sink.write(`${new Date().toISOString()} warn log.dropped count=${dropped} reason="stdout was not draining"\n`);
          dropped = 0;
        }
        flush();
      },
      () => {
        pending = undefined;
      },
    );
  };

  return {
    write(line) {
      if (backlog > backlogLimit) {
        dropped++;
        return;
      }
      backlog += line.length;
      sink.write(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    /** Waits for the output to take what is buffered, but never more than `timeoutMs`: shutdown must not hang on a
     * stdout nobody reads. */
    async drain(timeoutMs = 1000) {
      flush();
      const drained = (async () => {
        while (pending) await pending;
        await sink.flush();
      })();
      await Promise.race([drained, Bun.sleep(timeoutMs)]);
    },
  };
}

function formatValue(value: string | number | boolean | null): string {
  if (typeof value !== "string") return String(value);
  return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
}

/** Fields that carry text from elsewhere (an error message of Oura's or Databricks', a reason): it can quote a credential. */
const FREE_TEXT = new Set(["error", "reason", "detail", "message", "last_error"]);

export function createLogger(level: Config["logLevel"], sink: LineSink = createStdoutSink()): Logger {
  const threshold = SEVERITY[level];
  const log = (lineLevel: Level) => (message: string, fields?: LogFields) => {
    if (SEVERITY[lineLevel] < threshold) return;
    let line = `${new Date().toISOString()} ${lineLevel} ${message}`;
    if (fields) {
      for (const key in fields) {
        const value = fields[key];
        if (value !== undefined) line += ` ${key}=${formatValue(typeof value === "string" && FREE_TEXT.has(key) ? maskSecrets(value) : value)}`;
      }
    }
    sink.write(line + "\n");
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), drain: () => sink.drain() };
}

export const silentLogger: Logger = createLogger("silent", { write() {}, drain: async () => {} });
