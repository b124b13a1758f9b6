// Types of monban's browser client (monban.js). Server resources (User, Session, Delivery,
// challenge parameters) keep the API's wire shape (snake_case, as in openapi.yaml); the
// client's own inputs and wrappers are camelCase.

// --- server resources ------------------------------------------------------------------

/** The signed-in user, as `GET /auth/session` describes it (from the ID token). */
export interface User {
  /** The user's stable id in the user pool. */
  sub: string;
  /** `cognito:username`. */
  username: string;
  /** Absent when the ID token has none. */
  email?: string;
  email_verified: boolean;
  /**
   * `cognito:groups`; empty when none. At most 32 (the session cookie's budget): see
   * `groups_truncated`.
   */
  groups: string[];
  /**
   * Present and true when the user is in more groups than the session lists. The access
   * token still carries them all, and APIs decide by it: never conclude from `groups` that
   * a user is outside a group.
   */
  groups_truncated?: boolean;
  /** The ID token's other string claims, e.g. `custom:tenant`. */
  attributes: Record<string, string>;
}

/** A session: who is signed in, and until when the current access token lasts. */
export interface Session {
  user: User;
  /** RFC 3339; the server refreshes the session on its own before then. */
  expires_at: string;
}

/** Where Cognito sent a code. */
export interface Delivery {
  /** `EMAIL` or `SMS`. */
  medium: string;
  /** The masked address, when Cognito gives one, e.g. `a***@e***.com`. */
  destination?: string;
}

// --- challenges ------------------------------------------------------------------------

/** The sign-in challenges monban passes on from Cognito. */
export type ChallengeName =
  | "NEW_PASSWORD_REQUIRED"
  | "SOFTWARE_TOKEN_MFA"
  | "SMS_MFA"
  | "EMAIL_OTP"
  | "SELECT_MFA_TYPE"
  | "MFA_SETUP"
  | "SELECT_CHALLENGE"
  | "PASSWORD"
  | "WEB_AUTHN";

/**
 * A first factor of a choice-based sign-in ({@link startSignIn}), as Cognito names it: a
 * passkey, a code sent by e-mail, or the password.
 */
export type Factor = "WEB_AUTHN" | "EMAIL_OTP" | "PASSWORD";

/** A second factor, as `SELECT_MFA_TYPE` offers and `answerChallenge({ mfaType })` picks. */
export type MfaType = "SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP";

/** A key of {@link ChallengeAnswer}: what an answer must carry. */
export type ChallengeNeed = "code" | "newPassword" | "attributes" | "mfaType" | "factor" | "password" | "credential";

/**
 * The user must choose a new password (an administrator created the account). `needs` is
 * `["newPassword", "attributes"]` when `parameters.required_attributes` is not empty: then
 * `attributes` must give a value for each of those names.
 */
export interface NewPasswordChallenge {
  name: "NEW_PASSWORD_REQUIRED";
  parameters: { required_attributes: string[] };
  needs: ["newPassword"] | ["newPassword", "attributes"];
}

/** A code from the user's authenticator app. */
export interface SoftwareTokenChallenge {
  name: "SOFTWARE_TOKEN_MFA";
  parameters: Record<string, never>;
  needs: ["code"];
}

/**
 * A code Cognito sent by SMS or e-mail to `parameters.destination`: a second factor after the
 * password, or (`EMAIL_OTP` after {@link sendEmailCode}) the first.
 */
export interface DeliveredCodeChallenge {
  name: "SMS_MFA" | "EMAIL_OTP";
  parameters: { destination?: string; medium?: string };
  needs: ["code"];
}

/** The user picks which second factor to use: answer with `mfaType`, one of `mfas_can_choose`. */
export interface SelectMfaTypeChallenge {
  name: "SELECT_MFA_TYPE";
  parameters: { mfas_can_choose: MfaType[] };
  needs: ["mfaType"];
}

