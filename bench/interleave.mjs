// Runs make bench's measurements in interleaved rounds and writes DIR/results.json, which
// report.mjs turns into the table. Each round runs, for every group of measurements that
// are compared with each other, one short run of each: a go test -bench run of a prebuilt
// test binary (so no compile lands in a round) and one node round.mjs run. The order within
// a group flips every round (Go first, then Node first), and rounds are the outer loop, so
// a burst of load on a shared machine touches one round of every row rather than every
// round of one row. Progress goes to stderr.
// Usage: node interleave.mjs DIR   (DIR holds fixtures.json; BENCH_ROUNDS, BENCHTIME and
// COLDSTARTS as documented in run.sh)
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { here } from "./common.mjs";

const dir = path.resolve(process.argv[2]);
const root = path.resolve(here, "..");
const fixtures = path.join(dir, "fixtures.json");
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS || 7));
const benchtime = process.env.BENCHTIME || "300ms";
const coldstarts = Math.max(1, Number(process.env.COLDSTARTS || 5));
const benchMs = (() => {
  const m = benchtime.match(/^(\d+(?:\.\d+)?)(ms|s)$/);
  if (!m) throw new Error(`BENCHTIME=${benchtime}: want a duration such as 300ms or 1s`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
})();
const log = (...a) => console.error(...a);

// The measurements. A Go one names a benchmark (A/b for one sub-benchmark alone), and its
// package when the name is not unique; its value is ns/op unless "unit" names another of
// its metrics (ms-… ones are milliseconds), and "extra" files more of its metrics under
// other measurements ("from" ones, never run themselves). "cold" ones are cold starts;
// "needs" skips a measurement whose counterpart is skipped. A Node one names a measure of
// round.mjs.
const measures = {
  "go.cache": { go: "BenchmarkCompareVerify/cached", pkg: "bench" },
  "node.cache": { node: "cache-hit" },
  "node.cache-same": { node: "cache-hit-same-string" },
  "go.open": { go: "BenchmarkCompareSessionOpen", pkg: "bench" },
  "node.open": { node: "monban-cookie-decode" },
  "node.authjs": { node: "authjs-decode" },
  "go.verify": { go: "BenchmarkCompareVerify/warm", pkg: "bench" },
  "go.floor": { go: "BenchmarkCompareVerify/rsa_floor", pkg: "bench" },
  "node.verify": { node: "verify-warm" },
  "node.floor": { node: "rsa-floor" },
  "go.verifier": { go: "BenchmarkCompareVerify/cold", pkg: "bench" },
  "node.verifier": { node: "verify-new" },
  "go.authorizer": { go: "BenchmarkAuthorizerWarm/http-api-v2-bearer" },
  "node.authorizer": { node: "authorizer-warm" },
  "go.session-entry": { go: "BenchmarkSessionLambdaEntry" },
  // Verification and the floor alternating in one process: their ratio, robust to load.
  "go.verify-paired": { go: "BenchmarkCompareVerify/warm_vs_floor", pkg: "bench", unit: "verify-ns/op", extra: { "floor-ns/op": "go.floor-paired" } },
  "go.floor-paired": { from: "go.verify-paired" },
  "go.coldstart": { go: "BenchmarkColdStartVerified/monban", pkg: "internal/lambdaruntime", cold: true, unit: "ms-to-first-response", extra: { "ms-cpu": "go.coldstart-cpu" } },
  "go.coldstart-cpu": { from: "go.coldstart" },
  "node.coldstart": { go: "BenchmarkColdStartVerified/node", pkg: "internal/lambdaruntime", cold: true, unit: "ms-to-first-response", extra: { "ms-cpu": "node.coldstart-cpu" }, needs: "go.coldstart" },
  "node.coldstart-cpu": { from: "node.coldstart" },
  // The owners' own benchmarks of the same code paths, on their own inputs: a cross-check
  // of the like-for-like rows, listed under the table.
  "go.own.cache": { go: "BenchmarkTokenCacheHit", own: true },
  "go.own.open": { go: "BenchmarkOpenSession", own: true },
  "go.own.uncached": { go: "BenchmarkVerifyAccessUncached", own: true },
  "go.own.floor": { go: "BenchmarkRSAVerifyFloor", pkg: "internal/token", own: true },
};
// Measurements compared with each other run in the same rounds.
const groups = [
  ["go.cache", "node.cache", "node.cache-same", "go.own.cache"],
  ["go.open", "node.open", "node.authjs", "go.own.open"],
  ["go.verify", "node.verify", "go.floor", "node.floor", "go.verify-paired", "go.own.uncached", "go.own.floor"],
  ["go.verifier", "node.verifier"],
  ["go.authorizer", "node.authorizer"],
  ["go.session-entry"],
  ["go.coldstart", "node.coldstart"],
];

const results = {};
for (const id of Object.keys(measures)) results[id] = { samples: Array(rounds).fill(null), errors: [], info: {} };
const skip = (id, reason) => {
  results[id].skipped = reason;
  log(`   skipped ${id}: ${reason}`);
};

// Where each benchmark is defined: Benchmark name → package folders (relative to root).
function findBenchmarks() {
  const found = {};
  const walk = (rel) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!e.name.startsWith(".") && e.name !== "node_modules" && e.name !== "testdata" && !(rel === "" && e.name === "local")) walk(path.join(rel, e.name));
      } else if (e.name.endsWith("_test.go")) {
        for (const m of readFileSync(path.join(root, rel, e.name), "utf8").matchAll(/^func (Benchmark\w+)\(b \*testing\.B\)/gm)) {
          (found[m[1]] ??= new Set()).add(rel || ".");
        }
      }
    }
  };
  walk("");
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v]]));
}

