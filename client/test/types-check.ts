// Type-checked (tsc --noEmit --strict, see tsconfig.json), never run: every export used as
// documented, and misuses the declarations must refuse (@ts-expect-error fails the check if
// the line is accepted). Imported by the package's own name, so `exports`/`types` are
// checked too.
import {
  MonbanError,
  answerChallenge,
  answerEmailCode,
  changePassword,
  configure,
  confirmForgotPassword,
  confirmSignUp,
  createClient,
  deleteAccount,
  deletePasskey,
  forgotPassword,
  fromBase64url,
  getAccessToken,
  getSession,
  listPasskeys,
  onSessionChange,
  passkeysSupported,
  profile,
  providers,
  refresh,
  registerPasskey,
  resendAttributeCode,
  resendCode,
  sendEmailCode,
  setUpTotp,
  signIn,
  signInWithPasskey,
  signInWithRedirect,
  signOut,
  signUp,
  startSignIn,
  toBase64url,
  updateProfile,
  verifyAttribute,
  verifyTotp,
} from "@monban-auth/client";
import type {
  AttributeDelivery,
  Challenge,
  ChallengeName,
  ClientOptions,
  AuthenticationResponseJSON,
  Delivery,
  Factor,
  MonbanClient,
  MonbanErrorCode,
  Passkey,
  Profile,
  ProfileUpdate,
  PublicKeyCredentialRequestOptionsJSON,
  Session,
  SignInOutcome,
  SignUpResult,
  TotpSetup,
  User,
} from "@monban-auth/client";

declare function show(text: string): void;
declare function ask(label: string): Promise<string>;

// The browser's own objects fit every seam.
const options: ClientOptions = {
  baseUrl: "https://auth.example.com",
  tokenMode: true,
  storage: localStorage,
  storageKey: "shop",
  fetch: fetch,
  location: location,
  history: history,
  navigate: (url) => location.assign(url),
  BroadcastChannel: BroadcastChannel,
  window: window,
  locks: navigator.locks,
  now: Date.now,
  credentials: navigator.credentials,
  PublicKeyCredential: PublicKeyCredential,
};
configure(options);
configure({ storage: sessionStorage, BroadcastChannel: null, window: null, locks: null, credentials: null, PublicKeyCredential: null });
configure();
const client: MonbanClient = createClient({ baseUrl: "" });
createClient();

