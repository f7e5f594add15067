// One server per database file: an exclusive lock on DATABASE_PATH.lock for the life of the process, naming its holder.
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { tryLockExclusive } from "./flock.ts";

/** What the lock file says about the process holding it (one JSON line, also for a person running `cat`). */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** What holds it: "server" (serve and demo), "token handoff". */
  purpose: string;
  /** Where the server listens; null until it does (Bun.serve picks port 0's port). */
  url: string | null;
  started_at: string;
}

/** Refusal to start on a database another live process holds; its message names that process and what to do. */
export class DatabaseInUseError extends Error {
  readonly databasePath: string;
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    const databasePath = lockPath.replace(/\.lock$/, "");
    super(`DATABASE_PATH: ${databasePath} is in use by ${describeHolder(holder)}; two servers on one database spend each other's Oura sign-ins (refresh tokens are single-use). Stop that one first, or give this one another DATABASE_PATH`);
    this.databasePath = databasePath;
  }
}

/** "oura-streaming server pid 4242 on host-a (listening on http://…/, since …)", for a refusal. */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return "another oura-streaming (it has not written who it is yet)";
  const where = holder.purpose !== "server" ? "" : holder.url ? `listening on ${holder.url}, ` : "not listening yet, ";
  return `oura-streaming ${holder.purpose} pid ${holder.pid} on ${holder.hostname} (${where}since ${holder.started_at})`;
}

export interface ServerLock {
  readonly path: string;
  /** Records where the server listens, once it does. */
  setUrl(url: string): void;
  /** Puts the lock file back when it was removed under the running process (`rm db.sqlite*`); true when held at the path. */
  restore(): boolean;
  /** Removes the lock file (if it is still ours) and lets go of the lock. */
  release(): void;
}

const isNoSpace = (error: unknown) => ["ENOSPC", "EDQUOT"].includes((error as { code?: string } | null)?.code ?? "");

/** The lock file beside the database, through symlinks, so two spellings of one database share one lock. */
export function lockPathFor(databasePath: string): string {
  const real = existsSync(databasePath) ? realpathSync(databasePath) : join(realpathSync(dirname(resolve(databasePath))), basename(databasePath));
  return `${real}.lock`;
}

/** Reads who holds the lock at `lockPath`; undefined when it cannot be told (not written yet, or just removed). */
export function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(lockPath, "utf8")) as LockHolder;
    return typeof holder.pid === "number" ? holder : undefined;
  } catch {
    return undefined;
  }
}

const sameFile = (fd: number, path: string) => {
  const open = fstatSync(fd);
  const atPath = statSync(path, { throwIfNoEntry: false });
  return atPath !== undefined && atPath.dev === open.dev && atPath.ino === open.ino;
};

/**
 * Opens and locks the lock file at `path`: the fd, or the holder's refusal. A holder that is releasing removes its
 * file before it lets go, so a lock won on a file no longer at the path is worth nothing: then try again.
 */
function lockAt(path: string): number | DatabaseInUseError {
  for (let attempt = 0; attempt < 10; attempt++) {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    let state: "locked" | "held";
    try {
      state = tryLockExclusive(fd);
    } catch (error) {
      closeSync(fd);
      throw new Error(`DATABASE_PATH: could not lock ${path} (${error instanceof Error ? error.message : String(error)}); the file system may not support locks`);
    }
    if (state === "held") {
      closeSync(fd);
      return new DatabaseInUseError(path, readHolder(path));
    }
    if (sameFile(fd, path)) return fd;
    closeSync(fd);
  }
  throw new Error(`DATABASE_PATH: could not lock ${path}: it keeps being removed and created`);
}

/**
 * Holds `DATABASE_PATH.lock` for as long as this process runs, or throws DatabaseInUseError naming the process that
 * holds it. An flock, not a pid file: the kernel drops it when its holder exits, so a server killed with kill -9
 * blocks nothing, and its file (left behind, with its details) is simply taken over. `:memory:` needs no lock.
 */
export function acquireServerLock(databasePath: string, options: { purpose?: string; now?: () => number } = {}): ServerLock | undefined {
  if (databasePath === ":memory:") return undefined;
  const path = lockPathFor(databasePath);
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), purpose: options.purpose ?? "server", url: null, started_at: new Date((options.now ?? Date.now)()).toISOString() };
  let written = false;
  const write = (fd: number) => {
    const text = `${JSON.stringify(holder)}\n`;
    try {
      // Written in place (never renamed over: a new file would not be the locked one), then cut to length.
      writeSync(fd, text, 0);
      ftruncateSync(fd, Buffer.byteLength(text));
      written = true;
    } catch (error) {
      // A full disk: the flock holds all the same, only who holds it is not said (a newcomer is refused without the
      // details); restore() writes it once there is room. A start on a full disk must not fail here.
      if (!isNoSpace(error)) throw error;
      written = false;
    }
  };
  const first = lockAt(path);
  if (typeof first !== "number") throw first;
  let fd = first;
  let released = false;
  write(fd);
  return {
    path,
    setUrl(url) {
      holder.url = url;
      write(fd);
    },
    restore() {
      if (released) return false;
      if (sameFile(fd, path)) {
        if (!written) write(fd);
        return true;
      }
      let again: number | DatabaseInUseError;
      try {
        again = lockAt(path);
      } catch {
        // The folder itself is gone or unwritable: the database's own check reports that; try again next time.
        return false;
      }
      if (typeof again !== "number") return false;
      closeSync(fd);
      fd = again;
      write(fd);
      return true;
    },
    release() {
      if (released) return;
      released = true;
      // Removed while still locked, so whoever opens the path next creates a fresh file (see lockAt).
      if (sameFile(fd, path)) rmSync(path, { force: true });
      closeSync(fd);
    },
  };
}
