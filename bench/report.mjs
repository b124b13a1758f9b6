// Turns DIR/results.json (interleave.mjs) into one markdown table: each row monban and the
// reference measured beside it in the same rounds, as the median over the rounds with the
// fastest and slowest round in parentheses, and reference ÷ monban (above 1: monban is faster),
// the ratio of the medians with the range of the per-round ratios. A row whose measurement was
// skipped or failed shows "—", and the reason is listed under the table.
// Usage: node report.mjs DIR
import { readFileSync } from "node:fs";
import path from "node:path";

const data = JSON.parse(readFileSync(path.join(process.argv[2], "results.json"), "utf8"));
const res = data.results;

const fmt = (ns) => ns === undefined ? "—"
  : ns < 1e3 ? `${ns.toFixed(0)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs` : `${(ns / 1e6).toFixed(1)} ms`;
const times = (r) => r >= 10 ? `${r.toFixed(0)}×` : `${r.toPrecision(2)}×`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// stats of one measurement: the samples of the rounds that produced one.
function stats(id) {
  const r = res[id];
  const xs = r?.samples.filter((x) => x !== null) ?? [];
  if (xs.length === 0) return undefined;
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length, info: r.info };
}
const cell = (s, label = "") => {
  if (!s) return "—";
  const allocs = s.info.allocs === undefined ? "" : `, ${s.info.allocs} allocs`;
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})${allocs}${label ? " " + label : ""}`;
};
// ratio is reference ÷ monban: the ratio of the medians, and the range over the rounds that
// measured both. For two measurements taken together in one process (paired), each round's
// ratio is itself a measurement, and their median is the estimate.
function ratio(mine, ref, paired = false) {
  const a = stats(mine), b = stats(ref);
  if (!a || !b) return undefined;
  const per = res[mine].samples.map((x, i) => (x !== null && res[ref].samples[i] !== null ? res[ref].samples[i] / x : null)).filter((x) => x !== null);
  return { value: paired ? median(per) : b.median / a.median, min: Math.min(...per), max: Math.max(...per) };
}
const ratioCell = (r) => (r ? `${times(r.value)} (${times(r.min)}–${times(r.max)})` : "—");

const rows = [];
const notes = [];
// row adds one line of the table. target: { text, met(mine stats, ratio) → [met, why] }.
function row(what, mine, ref, { refLabel = "", mineLabel = "", target, paired = false } = {}) {
  const a = stats(mine), r = ref ? ratio(mine, ref, paired) : undefined;
  let verdict = "";
  if (target) {
    if (!a || (ref && !r)) verdict = "not measured";
    else {
      const [met, why] = target.met(a, r);
      verdict = met ? "met" : `**not met**: ${why}`;
    }
  }
  rows.push(`| ${what} | ${cell(a, mineLabel)} | ${ref ? cell(stats(ref), refLabel || res[ref]?.info.library || "") : "—"} | ${ratioCell(r)} | ${target?.text ?? ""} | ${verdict} |`);
}
const bound = (ns, alsoFaster) => ({
  text: `≤ ${ns < 1e3 ? `${ns} ns` : `${ns / 1e3} µs`}${alsoFaster ? ", faster than Node" : ""}`,
  met: (a, r) => {
    if (a.median > ns) return [false, `${fmt(a.median)} is ${times(a.median / ns)} the bound`];
    if (alsoFaster && r.value <= 1) return [false, `Node is ${times(1 / r.value)} faster`];
    return [true];
  },
});

row("verified-token cache hit, same token again", "go.cache", "node.cache",
  { refLabel: "Node, the same LRU cache keyed by the token string", target: bound(200, true) });
row("— same, Node looking up one string object again (V8 keeps its hash)", "go.cache", "node.cache-same",
  { refLabel: "Node, same cache" });
row("session cookie decode, monban's format (JWE dir/A256GCM, HKDF key)", "go.open", "node.open",
  { refLabel: "Node node:crypto, same cookie, synchronous", target: bound(5000, true) });
row("access-token verify, keys cached (no token cache)", "go.verify", "node.verify");
row("access-token verify against the RS256 floor (SHA-256 + RSA check alone), alternating in one process; ratio: median of the rounds' ratios", "go.verify-paired", "go.floor-paired", {
  refLabel: "Go crypto/rsa floor", paired: true,
  target: {
    text: "within 1.2× of the floor",
    met: (a, r) => (1 / r.value <= 1.2 ? [true] : [false, `monban takes ${(1 / r.value).toFixed(2)}× the floor's time`]),
  },
});
row("the RS256 floor itself, Go against Node", "go.floor", "node.floor", { mineLabel: "crypto/rsa" });
row("access-token verify, new verifier (key set parsed, first token)", "go.verifier", "node.verifier");
row("warm authorizer invocation: event JSON → response JSON, cache hit", "go.authorizer", "node.authorizer",
  { refLabel: "Node authorizer, aws-jwt-verify + the same cache", target: bound(10000, false) });