/**
 * The pool requires MFA and the user has none yet. When `parameters.secret` is present the
 * server has already started adding an authenticator app: show `otpauth_uri` as a QR code
 * (or `secret` for typing in) and answer with the app's first `code`. Without `secret` (the
 * pool allows no authenticator app) this sign-in cannot finish here: use the hosted UI.
 */
export interface MfaSetupChallenge {
  name: "MFA_SETUP";
  parameters: { mfas_can_setup: MfaType[]; secret?: string; otpauth_uri?: string };
  /**
   * `["code"]` when `parameters.secret` is given (add it to an authenticator app, answer with
   * its code); `[]` without one: the account needs a factor the site's forms cannot set up,
   * so send the user through managed login (`signInWithRedirect`).
   */
  needs: ["code"] | [];
}

/**
 * A choice-based sign-in ({@link startSignIn} without a factor): the user picks one of
 * `parameters.factors`. Answer with `factor` (and, for `PASSWORD`, `password` too, which
 * signs in at once); {@link signInWithPasskey} answers it with a passkey.
 */
export interface SelectChallenge {
  name: "SELECT_CHALLENGE";
  parameters: { factors: Factor[] };
  needs: ["factor"];
}

/** The password, as the first factor of a choice-based sign-in. */
export interface PasswordChallenge {
  name: "PASSWORD";
  parameters: Record<string, never>;
  needs: ["password"];
}

/**
 * A passkey: `parameters.options` are for `navigator.credentials.get`.
 * {@link signInWithPasskey} does all of it; by hand, answer with `credential`.
 */
export interface PasskeyChallenge {
  name: "WEB_AUTHN";
  parameters: { options: PublicKeyCredentialRequestOptionsJSON };
  needs: ["credential"];
}

/**
 * A challenge to answer with {@link answerChallenge}. Switch on `name` for the parameters;
 * `needs` lists exactly the {@link ChallengeAnswer} fields the answer must carry, so a
 * generic form can render one input per entry.
 */
export type Challenge =
  | NewPasswordChallenge
  | SoftwareTokenChallenge
  | DeliveredCodeChallenge
  | SelectMfaTypeChallenge
  | MfaSetupChallenge
  | SelectChallenge
  | PasswordChallenge
  | PasskeyChallenge;

/** Signed in, or one more step to go. Exactly one of the two is non-null. */
export type SignInOutcome =
  | { session: Session; challenge: null }
  | { session: null; challenge: Challenge };

/** The answer to the pending challenge; which fields count is the challenge's `needs`. */
export interface ChallengeAnswer {
  /** SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, MFA_SETUP. */
  code?: string;
  /** NEW_PASSWORD_REQUIRED. */
  newPassword?: string;
  /** SELECT_MFA_TYPE. */
  mfaType?: MfaType;
  /** NEW_PASSWORD_REQUIRED: a value for each of `parameters.required_attributes`. */
  attributes?: Record<string, string>;
  /** SELECT_CHALLENGE: one of `parameters.factors`. */
  factor?: Factor;
  /** PASSWORD, or SELECT_CHALLENGE with `factor: "PASSWORD"`. */
  password?: string;
  /**
   * WEB_AUTHN: what `navigator.credentials.get` resolved with, as it came or as its JSON
   * (`AuthenticationResponseJSON`); the client converts the first.
   */
  credential?: AuthenticationResponseJSON | PublicKeyCredentialLike;
}

// --- WebAuthn's JSON forms (WebAuthn Level 3; binary members are base64url strings) -------

/** A credential an authenticator may use, or must not create again. */
export interface PublicKeyCredentialDescriptorJSON {
  id: string;
  type: string;
  transports?: string[];
}

/** The options for `navigator.credentials.get`, as Cognito gives them. */
export interface PublicKeyCredentialRequestOptionsJSON {
  challenge: string;
  rpId?: string;
  timeout?: number;
  userVerification?: string;
  allowCredentials?: PublicKeyCredentialDescriptorJSON[];
  hints?: string[];
  extensions?: object;
}

