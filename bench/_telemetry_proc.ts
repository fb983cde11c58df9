/**
 * What the kernel counts for a process: bytes it caused to be written to
 * storage (`/proc/<pid>/io` write_bytes, charged when a page is dirtied, so
 * checkpoints count for whoever runs them), CPU time (`/proc/<pid>/stat`
 * utime + stime, children excluded) and resident memory
 * (`/proc/<pid>/status` VmRSS, its high-water mark VmHWM, RssAnon and RssFile).
 */

/** A process id, or "self" for the benchmark itself. */
export type Pid = number | "self";

/** Bytes `pid` caused to be written to storage so far. */
export function writeBytes(pid: Pid): number {
  const io = Deno.readTextFileSync(`/proc/${pid}/io`);
  const match = /^write_bytes:\s+(\d+)$/m.exec(io);
  if (!match) throw new SyntaxError(`Cannot read write_bytes from /proc/${pid}/io`);
  return Number(match[1]);
}

/** CPU time `pid` used so far (user + system), in seconds. */
export function cpuSeconds(pid: Pid, ticksPerSecond: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat(5) are utime and stime; `fields` starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/**
 * Resident memory of `pid` now and at its peak, in MiB; `anon` and `file`
 * split the current RSS into anonymous memory (heaps) and mapped files
 * (mostly the Deno executable's own pages, which no code change reduces).
 */
export function memoryMiB(pid: Pid): { rss: number; hwm: number; anon: number; file: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!match) throw new SyntaxError(`Cannot read ${name} from /proc/${pid}/status`);
    return Number(match[1]) / 1024;
  };
  return { rss: kib("VmRSS"), hwm: kib("VmHWM"), anon: kib("RssAnon"), file: kib("RssFile") };
}

/** Clock ticks per second of utime/stime (`getconf CLK_TCK`). */
export async function clockTicksPerSecond(): Promise<number> {
  const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
  const ticks = Number(new TextDecoder().decode(out.stdout).trim());
  if (!out.success || !(ticks > 0)) throw new Error("getconf CLK_TCK failed");
  return ticks;
}

/** Write bytes and CPU seconds of a process at one moment. */
export interface ProcSnapshot {
  at: number;
  writeBytes: number;
  cpu: number;
}

/** Reads `pid`'s counters now. */
export function snapshot(pid: Pid, ticksPerSecond: number): ProcSnapshot {
  return {
    at: performance.now(),
    writeBytes: writeBytes(pid),
    cpu: cpuSeconds(pid, ticksPerSecond),
  };
}