async function everything(): Promise<void> {
  const s: Session | null = await getSession();
  if (s) {
    const u: User = s.user;
    const name: string = u.email ?? u.username;
    const groups: string[] = u.groups;
    const tenant: string | undefined = u.attributes["custom:tenant"];
    const until: number = Date.parse(s.expires_at);
    show(`${name} ${groups.length} ${tenant} ${until}`);
  }

  signInWithRedirect();
  signInWithRedirect({ redirectTo: "/account", provider: "Google", screen: "signup" });
  const offered: string[] = await providers();
  for (const provider of offered) signInWithRedirect({ provider });
  const viaClient: readonly string[] = await client.providers();
  show(viaClient.join(","));
  // @ts-expect-error the list is of names, not objects
  const wrong: { name: string }[] = await providers();

  let outcome: SignInOutcome = await signIn({ email: "ada@example.com", password: "pw" });
  outcome = await signIn({ username: "ada", password: "pw" });
  while (outcome.challenge) {
    const c: Challenge = outcome.challenge;
    const needed: readonly string[] = c.needs;
    show(needed.join(","));
    switch (c.name) {
      case "NEW_PASSWORD_REQUIRED": {
        const attrs: Record<string, string> = {};
        for (const a of c.parameters.required_attributes) attrs[a] = await ask(a);
        outcome = await answerChallenge({ newPassword: await ask("new password"), attributes: attrs });
        break;
      }
      case "SMS_MFA":
      case "EMAIL_OTP":
        show(c.parameters.destination ?? "");
        outcome = await answerChallenge({ code: await ask("code") });
        break;
      case "SOFTWARE_TOKEN_MFA":
        outcome = await answerChallenge({ code: await ask("code") });
        break;
      case "SELECT_MFA_TYPE": {
        const first = c.parameters.mfas_can_choose[0];
        if (first) outcome = await answerChallenge({ mfaType: first });
        break;
      }
      case "MFA_SETUP":
        show(c.parameters.otpauth_uri ?? "no authenticator app");
        outcome = await answerChallenge({ code: await ask("code") });
        break;
      case "SELECT_CHALLENGE": {
        const factors: Factor[] = c.parameters.factors;
        if (factors.includes("PASSWORD")) outcome = await answerChallenge({ factor: "PASSWORD", password: await ask("password") });
        else if (factors.includes("WEB_AUTHN")) outcome = await signInWithPasskey();
        else outcome = await answerChallenge({ factor: "EMAIL_OTP" });
        break;
      }
      case "PASSWORD":
        outcome = await answerChallenge({ password: await ask("password") });
        break;
      case "WEB_AUTHN": {
        // By hand, with the browser's own JSON support.
        const options: PublicKeyCredentialRequestOptionsJSON = c.parameters.options;
        const cred = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
        if (cred instanceof PublicKeyCredential) outcome = await answerChallenge({ credential: cred });
        break;
      }
      default: {
        const never: never = c;
        throw new Error(String(never));
      }
    }
  }
  const signedIn: Session = outcome.session;
  show(signedIn.expires_at);

  // Passwordless.
  if (passkeysSupported()) {
    const viaPasskey: SignInOutcome = await signInWithPasskey({ email: "ada@example.com" });
    show(viaPasskey.session?.user.sub ?? viaPasskey.challenge?.name ?? "");
    await signInWithPasskey({ username: "ada", signal: new AbortController().signal });
    await signInWithPasskey();
  }
  const started: SignInOutcome = await startSignIn({ email: "ada@example.com" });
  await startSignIn({ username: "ada", factor: "WEB_AUTHN" });
  show(started.challenge?.needs.join(",") ?? "");
  const sent = await sendEmailCode({ email: "ada@example.com" });
  if (sent.challenge?.name === "EMAIL_OTP") show(sent.challenge.parameters.destination ?? "");
  await answerEmailCode("123456");
  await answerEmailCode({ code: "123456" });
  const asJSON: AuthenticationResponseJSON = {
    id: "aWQ",
    rawId: "aWQ",
    response: { clientDataJSON: "e30", authenticatorData: "AA", signature: "AA" },
    clientExtensionResults: {},
    type: "public-key",
  };
  await answerChallenge({ credential: asJSON });
  await registerPasskey();
  await registerPasskey({ signal: new AbortController().signal });
  const keys: Passkey[] = await listPasskeys();
  for (const k of keys) show(`${k.id} ${k.name} ${k.attachment} ${k.transports.join()} ${Date.parse(k.created_at)}`);
  if (keys[0]) await deletePasskey(keys[0].id);
  const bytes: ArrayBuffer = fromBase64url(toBase64url(new Uint8Array([1, 2, 3])));
  show(toBase64url(bytes));

  const up: SignUpResult = await signUp({ email: "ada@example.com", password: "pw", attributes: { name: "Ada" } });
  await signUp({ username: "ada", email: "ada@example.com", password: "pw", signIn: false });
  const confirmed: boolean = up.userConfirmed;
  const where: Delivery | null = up.delivery;
  if (up.session) show(up.session.user.sub);
  else if (up.challenge) show(up.challenge.name);
  show(`${confirmed} ${where?.medium} ${where?.destination}`);

  const nothing: void = await confirmSignUp({ email: "ada@example.com", code: "123456" });
  void nothing;
  const d: Delivery = await resendCode({ email: "ada@example.com" });
  show(d.medium);
  await forgotPassword({ username: "ada" });
  await confirmForgotPassword({ email: "ada@example.com", code: "123456", password: "N3w-Passw0rd!" });
  await changePassword({ previousPassword: "a", proposedPassword: "b" });
  const totp: TotpSetup = await setUpTotp();
  show(totp.otpauthUri + totp.secret);
  await verifyTotp({ code: "123456", friendlyName: "phone" });
  await verifyTotp({ code: "123456" });
  const fresh: Session = await refresh();
  show(fresh.expires_at);
  const token: string | null = await getAccessToken();
  if (token) await fetch("/api/me", { headers: { Authorization: `Bearer ${token}` } });

  // The account: the profile, a changed address confirmed with its code, deletion.
  const me: Profile = await profile();
  const name: string | undefined = me.attributes["name"];
  show(`${me.username} ${name ?? ""} ${me.attributes["email_verified"] === "true"}`);
  const update: ProfileUpdate = await updateProfile({ name: "Ada Lovelace", email: "new@example.com" });
  for (const d of update.verification) {
    const sent: AttributeDelivery = d;
    show(`${sent.attribute} ${sent.medium} ${sent.destination ?? ""}`);
    const { attributes: confirmed } = await verifyAttribute(sent.attribute, await ask("code"));
    show(confirmed["email"] ?? "");
  }
  const again: { verification: AttributeDelivery[] } = await resendAttributeCode("email");
  show(again.verification.map((d) => d.destination).join(","));
  await resendAttributeCode("phone_number");
  const field: string = await ask("password");
  const gone: { deleted: true } = await deleteAccount({ password: field || undefined });
  show(String(gone.deleted));
  await deleteAccount();
  await client.deleteAccount({});
  try {
    await deleteAccount();
  } catch (e) {
    if (e instanceof MonbanError && (e.code === "reauthentication_required" || e.code === "forbidden")) show(e.message);
  }

  const { logoutUrl } = await signOut();
  await signOut({ global: true, logoutUri: "/bye", redirect: false });
  show(logoutUrl);

  const off: () => void = onSessionChange((next: Session | null) => show(next ? next.user.sub : "signed out"));
  off();

  // The client object has the same methods.
  await client.getSession();
  await client.signIn({ email: "a@example.com", password: "pw" });
  client.onSessionChange(() => {})();

  try {
    await signIn({ email: "ada@example.com", password: "pw" });
  } catch (e) {
    if (e instanceof MonbanError) {
      const code: MonbanErrorCode = e.code;
      const status: number = e.status;
      const message: string = e.message;
      if (e.code === "invalid_credentials" || e.code === "network_error" || e.code === "some_future_code") {
        show(`${code} ${status} ${message}`);
      }
    }
  }
  const err = new MonbanError("network_error", "offline");
  const withStatus = new MonbanError("code_mismatch", "wrong", 400, { cause: err });
  const named: "MonbanError" = withStatus.name;
  show(named);
  const challengeName: ChallengeName = "SELECT_MFA_TYPE";
  show(challengeName);
  try {
    await registerPasskey();
  } catch (e) {
    if (e instanceof MonbanError && (e.code === "passkey_cancelled" || e.code === "passkey_exists")) show(e.message);
  }
}
void everything;

