import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { cpus, totalmem } from "node:os";
import { percentile } from "../report";

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
  const model = cpus()[0]?.model.trim() ?? "unknown cpu";
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  return `${cpus().length} cores (${model}), ${memory}, node ${process.version}, ${process.platform}`;
}

/**
 * One byte over loopback TCP to a second node process and back, `count` times, 1 ms apart (so
 * each one wakes the other process up, as every hop of a message does): p50 and p99 in µs, and
 * the CPU both processes spent per round trip (two socket writes, two reads, two wake-ups).
 * Every hop of a message pays this, so the latency figures of two machines compare only with
 * it beside them (seen on a "2-core AMD EPYC" VM whose CPU per message was 1.4× and latencies
 * several times another one's of the same name: p50 70–170 µs, p99 0.7–1.4 ms over four
 * readings; on that VM node spent 50–60 µs of CPU per socket read of a streamed response,
 * before any parsing).
 */
export async function loopbackRoundTrip(count = 2_000): Promise<{ p50: number; p99: number; cpuMicros: number }> {
  const echo = spawn(
    process.execPath,
    [
      "-e",
      `const s = require("node:net").createServer((c) => c.on("data", (d) => c.write(d)));
       s.listen(0, "127.0.0.1", () => console.log(s.address().port));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const [line] = (await once(echo.stdout, "data")) as [Buffer];
    const socket = connect(Number(String(line).trim()), "127.0.0.1");
    socket.setNoDelay(true);
    await once(socket, "connect");
    const times: number[] = [];
    const cpuBefore = process.cpuUsage();
    const echoBefore = cpuMicros(echo.pid ?? 0);
    for (let i = 0; i < count; i++) {
      const started = process.hrtime.bigint();
      socket.write("x");
      await once(socket, "data");
      times.push(Number(process.hrtime.bigint() - started) / 1_000);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const own = process.cpuUsage(cpuBefore);
    const cpu = own.user + own.system + cpuMicros(echo.pid ?? 0) - echoBefore;
    socket.destroy();
    return { p50: percentile(times, 50), p99: percentile(times, 99), cpuMicros: cpu / count };
  } finally {
    echo.kill();
  }
}

/** The machine line every benchmark starts with, the loopback round trip included. */
export async function machineReport(): Promise<string> {
  const trip = await loopbackRoundTrip();
  return `${machine()}; loopback round trip to another process p50 ${trip.p50.toFixed(0)} µs, p99 ${trip.p99.toFixed(0)} µs, CPU ${trip.cpuMicros.toFixed(0)} µs (both processes)`;
}

/** A process's time on a CPU and waiting for one, summed over its threads (/proc schedstat), in ns. */
interface SchedTimes {
  running: number;
  waiting: number;
}

function schedTimes(pid: number): SchedTimes {
  const times = { running: 0, waiting: 0 };
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const [running = 0, waiting = 0] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8")
        .trim()
        .split(" ")
        .map(Number);
      times.running += running;
      times.waiting += waiting;
    }
  } catch {
    // Gone, or no schedstat (not Linux): counts as nothing.
  }
  return times;
}

/** Pids of every process whose command line starts with `prefix` (e.g. the PostgreSQL backends). */
export function pidsByCommand(prefix: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").startsWith(prefix)) pids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/**
 * Per group of processes, over a window: the share of one CPU it ran and the share of one CPU
 * it spent runnable but waiting for a CPU (the run queue). On a machine whose cores are all
 * busy, the wait is where latency comes from: every hop of a message waits its turn.
 * `start()` at the window's start, `stop()` at its end; the groups' pids are read at each, so a
 * backend that connects meanwhile counts from its start.
 */
export function schedWindow(groups: Record<string, () => number[]>) {
  const read = () =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [name, new Map(pids().map((pid) => [pid, schedTimes(pid)]))]),
    );
  let before: ReturnType<typeof read> = {};
  let startedAt = 0;
  return {
    start() {
      before = read();
      startedAt = performance.now();
    },
    /** One "name run X% / waited Y%" entry per group, shares of one CPU. */
    stop(): string {
      const after = read();
      const windowNs = (performance.now() - startedAt) * 1e6;
      const share = (ns: number) => `${((100 * ns) / windowNs).toFixed(0)}%`;
      return Object.entries(after)
        .map(([name, pids]) => {
          let running = 0;
          let waiting = 0;
          for (const [pid, times] of pids) {
            const earlier = before[name]?.get(pid) ?? { running: 0, waiting: 0 };
            running += times.running - earlier.running;
            waiting += times.waiting - earlier.waiting;
          }
          return `${name} ran ${share(running)}, waited ${share(waiting)}`;
        })
        .join("; ");
    },
  };
}