/** The options for `navigator.credentials.create`, as Cognito gives them. */
export interface PublicKeyCredentialCreationOptionsJSON {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { type: string; alg: number }[];
  timeout?: number;
  excludeCredentials?: PublicKeyCredentialDescriptorJSON[];
  authenticatorSelection?: {
    authenticatorAttachment?: string;
    residentKey?: string;
    requireResidentKey?: boolean;
    userVerification?: string;
  };
  attestation?: string;
  hints?: string[];
  extensions?: object;
}

/** An authenticator's answer to `navigator.credentials.get`, as JSON (`credential.toJSON()`). */
export interface AuthenticationResponseJSON {
  id: string;
  rawId: string;
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle?: string;
  };
  authenticatorAttachment?: string;
  clientExtensionResults: object;
  type: string;
}

/** An authenticator's answer to `navigator.credentials.create`, as JSON (`credential.toJSON()`). */
export interface RegistrationResponseJSON {
  id: string;
  rawId: string;
  response: {
    clientDataJSON: string;
    attestationObject: string;
    authenticatorData?: string;
    transports: string[];
    publicKey?: string;
    publicKeyAlgorithm?: number;
  };
  authenticatorAttachment?: string;
  clientExtensionResults: object;
  type: string;
}

/** What `navigator.credentials.get` resolves with (a `PublicKeyCredential`). */
export interface PublicKeyCredentialLike {
  readonly id: string;
  readonly rawId: ArrayBuffer;
  readonly type: string;
  readonly response: object;
}

// --- inputs and results ----------------------------------------------------------------

/** Who: an e-mail address or a username (`username` wins when both are given). */
export type Identity = { email: string; username?: string } | { username: string; email?: string };

export type SignInInput = Identity & { password: string };

/** Who signs in, and optionally with which first factor (without one: `SELECT_CHALLENGE`). */
export type StartSignInInput = Identity & { factor?: Factor };

/** Lets a page cancel a passkey request it started (an `AbortSignal`). */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/**
 * Who signs in with a passkey. Leave the name out only to answer the pending prompt of a
 * sign-in already started (`SELECT_CHALLENGE`, or a `WEB_AUTHN` prompt whose passkey request
 * was cancelled).
 */
export type SignInWithPasskeyInput = (Identity | { email?: undefined; username?: undefined }) & {
  /** Cancels the browser's passkey request. */
  signal?: AbortSignalLike;
};

export interface RegisterPasskeyOptions {
  /** Cancels the browser's passkey request. */
  signal?: AbortSignalLike;
}

/** One of the signed-in user's passkeys, as `GET /auth/passkeys` lists it. */
export interface Passkey {
  /** For {@link deletePasskey}. */
  id: string;
  /** The name Cognito gives it (from the authenticator); may be empty. */
  name: string;
  /** The domain it signs in to. */
  relying_party_id: string;
  /** `platform` (built into the device), `cross-platform` (a security key or phone), or empty. */
  attachment: string;
  /** How the browser reaches it (`internal`, `usb`, `nfc`, `ble`, `hybrid`); may be empty. */
  transports: string[];
  /** RFC 3339. */
  created_at: string;
}

/**
 * The signed-in user's account as the user pool keeps it (`GET /auth/profile`): every
 * attribute, not only the session's claims.
 */
export interface Profile {
  /** The user's name in the pool (`cognito:username`). */
  username: string;
  /**
   * Every attribute the pool returns, with the pool's string values (`"true"`/`"false"` for
   * booleans): e.g. `sub`, `email`, `email_verified`, `name`, `custom:tenant`.
   */
  attributes: Record<string, string>;
}

/** The attributes a code confirms: a changed address is in use only once confirmed. */
export type VerifiableAttribute = "email" | "phone_number";

/** Where the code confirming a changed attribute went. */
export interface AttributeDelivery extends Delivery {
  /** The attribute the code confirms, for {@link verifyAttribute}. */
  attribute: VerifiableAttribute;
}