log(`== locating and building the Go benchmarks (test binaries, built once)`);
const defined = findBenchmarks();
const binaries = {}; // package → test binary
mkdirSync(path.join(dir, "bin"), { recursive: true });
for (const [id, m] of Object.entries(measures)) {
  if (!m.go) continue;
  const name = m.go.split("/")[0];
  const pkgs = defined[name] ?? [];
  if (m.pkg) {
    if (!pkgs.includes(m.pkg)) { skip(id, `${name} is not defined in ${m.pkg}`); continue; }
  } else if (pkgs.length === 0) {
    skip(id, `${name} is not defined in any package yet`);
    continue;
  } else if (pkgs.length > 1) {
    skip(id, `${name} is defined in several packages (${pkgs.join(", ")}): name one in interleave.mjs`);
    continue;
  }
  m.pkg ??= pkgs[0];
  if (!(m.pkg in binaries)) {
    const bin = path.join(dir, "bin", m.pkg.replaceAll("/", "_") + ".test");
    log(`   go test -c ./${m.pkg}`);
    const r = spawnSync("go", ["test", "-c", "-o", bin, "./" + m.pkg], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) log(r.stdout + r.stderr);
    binaries[m.pkg] = r.status === 0 ? bin : null;
  }
  if (!binaries[m.pkg]) skip(id, `the test binary of ${m.pkg} does not build`);
}
let authorizer = "";
if (!results["go.coldstart"].skipped) {
  authorizer = path.join(dir, "bin", "authorizer", "bootstrap");
  log(`   the authorizer's bootstrap, built as SAM builds it, for this machine`);
  const r = spawnSync("go", ["run", "./bench/cmd/bootstrap", "./functions/authorizer", authorizer], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    log(r.stdout + r.stderr);
    skip("go.coldstart", "the authorizer does not build");
  }
}

// A reference whose monban side cannot run is not worth its time (the Node cold starts).
for (const [id, m] of Object.entries(measures)) {
  if (m.needs && results[m.needs].skipped && !results[id].skipped) skip(id, `${m.needs} is skipped`);
}

