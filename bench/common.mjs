// Shared by the Node benchmarks: packages come from ../local (pinned in its package-lock),
// fixtures from the JSON file bench/cmd/fixtures writes.
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import path from "node:path";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const require = createRequire(path.join(here, "../local/package.json"));

// importLocal loads an ESM-only package (such as @auth/core) from ../local.
export const importLocal = (name) => import(pathToFileURL(require.resolve(name)).href);

export const loadFixtures = (file) => JSON.parse(readFileSync(file, "utf8"));

// version is the installed version of a package from ../local (not every package exports
// its package.json).
export const version = (name) =>
  JSON.parse(readFileSync(path.join(here, "../local/node_modules", name, "package.json"), "utf8")).version;

// measure is one round of a micro-benchmark, the Node counterpart of one go test -bench run:
// fn runs for warmupMs first, so the JIT has optimised it as in a warm process (Go has no
// JIT to warm), then in batches, doubled while they are short, until benchMs have passed.
// It returns the mean ns per call over the timed batches and the calls made. fn may
// return a promise; a round of an async fn awaits every call, as a request handler would.
export async function measure(fn, { benchMs, warmupMs, async = false }) {
  const call = async ? async (n) => { for (let i = 0; i < n; i++) await fn(); } : (n) => { for (let i = 0; i < n; i++) fn(); };
  const run = async (ms, timed) => {
    let n = 1, iters = 0, spent = 0n;
    const budget = BigInt(Math.round(ms * 1e6));
    while (spent < budget) {
      const start = process.hrtime.bigint();
      await call(n);
      const took = process.hrtime.bigint() - start;
      spent += took;
      iters += n;
      if (took < 10_000_000n) n *= 2; // batches of at least 10 ms keep the clock out of it
    }
    return timed ? { ns: Number(spent) / iters, n: iters } : null;
  };
  await run(warmupMs, false);
  return run(benchMs, true);
}
