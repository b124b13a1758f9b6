// The Node authorizer (node-authorizer.mjs) as a Lambda function: a minimal runtime loop over
// the Lambda Runtime API, which internal/lambdaruntime's harness serves, so that its cold start
// (process start to the first verified response) is measured exactly as monban's bootstrap's
// is (BenchmarkColdStartVerified). The key set is fetched during init (hydrate), as
// aws-jwt-verify documents for Lambda. Lighter than AWS's own Node runtime client, so the
// comparison does not flatter monban. Configuration: MONBAN_USER_POOL_ID, MONBAN_CLIENT_ID,
// MONBAN_JWKS_URL; the CA of a local HTTPS key server through NODE_EXTRA_CA_CERTS.
import http from "node:http";
import { createAuthorizer } from "./node-authorizer.mjs";

const base = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? {} : { "content-type": "application/json" } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const errorBody = (e) => JSON.stringify({ errorType: e?.name ?? "Error", errorMessage: String(e?.message ?? e) });

let handle;
try {
  const a = createAuthorizer({
    userPoolId: process.env.MONBAN_USER_POOL_ID,
    clientId: process.env.MONBAN_CLIENT_ID,
    jwksUri: process.env.MONBAN_JWKS_URL,
  });
  await a.verifier.hydrate();
  handle = a.handle;
} catch (e) {
  await call("POST", `${base}/init/error`, errorBody(e));
  process.exit(1);
}

for (;;) {
  const next = await call("GET", `${base}/invocation/next`);
  const id = next.headers["lambda-runtime-aws-request-id"];
  try {
    const out = await handle(JSON.parse(next.body));
    await call("POST", `${base}/invocation/${id}/response`, JSON.stringify(out));
  } catch (e) {
    await call("POST", `${base}/invocation/${id}/error`, errorBody(e));
  }
}