// benchRegex turns A/b into ^A$/^b$, so that one sub-benchmark runs alone.
const benchRegex = (name) => name.split("/").map((p) => `^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).join("/");

// goRound runs one go test -bench run and returns {value (ns), info} or throws.
function goRound(m) {
  const args = ["-test.run", "^$", "-test.bench", benchRegex(m.go), "-test.count", "1", "-test.benchmem",
    "-test.benchtime", m.cold ? `${coldstarts}x` : benchtime];
  const r = spawnSync(binaries[m.pkg], args, {
    cwd: path.join(root, m.pkg), encoding: "utf8", timeout: 300_000,
    env: { ...process.env, MONBAN_BENCH_FIXTURES: fixtures, MONBAN_BENCH_AUTHORIZER: authorizer },
  });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  const lines = [];
  for (const line of out.split("\n")) {
    const cpu = line.match(/^cpu: (.*)$/);
    if (cpu) machine.cpu = cpu[1];
    const b = line.match(/^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$/);
    if (!b) continue;
    const metrics = {};
    const f = b[3].trim().split(/\s+/);
    for (let i = 0; i + 1 < f.length; i += 2) metrics[f[i + 1]] = Number(f[i]);
    lines.push({ name: b[1], metrics });
  }
  const skipped = out.match(/--- SKIP: \S+\n\s+\S+: (.*)/);
  if (lines.length === 0) {
    if (skipped && r.status === 0) return { skipped: skipped[1] };
    if (r.status === 0) return { skipped: `no benchmark of ${m.pkg} matches ${benchRegex(m.go)} (renamed?)` };
    throw new Error(`exit ${r.status ?? r.signal}: ${out.trim().split("\n").slice(-15).join("\n")}`);
  }
  const chosen = lines[0];
  const metric = (unit) => chosen.metrics[unit] * (unit.startsWith("ms-") ? 1e6 : 1);
  const value = metric(m.unit ?? "ns/op");
  if (!Number.isFinite(value)) throw new Error(`no ${m.unit ?? "ns/op"} in: ${chosen.name}`);
  const info = { benchmark: chosen.name, package: m.pkg };
  // A cold start's allocations are the harness's, not the function's.
  if (m.cold) info.init_ns = metric("ms-init");
  // Allocations are per iteration: those of the operation only when it is all the benchmark does.
  else if (!m.unit) Object.assign(info, { allocs: chosen.metrics["allocs/op"], bytes: chosen.metrics["B/op"] });
  if (chosen.metrics["cookie-bytes"]) info.cookie_bytes = chosen.metrics["cookie-bytes"];
  if (lines.length > 1) info.others = lines.filter((l) => l !== chosen).map((l) => l.name);
  const extra = Object.fromEntries(Object.entries(m.extra ?? {}).map(([unit, id]) => [id, metric(unit)]));
  return { value, info, extra };
}

function nodeRound(m) {
  const r = spawnSync(process.execPath, [path.join(here, "round.mjs"), m.node, fixtures, String(benchMs)], {
    cwd: root, encoding: "utf8", timeout: 120_000,
  });
  const last = (r.stdout ?? "").trim().split("\n").pop();
  if (r.status !== 0 || !last) throw new Error(`exit ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().split("\n").slice(-15).join("\n")}`);
  const { ns_per_op: value, n, measure, ...info } = JSON.parse(last);
  return { value, info };
}

const machine = { go: spawnSync("go", ["version"], { encoding: "utf8" }).stdout.trim(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model };
const load = [os.loadavg()];
const fmt = (ns) => ns < 1e3 ? `${ns.toFixed(0)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(2)} µs` : `${(ns / 1e6).toFixed(1)} ms`;
const started = Date.now();

for (let round = 0; round < rounds; round++) {
  log(`== round ${round + 1}/${rounds} (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")})`);
  for (const group of groups) {
    const order = round % 2 === 0 ? group : [...group].reverse();
    const line = [];
    for (const id of order) {
      const m = measures[id], res = results[id];
      if (res.skipped || m.from) continue;
      try {
        const r = m.go ? goRound(m) : nodeRound(m);
        if (r.skipped) { skip(id, r.skipped); continue; }
        res.samples[round] = r.value;
        Object.assign(res.info, r.info);
        // More numbers the same run measured (the cold starts' CPU time, the paired floor).
        for (const [x, v] of Object.entries(r.extra ?? {})) if (Number.isFinite(v)) results[x].samples[round] = v;
        line.push(`${id} ${fmt(r.value)}`);
      } catch (e) {
        res.errors.push(`round ${round + 1}: ${e.message}`);
        log(`   ${id} failed in round ${round + 1}:\n${e.message}`);
      }
    }
    if (line.length) log(`   ${line.join(", ")}`);
  }
}
load.push(os.loadavg());

// Every function's own cold start, once, with nothing to compare it to: each built bootstrap
// answering its suite's first event (internal/lambdaruntime; for the authorizer and the API a
// request without credentials, so nothing is verified or fetched).
const starts = [];
let startsError;
if (binaries["internal/lambdaruntime"] && process.env.BENCH_ALL_FUNCTIONS !== "0") {
  log(`== every function's process start to first response (${coldstarts * 2} starts each; builds them first)`);
  const r = spawnSync(binaries["internal/lambdaruntime"], ["-test.run", "^$", "-test.bench", "^BenchmarkColdStart$", "-test.count", "1",
    "-test.benchtime", `${coldstarts * 2}x`], { cwd: path.join(root, "internal/lambdaruntime"), encoding: "utf8", timeout: 900_000 });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  for (const m of out.matchAll(/^BenchmarkColdStart\/(\S+?)(?:-\d+)?\s+\d+\s+.*?([\d.]+) ms-init\s+([\d.]+) ms-to-first-response/gm)) {
    starts.push({ function: m[1], init_ns: Number(m[2]) * 1e6, first_ns: Number(m[3]) * 1e6 });
  }
  if (starts.length) log(starts.map((x) => `   ${x.function} ${fmt(x.first_ns)}`).join("\n"));
  if (r.status !== 0) {
    log(`   failed:\n${out.trim().split("\n").slice(-20).join("\n")}`);
    startsError = out.match(/^\s+\S+\.go:\d+: (.*)$/m)?.[1] ?? `exit ${r.status ?? r.signal}`;
  }
}

writeFileSync(path.join(dir, "results.json"), JSON.stringify({
  rounds, benchtime, coldstarts, seconds: (Date.now() - started) / 1000, machine, load, measures, results, starts, startsError,
}, null, 2));
const failed = Object.entries(results).filter(([, r]) => r.errors.length > 0).map(([id]) => id);
if (failed.length) log(`== failed rounds in: ${failed.join(", ")}`);
process.exit(failed.length ? 1 : 0);
