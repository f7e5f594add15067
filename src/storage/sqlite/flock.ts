// flock(2) through bun:ffi: an exclusive lock on an open file that the kernel drops when its holder exits, however.
import { dlopen, FFIType, read } from "bun:ffi";

const LOCK_EX = 2;
const LOCK_NB = 4;

interface Libc {
  flock(fd: number, operation: number): number;
  errno(): number;
  /** errno of a lock held by someone else (EWOULDBLOCK). */
  wouldBlock: number;
}

/** Where libc is and how it spells errno, per platform; flock's constants are the same on both. */
const PLATFORMS: Partial<Record<NodeJS.Platform, { libraries: string[]; errnoSymbol: string; wouldBlock: number }>> = {
  linux: { libraries: ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`], errnoSymbol: "__errno_location", wouldBlock: 11 },
  darwin: { libraries: ["/usr/lib/libSystem.B.dylib"], errnoSymbol: "__error", wouldBlock: 35 },
};

let libc: Libc | null | undefined;

/** The system's libc, opened once; null where flock is not available (then nothing is locked). */
function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  const platform = PLATFORMS[process.platform];
  for (const library of platform?.libraries ?? []) {
    try {
      const { symbols } = dlopen(library, {
        flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
        [platform!.errnoSymbol]: { args: [], returns: FFIType.ptr },
      });
      const errnoAt = symbols[platform!.errnoSymbol]!;
      libc = { flock: (fd, operation) => symbols.flock(fd, operation), errno: () => read.i32(errnoAt()!, 0), wouldBlock: platform!.wouldBlock };
      break;
    } catch {
      // The next name (glibc, then musl).
    }
  }
  return libc;
}

/** Whether this platform's locks are enforced (Linux, macOS); elsewhere tryLockExclusive always says "locked". */
export function flockAvailable(): boolean {
  return loadLibc() !== null;
}

/**
 * Takes an exclusive lock on `fd` without waiting. "held": another open file (another process, or another open() in
 * this one) has it. The lock belongs to this open file: it lasts until `fd` is closed or the process ends, and other
 * opens and closes of the same file do not release it (unlike fcntl locks).
 */
export function tryLockExclusive(fd: number): "locked" | "held" {
  const lib = loadLibc();
  if (!lib) return "locked";
  for (;;) {
    if (lib.flock(fd, LOCK_EX | LOCK_NB) === 0) return "locked";
    const errno = lib.errno();
    if (errno === lib.wouldBlock) return "held";
    // EINTR: a signal arrived during the call; anything else (ENOLCK on a file system without locks) is a real failure.
    if (errno !== 4) throw new Error(`flock failed (errno ${errno})`);
  }
}
