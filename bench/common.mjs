// Shared by the Node benchmarks: packages come from ../local (pinned in its package-lock),
// fixtures from the JSON file bench/cmd/fixtures writes.
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
export const require = createRequire(path.join(here, "../local/package.json"));

// importLocal loads an ESM-only package (such as @auth/core) from ../local.
export const importLocal = (name) => import(pathToFileURL(require.resolve(name)).href);

export function loadFixtures() {
  const file = process.argv[2];
  if (!file) {
    console.error(`usage: node ${path.basename(process.argv[1])} FIXTURES.json`);
    process.exit(2);
  }
  return JSON.parse(readFileSync(file, "utf8"));
}

// measure runs fn `warmup` times so the JIT has optimised it, then `iterations` times,
// and returns the mean time per call in ns: the same statistic go test -bench reports.
// fn may be async; each call is awaited, as a request handler would.
export async function measure(fn, { warmup, iterations }) {
  for (let i = 0; i < warmup; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

// time returns the ns one call of fn takes, alone.
export async function time(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start);
}

// version is the installed version of a package from ../local (not every package exports
// its package.json).
export const version = (name) =>
  JSON.parse(readFileSync(path.join(here, "../local/node_modules", name, "package.json"), "utf8")).version;

// Iteration counts scale with BENCH_SCALE (default 1) so a quick run can use less.
export const scale = (n) => Math.max(1, Math.round(n * Number(process.env.BENCH_SCALE || 1)));
