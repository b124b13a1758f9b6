// The package as a whole: its exports match its declarations, the declarations type-check,
// package.json points at the right files, the module has no dependencies, importing it
// touches nothing, and the named functions use the default client that configure() sets.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import * as monban from "../monban.js";
import { errorBody, fakeFetch, fakeLocation, session } from "./helpers.mjs";

const dir = fileURLToPath(new URL("..", import.meta.url));
const read = (f) => readFileSync(join(dir, f), "utf8");

/** The value exports monban.d.ts declares (functions, classes, constants). */
function declaredValues() {
  const names = new Set();
  for (const m of read("monban.d.ts").matchAll(/^export (?:declare )?(?:function|class|const|let|var) (\w+)/gm)) names.add(m[1]);
  return [...names].sort();
}

describe("exports", () => {
  test("every named export of monban.js is declared in monban.d.ts, and nothing more", () => {
    const runtime = Object.keys(monban).sort();
    assert.ok(runtime.length >= 19, runtime.join(" "));
    assert.deepEqual(declaredValues(), runtime);
  });

  test("the module has no default export and imports nothing (dependency-free)", () => {
    assert.equal("default" in monban, false);
    const src = read("monban.js");
    assert.doesNotMatch(src, /^\s*import\s/m);
    assert.doesNotMatch(src, /\bimport\s*\(/);
    assert.doesNotMatch(src, /\brequire\s*\(/);
  });

  test("the package imports by its own name as the same module", async () => {
    const self = await import("@monban-auth/client");
    assert.equal(self.getSession, monban.getSession);
    assert.equal(self.MonbanError, monban.MonbanError);
  });
});

describe("package.json", () => {
  const pkg = JSON.parse(read("package.json"));

  test("names, versions and points at the module and its declarations", () => {
    assert.equal(pkg.name, "@monban-auth/client");
    assert.equal(pkg.version, "0.1.0");
    assert.equal(pkg.type, "module");
    assert.deepEqual(pkg.exports, { ".": { types: "./monban.d.ts", default: "./monban.js" } });
    assert.equal(pkg.types, "./monban.d.ts");
    assert.equal(pkg.main, "./monban.js");
    for (const f of ["monban.js", "monban.d.ts", "README.md"]) {
      assert.ok(pkg.files.includes(f), f);
      assert.ok(existsSync(join(dir, f)), f);
    }
    assert.equal(typeof pkg.license, "string");
  });

  test("has no runtime dependencies", () => {
    for (const k of ["dependencies", "peerDependencies", "optionalDependencies", "bundledDependencies"]) {
      assert.equal(pkg[k], undefined, k);
    }
  });
});

describe("the default client", () => {
  test("importing touches no browser global; configure() sets what the named functions use", async () => {
    const touched = [];
    const trap = (name) => ({ configurable: true, get: () => (touched.push(name), undefined) });
    const names = ["fetch", "localStorage", "location", "history", "BroadcastChannel", "navigator"];
    const saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)]);
    for (const n of names) Object.defineProperty(globalThis, n, trap(n));
    let fresh;
    try {
      fresh = await import("../monban.js?fresh-import");
    } finally {
      for (const [n, d] of saved) {
        if (d) Object.defineProperty(globalThis, n, d);
        else delete globalThis[n];
      }
    }
    assert.deepEqual(touched, []);

    const one = fakeFetch().reply("GET", "/auth/session", 200, session);
    const two = fakeFetch().reply("GET", "/auth/session", 401, errorBody("unauthenticated"));
    const seen = [];
    fresh.onSessionChange((s) => seen.push(s));
    fresh.configure({ fetch: one.fetch, baseUrl: "https://auth.example.com", BroadcastChannel: null, window: null });
    assert.deepEqual(await fresh.getSession(), session);
    assert.equal(one.last().url, "https://auth.example.com/auth/session");

    // configure replaces the options: the base URL is gone; the listener stays.
    two.reply("POST", "/auth/refresh", 200, session);
    fresh.configure({ fetch: two.fetch, BroadcastChannel: null, window: null });
    assert.equal(await fresh.getSession(), null);
    assert.equal(two.requests[0].url, "/auth/session");
    await fresh.refresh();
    assert.deepEqual(seen, [session]);

    const { location } = fakeLocation("https://site.example/here");
    const navigated = [];
    fresh.configure({ location, navigate: (u) => navigated.push(u), BroadcastChannel: null, window: null });
    fresh.signInWithRedirect();
    assert.deepEqual(navigated, ["/auth/sign-in?redirect_to=%2Fhere"]);
  });

  test("each createClient is independent of the default and of each other", async () => {
    const a = fakeFetch().reply("POST", "/auth/sign-in/password", 200, { challenge: "SMS_MFA", parameters: {} });
    const b = fakeFetch().reply("POST", "/auth/challenge", 200, session);
    const ca = monban.createClient({ fetch: a.fetch, BroadcastChannel: null, window: null });
    const cb = monban.createClient({ fetch: b.fetch, BroadcastChannel: null, window: null });
    await ca.signIn({ email: "a@example.com", password: "pw" });
    await cb.answerChallenge({ code: "1" });
    assert.deepEqual(b.last().body, { code: "1" }, "b knows nothing of a's challenge");
    assert.ok(Object.isFrozen(ca));
  });
});

// The declarations are checked with the pinned TypeScript (local/package.json).
describe("type declarations", () => {
  const tsc = fileURLToPath(new URL("../../local/node_modules/.bin/tsc", import.meta.url));
  const missing = !existsSync(tsc);
  const skip = missing && process.env.CI !== "true" ? "TypeScript not installed (make deps)" : false;
  const run = (project) =>
    new Promise((resolve) => {
      execFile(tsc, ["-p", project], { timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (err.code ?? 1) : 0, out: stdout + stderr }),
      );
    });

  test("types-check.ts passes tsc --noEmit --strict", { skip }, async () => {
    const { code, out } = await run(join(dir, "test", "tsconfig.json"));
    assert.equal(code, 0, out);
  });

  test("the same check refuses a misuse (it can fail)", { skip }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), "monban-types-"));
    try {
      const dts = join(dir, "monban.js");
      writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }));
      writeFileSync(
        join(tmp, "bad.ts"),
        `import { signIn } from ${JSON.stringify(dts)};\nawait signIn({ password: "no name" });\n`,
      );
      const cfg = JSON.parse(read("test/tsconfig.json"));
      cfg.files = ["bad.ts"];
      cfg.compilerOptions.lib = ["es2022"]; // the declarations need no DOM; checking without it is quicker
      writeFileSync(join(tmp, "tsconfig.json"), JSON.stringify(cfg));
      const { code, out } = await run(join(tmp, "tsconfig.json"));
      assert.notEqual(code, 0);
      assert.match(out, /bad\.ts\(2,/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