/** {@link updateProfile}'s result. */
export interface ProfileUpdate {
  /** The profile's attributes after the change. */
  attributes: Record<string, string>;
  /**
   * A code was sent for each changed attribute listed here (an e-mail address or phone
   * number): it takes effect once confirmed with {@link verifyAttribute}. Empty when none.
   */
  verification: AttributeDelivery[];
}

export interface DeleteAccountInput {
  /**
   * The user's password, to confirm it is them. Not needed within a few minutes of signing
   * in (the server's `MONBAN_REAUTH_WINDOW`, 5 minutes by default); an empty string counts
   * as none.
   */
  password?: string | undefined;
}

export type SignUpInput = Identity & {
  password: string;
  /** User attributes, e.g. `{ name: "Ada" }`; the e-mail address is stored as `email` already. */
  attributes?: Record<string, string>;
  /** Sign in at once when the server confirms the user immediately. Default: true. */
  signIn?: boolean;
};

/**
 * A sign-up's result. `session` or `challenge` is set only when the user was confirmed at
 * once and `signIn` was true (as for {@link signIn}); otherwise both are null and the user
 * confirms with the code sent to `delivery` ({@link confirmSignUp}), then signs in.
 */
export type SignUpResult = {
  userConfirmed: boolean;
  /** Where the confirmation code went; null when none was sent. */
  delivery: Delivery | null;
} & ({ session: Session; challenge: null } | { session: null; challenge: Challenge | null });

export type ConfirmSignUpInput = Identity & { code: string };

export type ConfirmForgotPasswordInput = Identity & {
  code: string;
  /** The new password. */
  password: string;
};

export interface ChangePasswordInput {
  previousPassword: string;
  proposedPassword: string;
}

export interface TotpSetup {
  /** Base32, for typing into the app. */
  secret: string;
  /** `otpauth://totp/…`, to show as a QR code. */
  otpauthUri: string;
}

export interface VerifyTotpInput {
  /** The app's current code. */
  code: string;
  /** A name for the device, at most 64 bytes. */
  friendlyName?: string;
}

export interface SignInWithRedirectOptions {
  /**
   * Where to land after signing in: a path on the site (`/account`) or an allow-listed
   * absolute URL. Default: the current path and query (the full URL when `baseUrl` is
   * another origin).
   */
  redirectTo?: string;
  /**
   * Skip the provider picker: `COGNITO` or one of {@link MonbanClient.providers}, e.g.
   * `Google` (the server refuses any other name with `invalid_request`).
   */
  provider?: string;
  /** Open managed login on its sign-up screen. */
  screen?: "signup";
}

export interface SignOutOptions {
  /** Also sign the user out of every other device (Cognito GlobalSignOut). */
  global?: boolean;
  /** Where Cognito's /logout returns to: a site path or an allow-listed URL (server default: the site's root). */
  logoutUri?: string;
  /** Navigate to `logoutUrl` afterwards, ending the managed-login session too. Default: true. */
  redirect?: boolean;
}

export interface SignOutResult {
  /** Cognito's `/logout` URL (already navigated to unless `redirect: false`). */
  logoutUrl: string;
}

// --- errors ------------------------------------------------------------------------------

/** The server's stable error codes (openapi.yaml, `ErrorCode`). */
export type ServerErrorCode =
  | "invalid_request"
  | "invalid_credentials"
  | "user_not_confirmed"
  | "code_mismatch"
  | "expired_code"
  | "invalid_password"
  | "too_many_requests"
  | "unauthenticated"
  | "forbidden_origin"
  | "upstream_unavailable"
  | "internal"
  | "not_found"
  | "username_exists"
  | "password_reset_required"
  | "sign_up_rejected"
  | "no_pending_challenge"
  | "method_not_allowed"
  | "invalid_state"
  | "access_denied"
  | "sign_in_failed"
  | "invalid_token"
  | "forbidden"
  | "reauthentication_required";

/**
 * The client's own codes: `network_error` (no answer at all: offline, DNS, CORS refused),
 * `invalid_response` (an answer that is not monban's JSON, or tokens missing in token mode),
 * and the browser's passkey refusals: `passkey_unsupported` (no WebAuthn here),
 * `passkey_cancelled` (the user cancelled, the request timed out, or the device has no
 * passkey for this site), `passkey_exists` (registering: the device already holds one for
 * this account), `passkey_failed` (anything else, e.g. a page outside the passkeys' domain).
 */
