#!/usr/bin/env node
// The test command: runs the whole suite twice, once on the embedded defaults (PGlite, the
// in-process bus) and once against real PostgreSQL and Redis, as DESIGN.md promises both work.
//
//   pnpm test            both passes, then the fault-injection pass (when the real one runs)
//   pnpm test embedded   only the embedded pass
//   pnpm test real       only the real-servers pass
//   pnpm test chaos      only the fault-injection pass (packages/tests/chaos: private Redis and
//                        PostgreSQL it starts, stops and freezes; needs redis-server, PostgreSQL 15)
//
// The real pass uses DATABASE_URL / REDIS_URL when set, else TEST_DATABASE_URL / TEST_REDIS_URL,
// else the local servers (postgres://postgres@127.0.0.1:5432/test, redis://127.0.0.1:6379).
// Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const args = process.argv.slice(2);
const which = ["embedded", "real", "chaos"].includes(args[0]) ? args.shift() : "both";

const databaseUrl =
  process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
/** Every failed test, named again after the passes: a CI log is often read from its tail only. */
const failures = [];
const reportDir = mkdtempSync(join(tmpdir(), "chat-tests-"));
// Tests that inject faults, fuzz or sweep authorization append rows here (packages/tests
// src/suite-report.ts); the table is printed after the passes.
const suiteReport = join(reportDir, "suite-report.jsonl");

/** Runs vitest once; adds its counts (from the JSON reporter) to the totals. */
function run(label, env, vitestArgs = []) {
  console.log(`\n=== tests: ${label} ===\n`);
  const outputFile = join(reportDir, `${totals.passed + totals.failed}-report.json`);
  const reporters = ["--reporter=default", "--reporter=json", `--outputFile.json=${outputFile}`];
  const result = spawnSync("pnpm", ["exec", "vitest", "run", ...vitestArgs, ...reporters, ...args], {
    stdio: "inherit",
    env: { ...env, CHAT_SUITE_REPORT: suiteReport },
  });
  const pass = label.split(" ")[0];
  try {
    const report = JSON.parse(readFileSync(outputFile, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
    for (const file of report.testResults) {
      const path = relative(process.cwd(), file.name);
      for (const test of file.assertionResults) {
        if (test.status === "failed")
          failures.push(`${pass}: ${path} > ${test.fullName}\n    ${firstLines(test.failureMessages?.[0])}`);
      }
      // A file that failed to load (syntax error, failing hook) has no failed assertion of its own.
      if (file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")) {
        failures.push(`${pass}: ${path}\n    ${firstLines(file.message)}`);
      }
    }
  } catch {
    totals.failed += 1; // vitest died before writing a report
    failures.push(`${pass}: vitest exited (${result.status ?? result.signal}) without a report`);
  }
  return result.status ?? 1;
}

const passes = [];
if (which === "both" || which === "embedded") {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  passes.push(["embedded (PGlite + in-process bus)", env]);
}
if (which === "both" || which === "real") {
  const up = (await reachable(databaseUrl)) && (await reachable(redisUrl));
  if (up) {
    passes.push([
      `real servers (${new URL(databaseUrl).host}, ${new URL(redisUrl).host})`,
      { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
    ]);
  } else if (process.env.CI || which === "real") {
    console.error(
      `PostgreSQL (${databaseUrl}) or Redis (${redisUrl}) is not reachable; the real-servers pass cannot run.`,
    );
    process.exit(1);
  } else {
    console.warn(
      `\nSkipping the real-servers pass: PostgreSQL or Redis is not reachable (set TEST_DATABASE_URL / TEST_REDIS_URL).\n`,
    );
  }
}

// Fault injection runs on servers of its own, but only where the real pass runs (CI, a machine
// with PostgreSQL and Redis): it needs the same binaries, and is the slowest pass (~2 min).
if (which === "chaos" || passes.some(([label]) => label.startsWith("real"))) {
  passes.push([
    "fault injection (private Redis and PostgreSQL)",
    { ...process.env, CHAT_SUITE_PASS: "chaos" },
    ["--config", "packages/tests/chaos/vitest.config.ts", "--passWithNoTests"],
  ]);
}

let failedPasses = 0;
for (const [label, env, vitestArgs] of passes) if (run(label, env, vitestArgs) !== 0) failedPasses += 1;
printSuiteReport();
rmSync(reportDir, { recursive: true, force: true });
console.log(`\n${passes.length} test passes (${passes.map(([label]) => label.split(" ")[0]).join(", ")})`);
if (failures.length > 0) console.log(`\nFailed:\n${failures.map((line) => `  ${line}`).join("\n")}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedPasses === 0 && totals.failed === 0 ? 0 : 1);

/** The message without its stack, at most six lines (a Playwright timeout names its locator on the lines after the first). */
function firstLines(text) {
  const lines = String(text ?? "").split("\n");
  const stack = lines.findIndex((line) => /^\s+at /.test(line));
  return lines
    .slice(0, Math.min(stack === -1 ? lines.length : stack, 6))
    .filter((line) => line.trim() !== "")
    .join("\n    ");
}

/** The summary table of faults injected, inputs fuzzed and authorization cases tried. */
function printSuiteReport() {
  let rows;
  try {
    rows = readFileSync(suiteReport, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return; // no test recorded figures (e.g. a file filter)
  }
  for (const section of ["fault", "fuzz", "authz"]) {
    const mine = rows.filter((row) => row.section === section);
    if (mine.length === 0) continue;
    console.log(`\n${{ fault: "Faults injected", fuzz: "Inputs fuzzed", authz: "Authorization cases" }[section]}`);
    console.table(mine.map((row) => ({ pass: row.pass, name: row.name, ...row.figures })));
  }
}
