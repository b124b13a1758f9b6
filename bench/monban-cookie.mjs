// A Node decoder of monban's own session cookie format (internal/seal), written the way a
// careful Node service would write it, so that make bench compares the same work in both
// languages: a compact JWE, "alg":"dir", "enc":"A256GCM", whose key is HKDF-SHA256 of the
// secret with the purpose in the info, derived once; the protected header (alg, enc, kid,
// pur) is the AAD. Synchronous node:crypto (OpenSSL) throughout.
import { createDecipheriv, createSecretKey, hkdfSync } from "node:crypto";

const kidInfo = "monban session kid v1";
const keyInfo = "monban session key v1 purpose=";
const b64url = (buf) => Buffer.from(buf).toString("base64url");
const charset = /^[A-Za-z0-9_.-]*$/;

// sessionOpener derives the key and the header monban writes for secret (a string or
// bytes, as configured) and returns open(cookie, nowSeconds): the session, or an Error.
export function sessionOpener(secret, purpose = "session") {
  const kid = b64url(hkdfSync("sha256", secret, Buffer.alloc(0), kidInfo, 8));
  const key = createSecretKey(Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), keyInfo + purpose, 32)));
  const header = b64url(JSON.stringify({ alg: "dir", enc: "A256GCM", kid, pur: purpose }));
  const aad = Buffer.from(header);

  // headerAAD accepts the header monban writes without decoding it, else any encoding of
  // an acceptable one, checked as strictly as internal/seal checks it.
  function headerAAD(h) {
    if (h === header) return aad;
    if (h.length > 1024) return null;
    let m;
    try { m = JSON.parse(Buffer.from(h, "base64url").toString()); } catch { return null; }
    if (m === null || typeof m !== "object" || "zip" in m || "crit" in m) return null;
    if (m.alg !== "dir" || m.enc !== "A256GCM" || m.pur !== purpose || m.kid !== kid) return null;
    return Buffer.from(h);
  }

  return function open(cookie, now) {
    if (cookie.length > 16384 || !charset.test(cookie)) throw new Error("invalid");
    const parts = cookie.split(".");
    if (parts.length !== 5) throw new Error("invalid");
    const [h, encKey, iv, ct, tag] = parts;
    if (encKey !== "" || iv.length !== 16 || tag.length !== 22) throw new Error("invalid");
    const a = headerAAD(h);
    if (a === null) throw new Error("invalid");
    const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
    d.setAAD(a);
    d.setAuthTag(Buffer.from(tag, "base64url"));
    const pt = d.update(Buffer.from(ct, "base64url"));
    d.final(); // throws unless the tag is right; GCM writes nothing more
    // The payload is {"exp":<unix seconds>,"v":<value>}.
    const p = JSON.parse(pt.toString());
    if (!Number.isInteger(p.exp) || p.v === undefined) throw new Error("invalid");
    if (now >= p.exp) throw new Error("expired");
    return p.v;
  };
}