export type ClientErrorCode =
  | "network_error"
  | "invalid_response"
  | "passkey_unsupported"
  | "passkey_cancelled"
  | "passkey_exists"
  | "passkey_failed";

/** Every code a {@link MonbanError} may carry; `string` keeps codes of newer servers open. */
export type MonbanErrorCode = ServerErrorCode | ClientErrorCode | (string & {});

/** The one error every function rejects with. */
export class MonbanError extends Error {
  constructor(code: MonbanErrorCode, message: string, status?: number, options?: { cause?: unknown });
  name: "MonbanError";
  /** Stable, for programs: switch on it. */
  readonly code: MonbanErrorCode;
  /** The HTTP status; 0 when there was no HTTP answer (`network_error`, or decided locally). */
  readonly status: number;
  /** The server's message: short and safe to show a user. */
  message: string;
}

// --- options -------------------------------------------------------------------------------

/** Where token mode keeps its tokens; `localStorage` and `sessionStorage` fit. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface LocationLike {
  href: string;
  origin: string;
  pathname: string;
  search: string;
  hash: string;
  assign(url: string): void;
}

export interface HistoryLike {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string | null): void;
}

export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/** What the client passes to `fetch`. */
export interface RequestInitLike {
  method: "GET" | "POST";
  headers: Record<string, string>;
  credentials: "include";
  body?: string;
}

export type FetchLike = (url: string, init: RequestInitLike) => Promise<ResponseLike>;

export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface StorageEventTarget {
  addEventListener(type: "storage", listener: (event: { key: string | null }) => void): void;
  removeEventListener(type: "storage", listener: (event: { key: string | null }) => void): void;
}

/** `navigator.credentials`. */
export interface CredentialsContainerLike {
  get(options?: object): Promise<unknown>;
  create(options?: object): Promise<unknown>;
}

/** The `PublicKeyCredential` interface object; its JSON parsers are used when the browser has them. */
export interface PublicKeyCredentialStaticLike {
  parseRequestOptionsFromJSON?(options: object): unknown;
  parseCreationOptionsFromJSON?(options: object): unknown;
}

export interface LockManagerLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
}

export interface ClientOptions {
  /** The API's origin, e.g. `"https://auth.example.com"`. Default `""`: the page's own origin. */
  baseUrl?: string;
  /** Keep tokens in `storage` and send them as bearer tokens (server: `MONBAN_TOKEN_MODE=true`). Default false. */
  tokenMode?: boolean;
  /** Token mode: where the tokens live. Default: `localStorage` when there is one, else memory. */
  storage?: TokenStorage;
  /** Prefix of storage keys, the BroadcastChannel's and the lock's name. Default `"monban"`. */
  storageKey?: string;
  /** Default: `globalThis.fetch`. */
  fetch?: FetchLike;
  // Seams for tests and unusual hosts; the defaults are the browser's.
  /** Default: `globalThis.location`. */
  location?: LocationLike;
  /** Used to remove tokens from the URL fragment. Default: `globalThis.history`. */
  history?: HistoryLike;
  /** How to send the browser somewhere. Default: `location.assign(url)`. */
  navigate?: (url: string) => void;
  /** Cross-tab notices; `null` falls back to `storage` events. Default: `globalThis.BroadcastChannel`. */
  BroadcastChannel?: (new (name: string) => BroadcastChannelLike) | null;
  /** Where `storage` events arrive when there is no BroadcastChannel. Default: `globalThis`. */
  window?: StorageEventTarget | null;
  /** Serialises token refreshes across tabs. Default: `navigator.locks`; `null` for none. */
  locks?: LockManagerLike | null;
  /** The clock, in milliseconds since the epoch. Default: `Date.now`. */
  now?: () => number;
  /** Passkeys: where WebAuthn requests go. Default: `navigator.credentials`; `null` for none. */
  credentials?: CredentialsContainerLike | null;
  /** Passkeys: WebAuthn's interface object. Default: `globalThis.PublicKeyCredential`; `null` for none. */
  PublicKeyCredential?: PublicKeyCredentialStaticLike | (abstract new (...args: never[]) => unknown) | null;
}