// --- misuses the declarations must refuse ----------------------------------------------

async function misuses(): Promise<void> {
  // @ts-expect-error a password alone names nobody
  await signIn({ password: "pw" });
  // @ts-expect-error the password is required
  await signIn({ email: "ada@example.com" });
  // @ts-expect-error inputs are camelCase
  await answerChallenge({ new_password: "x" });
  // @ts-expect-error not a second factor monban knows
  await answerChallenge({ mfaType: "VOICE" });
  // @ts-expect-error the screen is signup or nothing
  signInWithRedirect({ screen: "login" });
  // @ts-expect-error camelCase here too
  await changePassword({ previous_password: "a", proposed_password: "b" });
  // @ts-expect-error setUpTotp's result is camelCase
  show((await setUpTotp()).otpauth_uri);
  // @ts-expect-error a session may be null
  show((await getSession()).user.sub);
  // @ts-expect-error the access token may be null
  show((await getAccessToken()).length);
  const outcome = await signIn({ email: "a@example.com", password: "pw" });
  // @ts-expect-error the session is null until the challenge is checked
  show(outcome.session.user.sub);
  if (outcome.challenge?.name === "SMS_MFA") {
    // @ts-expect-error an SMS challenge has no TOTP secret
    show(outcome.challenge.parameters.secret);
  }
  // @ts-expect-error tokenMode is a boolean
  createClient({ tokenMode: "yes" });
  // @ts-expect-error unknown option
  createClient({ baseURL: "https://auth.example.com" });
  // @ts-expect-error the callback takes a session
  onSessionChange((s: string) => show(s));
  // @ts-expect-error status is a number
  const s: string = new MonbanError("internal", "x").status;
  void s;
  // @ts-expect-error not a first factor
  await startSignIn({ email: "a@example.com", factor: "SMS_MFA" });
  // @ts-expect-error startSignIn needs a name
  await startSignIn({ factor: "WEB_AUTHN" });
  // @ts-expect-error an id, not a passkey
  await deletePasskey((await listPasskeys())[0]);
  // @ts-expect-error passkeys are listed in their wire shape
  show((await listPasskeys())[0]?.createdAt ?? "");
  // @ts-expect-error a credential is an object
  await answerChallenge({ credential: "eyJ9" });
  // @ts-expect-error attribute values are strings
  await updateProfile({ email_verified: true });
  // @ts-expect-error only an address is confirmed by a code
  await verifyAttribute("name", "123456");
  // @ts-expect-error the attribute, then the code
  await verifyAttribute({ attribute: "email", code: "123456" });
  // @ts-expect-error the password goes in an object
  await deleteAccount("pw");
  // @ts-expect-error the attributes may be missing (e.g. name)
  const n: string = (await profile()).attributes["name"];
  void n;
}
void misuses;
