import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far (user + system), in microseconds; 0 if it is gone. */
export function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) are space-separated.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1_000_000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size of a process in bytes (VmRSS); 0 if it is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
    return match ? Number(match[1]) * 1_024 : 0;
  } catch {
    return 0;
  }
}

export const sumCpu = (pids: number[]) => pids.reduce((total, pid) => total + cpuMicros(pid), 0);
export const sumRss = (pids: number[]) => pids.reduce((total, pid) => total + rssBytes(pid), 0);

export function machine(): string {
  const model = cpus()[0]?.model ?? "unknown cpu";
  return `${cpus().length} cores (${model}), node ${process.version}, ${process.platform}`;
}