// --- the client ------------------------------------------------------------------------------

export interface MonbanClient {
  /**
   * The current session, or null when signed out (never an error for a signed-out
   * visitor). Token mode: null without a request when no tokens are stored; picks up the
   * tokens the hosted-UI callback put in the URL fragment (and removes them from the URL);
   * refreshes first when the access token is about to expire.
   */
  getSession(): Promise<Session | null>;
  /** Sends the browser to managed login (`GET /auth/sign-in`). */
  signInWithRedirect(options?: SignInWithRedirectOptions): void;
  /**
   * The identity providers `signInWithRedirect({ provider })` may name besides `COGNITO`
   * (`GET /auth/providers`, the server's `MONBAN_IDENTITY_PROVIDERS`), in the server's
   * order; empty when there are none. For showing "Sign in with Google" only when it works.
   */
  providers(): Promise<string[]>;
  /** Password sign-in: a session, or a challenge to answer with {@link answerChallenge}. */
  signIn(input: SignInInput): Promise<SignInOutcome>;
  /** Answers the pending challenge; the outcome may be the next challenge (they chain). */
  answerChallenge(answer: ChallengeAnswer): Promise<SignInOutcome>;
  /**
   * Starts a choice-based sign-in: with `factor`, that factor's prompt (`WEB_AUTHN`,
   * `EMAIL_OTP` with the code on its way, `PASSWORD`); without, `SELECT_CHALLENGE`. An
   * unknown address gets a prompt like a known one's. Answer with {@link answerChallenge}.
   */
  startSignIn(input: StartSignInInput): Promise<SignInOutcome>;
  /**
   * Signs in with a passkey: starts the sign-in (or answers the pending `SELECT_CHALLENGE`),
   * asks the browser for the passkey (`navigator.credentials.get`) and sends its answer.
   * Resolves with the session, or with another challenge when the server offered something
   * else (the account has no passkey). Rejects with `passkey_cancelled` when the user did
   * not use one; call again without a name to retry the same sign-in.
   */
  signInWithPasskey(input?: SignInWithPasskeyInput): Promise<SignInOutcome>;
  /** Starts a sign-in by e-mail code: the outcome is normally the `EMAIL_OTP` challenge (where the code went). */
  sendEmailCode(input: Identity): Promise<SignInOutcome>;
  /** Answers the pending `EMAIL_OTP` challenge with the code from the e-mail. */
  answerEmailCode(code: string | { code: string }): Promise<SignInOutcome>;
  signUp(input: SignUpInput): Promise<SignUpResult>;
  confirmSignUp(input: ConfirmSignUpInput): Promise<void>;
  /** Sends the sign-up code again. */
  resendCode(input: Identity): Promise<Delivery>;
  /** Sends a password-reset code (the same answer whether or not the account exists). */
  forgotPassword(input: Identity): Promise<void>;
  confirmForgotPassword(input: ConfirmForgotPasswordInput): Promise<void>;
  changePassword(input: ChangePasswordInput): Promise<void>;
  /** Starts adding an authenticator app; finish with {@link verifyTotp}. */
  setUpTotp(): Promise<TotpSetup>;
  /** Checks the app's first code and makes it the user's second factor. */
  verifyTotp(input: VerifyTotpInput): Promise<void>;
  /** Whether this browser can use passkeys (WebAuthn); no request is made. */
  passkeysSupported(): boolean;
  /**
   * Adds a passkey for the signed-in user: the server's creation options, the browser's
   * `navigator.credentials.create`, and its answer back to the server.
   */
  registerPasskey(options?: RegisterPasskeyOptions): Promise<void>;
  /** The signed-in user's passkeys. */
  listPasskeys(): Promise<Passkey[]>;
  /** Deletes one of the signed-in user's passkeys, by its `id`. */
  deletePasskey(id: string): Promise<void>;
  /**
   * The signed-in user's attributes, as the user pool keeps them. A refused session
   * (`unauthenticated`: the account deleted, or signed out everywhere) signs this page out:
   * listeners hear null. The same holds for the other account functions below.
   */
  profile(): Promise<Profile>;
  /**
   * Changes attributes, e.g. `{ name: "Ada" }` or `{ email: "new@example.com" }`; the app
   * client's write attributes decide which may change (`forbidden` names the one that may
   * not). A new e-mail address gets a code (see `verification`) and replaces the old one
   * only once confirmed with {@link verifyAttribute}. Then the session follows the change:
   * listeners hear the refreshed session.
   */
  updateProfile(attributes: Record<string, string>): Promise<ProfileUpdate>;
  /** Confirms a changed attribute with the code sent to it; listeners hear the refreshed session. */
  verifyAttribute(attribute: VerifiableAttribute, code: string): Promise<{ attributes: Record<string, string> }>;
  /** Sends the code confirming a changed attribute again. */
  resendAttributeCode(attribute: VerifiableAttribute): Promise<{ verification: AttributeDelivery[] }>;
  /**
   * Deletes the signed-in user's account, then signs out here and in every tab. Needs the
   * password unless the user signed in a few minutes ago: otherwise `reauthentication_required`
   * (also when the password sign-in would need a second factor: sign in again, then delete).
   * A wrong password is `invalid_credentials` and keeps the session.
   */
  deleteAccount(input?: DeleteAccountInput): Promise<{ deleted: true }>;
  /** Forces a refresh; rejects with `unauthenticated` when the session has ended. */
  refresh(): Promise<Session>;
  /**
   * An access token for `Authorization: Bearer` calls to other APIs, or null when signed
   * out. Token mode: the stored one (refreshed when due). Cookie mode: `GET /auth/token`
   * (the server needs `MONBAN_TOKEN_ENDPOINT=true`, else `not_found`), cached until near expiry.
   */
  getAccessToken(): Promise<string | null>;
  /**
   * Signs out: revokes the refresh token, clears the session, tells other tabs, then (unless
   * `redirect: false`) goes to Cognito's /logout. Rejections with `network_error`,
   * `invalid_request` or `forbidden_origin` changed nothing; `unauthenticated` or
   * `upstream_unavailable` (a failed global sign-out) still signed this browser out.
   */
  signOut(options?: SignOutOptions): Promise<SignOutResult>;
  /**
   * Calls `callback` with the new session (or null) after a sign-in, a challenge answered,
   * a sign-up that signed in, a refresh, a profile change, a sign-out and an account
   * deleted, in this tab and in every other tab of the site. Returns the function that
   * unsubscribes.
   */
  onSessionChange(callback: (session: Session | null) => void): () => void;
}