row("`GET /auth/session` through the Lambda entry point, signed in: event JSON → response JSON", "go.session-entry", null,
  { target: bound(25000, false) });
row("cold start to a first verified bearer request, key set fetched over HTTPS", "go.coldstart", "node.coldstart", {
  refLabel: "Node authorizer (aws-jwt-verify), same harness",
  target: { text: "≥ 6× faster", met: (a, r) => (r.value >= 6 ? [true] : [false, `${r.value.toFixed(1)}×`]) },
});
row("— same cold starts, CPU time of the function's process (less swayed by machine load)", "go.coldstart-cpu", "node.coldstart-cpu",
  { refLabel: "Node" });
row("session cookie decode, different designs: the same session content", "go.open", "node.authjs");
const cookie = (id) => res[id]?.info.cookie_bytes;
if (cookie("go.open") && cookie("node.authjs")) {
  rows.push(`| session cookie size, same content | ${cookie("go.open")} B | ${cookie("node.authjs")} B ${res["node.authjs"].info.library} | ${times(cookie("node.authjs") / cookie("go.open"))} | | |`);
}

console.log("| measure | monban: median (fastest–slowest round) | reference: median (fastest–slowest) | reference ÷ monban (range over rounds) | target | met |");
console.log("|---|---:|---:|---:|---|---|");
for (const r of rows) console.log(r);

for (const [id, r] of Object.entries(res)) {
  if (r.skipped) notes.push(`${id}: skipped: ${r.skipped}`);
  const bad = r.errors.length;
  if (bad) notes.push(`${id}: ${bad} of ${data.rounds} rounds failed (${r.errors[0].split("\n")[0]})`);
  if (r.info.others) notes.push(`${id}: ${r.info.benchmark} chosen among ${[...r.info.others, r.info.benchmark].join(", ")}`);
}
const behind = Object.entries(data.measures).filter(([id, m]) => m.go && !m.own && res[id].info.benchmark)
  .map(([id]) => `${res[id].info.package}.${res[id].info.benchmark}`);
if (behind.length) notes.push(`monban's cells (and the cold starts) come from: ${behind.join(", ")}; the Node ones from bench/round.mjs`);
const own = Object.entries(data.measures).filter(([id, m]) => m.own && stats(id))
  .map(([id, m]) => `${m.go} (${res[id].info.package}) ${cell(stats(id))}`);
if (own.length) notes.push(`the owners' benchmarks of the same code, on their own inputs, in the same rounds: ${own.join("; ")}`);
const cs = stats("go.coldstart"), ns = stats("node.coldstart");
if (cs && ns) notes.push(`cold start, of which init (until the first request for an event): monban ${fmt(cs.info.init_ns)}, Node ${fmt(ns.info.init_ns)} (last round)`);
if (data.starts?.length) {
  console.log("\n| function: process start to first response, request without credentials (nothing verified) | time | of which init |");
  console.log("|---|---:|---:|");
  for (const x of data.starts) console.log(`| ${x.function} | ${fmt(x.first_ns)} | ${fmt(x.init_ns)} |`);
}
if (data.startsError) notes.push(`process starts of every function: not all measured: ${data.startsError}`);
const m = data.machine, l = data.load;
console.log(`\n${m.cpu ?? "?"}, ${m.cpus} CPUs, ${m.go}, node ${m.node}. ${data.rounds} interleaved rounds of ${data.benchtime} per ` +
  `measurement (cold starts: ${data.coldstarts} per side per round), ${Math.round(data.seconds)} s in all; ` +
  `targets are judged on the medians; load average ${l[0].map((x) => x.toFixed(1)).join(" ")} at the start, ${l[1].map((x) => x.toFixed(1)).join(" ")} at the end.`);
for (const n of notes) console.log(`- ${n}`);
