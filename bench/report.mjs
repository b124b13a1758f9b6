// Turns the raw outputs bench/run.sh collected in DIR into one markdown table: monban,
// the reference it is compared with, and reference ÷ monban (above 1: monban is faster or
// smaller). A number a failed step did not produce shows as "—".
// Usage: node report.mjs DIR
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2];
const read = (name) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), "utf8") : "");
const json = (name) => { try { return JSON.parse(read(name)); } catch { return {}; } };

// goBench parses go test -bench output into {"<package dir>.<Benchmark/sub>": {unit: value}}.
function goBench(text) {
  const out = {};
  let pkg = "";
  for (const line of text.split("\n")) {
    const p = line.match(/^pkg: \S*?\/monban\/(\S+)$/);
    if (p) pkg = p[1];
    const m = line.match(/^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$/);
    if (!m) continue;
    const metrics = {};
    const f = m[2].trim().split(/\s+/);
    for (let i = 0; i + 1 < f.length; i += 2) metrics[f[i + 1]] = Number(f[i]);
    out[`${pkg}.${m[1]}`] = metrics;
  }
  return out;
}

const go = goBench(read("go.txt") + "\n" + read("coldstart.txt"));
const jv = json("jwt-verify.json");
const sd = json("session-decode.json");
const ns = (key) => go[key]?.["ns/op"];
const allocs = (key) => go[key]?.["allocs/op"];

const fmtNs = (v) => v === undefined || Number.isNaN(v) ? "—"
  : v < 1e3 ? `${v.toFixed(0)} ns` : v < 1e6 ? `${(v / 1e3).toFixed(1)} µs` : `${(v / 1e6).toFixed(2)} ms`;
const withAllocs = (key) => ns(key) === undefined ? "—" : `${fmtNs(ns(key))} (${allocs(key)} allocs)`;
const ratio = (ref, mine) => ref === undefined || mine === undefined || !mine ? "—"
  : ((r) => (r >= 10 ? `${r.toFixed(0)}×` : `${r.toPrecision(2)}×`))(ref / mine);

const rows = [];
const row = (what, mine, ref, r) => rows.push(`| ${what} | ${mine} | ${ref} | ${r} |`);
const aws = `aws-jwt-verify ${jv.version ?? ""}`.trim();
const authjs = sd.version ? `@auth/core ${sd.version} (jose ${sd.jose})` : "@auth/core";

const cold = "bench.BenchmarkCompareVerify/cold", warm = "bench.BenchmarkCompareVerify/warm";
const cached = "bench.BenchmarkCompareVerify/cached", floor = "bench.BenchmarkCompareVerify/rsa_floor";
row("access token verify, cold: new verifier, key set loaded, first token",
  withAllocs(cold), `${fmtNs(jv.cold_ns)} ${aws}`, ratio(jv.cold_ns, ns(cold)));
row("access token verify, warm: keys cached, signature + claims checked",
  withAllocs(warm), `${fmtNs(jv.warm_sync_ns)} ${aws} verifySync()`, ratio(jv.warm_sync_ns, ns(warm)));
row("— same, reference through its async verify()",
  fmtNs(ns(warm)), `${fmtNs(jv.warm_async_ns)} ${aws} verify()`, ratio(jv.warm_async_ns, ns(warm)));
row("access token verify, cached: same token again (aws-jwt-verify has no such cache)",
  withAllocs(cached), `${fmtNs(jv.warm_sync_ns)} ${aws} verifySync()`, ratio(jv.warm_sync_ns, ns(cached)));
row("warm verify against the floor: SHA-256 + RS256 check alone",
  fmtNs(ns(warm)), `${fmtNs(ns(floor))} Go crypto/rsa`, ratio(ns(floor), ns(warm)));
row("the floor itself, Go against Node",
  `${fmtNs(ns(floor))} crypto/rsa`, `${fmtNs(jv.node_floor_ns)} node:crypto (OpenSSL)`, ratio(jv.node_floor_ns, ns(floor)));

const open = "bench.BenchmarkCompareSessionOpen";
row("session cookie decode, same session (access token + user)",
  withAllocs(open), `${fmtNs(sd.decode_ns)} ${authjs} decode()`, ratio(sd.decode_ns, ns(open)));
const cookieBytes = go[open]?.["cookie-bytes"];
row("session cookie size", cookieBytes === undefined ? "—" : `${cookieBytes} B`,
  sd.cookie_bytes === undefined ? "—" : `${sd.cookie_bytes} B ${authjs}`, ratio(sd.cookie_bytes, cookieBytes));
const mOpen = "internal/seal.BenchmarkOpen/monban", jwx = "internal/seal.BenchmarkOpen/jwx";
row("session cookie decode, internal/seal's payload",
  withAllocs(mOpen), `${fmtNs(ns(jwx))} jwx jwe.Decrypt (${allocs(jwx) ?? "?"} allocs)`, ratio(ns(jwx), ns(mOpen)));
row("GET /auth/session, signed in (whole handler)", withAllocs("internal/httpapi.BenchmarkSessionHandler"), "—", "—");

for (const [key, m] of Object.entries(go)) {
  const fn = key.match(/^internal\/lambdaruntime\.BenchmarkColdStart\/(.+)$/)?.[1];
  if (!fn) continue;
  row(`${fn}: process start to first response (init part)`,
    `${m["ms-to-first-response"].toFixed(2)} ms (${m["ms-init"].toFixed(2)} ms)`, "—", "—");
}
for (const line of read("sizes.txt").split("\n")) {
  const m = line.match(/^\| (\S+) \| ([\d.]+ MiB) \(\d+ bytes\) \| ([\d.]+ MiB) \|$/);
  if (m) row(`${m[1]}: bootstrap size, linux/arm64 (gzip -9)`, `${m[2]} (${m[3]})`, "—", "—");
}

console.log("| what | monban | reference | ratio (reference ÷ monban) |");
console.log("|---|---:|---:|---:|");
for (const r of rows) console.log(r);

// What the numbers were measured on, since they only compare within one run.
const cpu = read("go.txt").match(/^cpu: (.*)$/m)?.[1] ?? "?";
const env = read("env.txt").trim().split("\n").join(", ");
console.log(`\n${env}, ${cpu}. Times are means per operation of this one run.`);