/** A client with its own options, independent of the default one the named functions use. */
export function createClient(options?: ClientOptions): MonbanClient;
/** Replaces the default client's options. Its listeners stay subscribed. */
export function configure(options?: ClientOptions): void;

// The default client's methods (details on MonbanClient).

/** The current session, or null when signed out (never an error for a signed-out visitor). */
export function getSession(): Promise<Session | null>;
/** Sends the browser to managed login (`GET /auth/sign-in`). */
export function signInWithRedirect(options?: SignInWithRedirectOptions): void;
/** The identity providers `signInWithRedirect({ provider })` may name besides `COGNITO`. */
export function providers(): Promise<string[]>;
/** Password sign-in: a session, or a challenge to answer with {@link answerChallenge}. */
export function signIn(input: SignInInput): Promise<SignInOutcome>;
/** Answers the pending challenge; the outcome may be the next challenge. */
export function answerChallenge(answer: ChallengeAnswer): Promise<SignInOutcome>;
/** Starts a choice-based sign-in: the factor's prompt, or `SELECT_CHALLENGE` without one. */
export function startSignIn(input: StartSignInInput): Promise<SignInOutcome>;
/** Signs in with a passkey (the browser's `navigator.credentials.get` included). */
export function signInWithPasskey(input?: SignInWithPasskeyInput): Promise<SignInOutcome>;
/** Starts a sign-in by e-mail code; the outcome is normally the `EMAIL_OTP` challenge. */
export function sendEmailCode(input: Identity): Promise<SignInOutcome>;
/** Answers the pending `EMAIL_OTP` challenge with the code from the e-mail. */
export function answerEmailCode(code: string | { code: string }): Promise<SignInOutcome>;
/** Registers a user and, when confirmed at once and `signIn` is not false, signs in. */
export function signUp(input: SignUpInput): Promise<SignUpResult>;
/** Confirms a sign-up with the code sent to the user. Does not sign in. */
export function confirmSignUp(input: ConfirmSignUpInput): Promise<void>;
/** Sends the sign-up code again. */
export function resendCode(input: Identity): Promise<Delivery>;
/** Sends a password-reset code (the same answer whether or not the account exists). */
export function forgotPassword(input: Identity): Promise<void>;
/** Sets a new password with the reset code. Does not sign in. */
export function confirmForgotPassword(input: ConfirmForgotPasswordInput): Promise<void>;
/** Changes the signed-in user's password. */
export function changePassword(input: ChangePasswordInput): Promise<void>;
/** Starts adding an authenticator app; finish with {@link verifyTotp}. */
export function setUpTotp(): Promise<TotpSetup>;
/** Checks the app's first code and makes it the user's second factor. */
export function verifyTotp(input: VerifyTotpInput): Promise<void>;
/** Whether this browser can use passkeys (WebAuthn); no request is made. */
export function passkeysSupported(): boolean;
/** Adds a passkey for the signed-in user (the browser's `navigator.credentials.create` included). */
export function registerPasskey(options?: RegisterPasskeyOptions): Promise<void>;
/** The signed-in user's passkeys. */
export function listPasskeys(): Promise<Passkey[]>;
/** Deletes one of the signed-in user's passkeys, by its `id`. */
export function deletePasskey(id: string): Promise<void>;
/** The signed-in user's attributes, as the user pool keeps them. */
export function profile(): Promise<Profile>;
/** Changes attributes; a new e-mail address takes effect once confirmed with {@link verifyAttribute}. */
export function updateProfile(attributes: Record<string, string>): Promise<ProfileUpdate>;
/** Confirms a changed attribute with the code sent to it. */
export function verifyAttribute(attribute: VerifiableAttribute, code: string): Promise<{ attributes: Record<string, string> }>;
/** Sends the code confirming a changed attribute again. */
export function resendAttributeCode(attribute: VerifiableAttribute): Promise<{ verification: AttributeDelivery[] }>;
/** Deletes the signed-in user's account (the password, or a recent sign-in), then signs out everywhere. */
export function deleteAccount(input?: DeleteAccountInput): Promise<{ deleted: true }>;
/** Forces a refresh; rejects with `unauthenticated` when the session has ended. */
export function refresh(): Promise<Session>;
/** An access token for `Authorization: Bearer` calls to other APIs, or null when signed out. */
export function getAccessToken(): Promise<string | null>;
/** Signs out here and in every tab, then (unless `redirect: false`) goes to Cognito's /logout. */
export function signOut(options?: SignOutOptions): Promise<SignOutResult>;
/** Calls `callback` with the new session (or null) on every change, in every tab; returns the unsubscribe function. */
export function onSessionChange(callback: (session: Session | null) => void): () => void;

// WebAuthn's JSON forms carry bytes as base64url; these convert, for pages that call
// navigator.credentials themselves.

/** Bytes as base64url without padding (RFC 4648 §5). */
export function toBase64url(bytes: ArrayBuffer | ArrayBufferView): string;
/** A base64url string (padding optional) as bytes; throws a TypeError when it is not base64url. */
export function fromBase64url(text: string): ArrayBuffer;
