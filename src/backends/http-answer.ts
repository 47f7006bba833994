// What a backend's answer means for a batch (README, "Backends": the answers table), written once for every backend: an HTTP status and,
// for the object stores, the service's error code (S3's Code, Azure's x-ms-error-code).
import { parseRetryAfter } from '../ship/retry.js';
import type { SendResult } from './types.js';

export interface Answer {
  status: number;
  retryAfter?: string | null;
  /** A short, secret-free description of the server's answer. */
  detail?: string;
  /** The service's error code, when it gives one (RequestTimeout, AuthorizationHeaderMalformed, ContainerNotFound…). */
  code?: string;
}

/**
 * Settings to name when an answer says the configuration is wrong: the credentials, the target (bucket, container,
 * endpoint) and, for object stores, the region. `recordErrors`: whether the service judges records one by one
 * (the Amberflo API does; an object store stores any bytes, so a 4xx there is never about the records).
 */
export interface AnswerSettings { credentials: string; target: string; region?: string; recordErrors: boolean }

/** Service error codes that say "try again": the same request can succeed later. */
const RETRY_CODES = new Set(['RequestTimeout', 'SlowDown', 'ServiceUnavailable', 'InternalError', 'OperationAborted', 'Throttling',
  'ThrottlingException', 'TooManyRequests', 'RequestLimitExceeded', 'ServerBusy', 'OperationTimedOut', 'InternalServerError',
  'IncompleteBody', 'RequestTimeoutException', 'PriorRequestNotComplete']);
/** Service error codes that say the request can never succeed as configured, with the setting to check. */
const CONFIG_CODES: Record<string, keyof AnswerSettings | string> = {
  AuthorizationHeaderMalformed: 'region', PermanentRedirect: 'region', IllegalLocationConstraintException: 'region', Redirect: 'region',
  NoSuchBucket: 'target', InvalidBucketName: 'target', ContainerNotFound: 'target', InvalidResourceName: 'target', ContainerBeingDeleted: 'target',
  InvalidAccessKeyId: 'credentials', SignatureDoesNotMatch: 'credentials', AccessDenied: 'credentials', ExpiredToken: 'credentials',
  InvalidToken: 'credentials', AuthenticationFailed: 'credentials', AuthorizationFailure: 'credentials', AccountIsDisabled: 'credentials',
  AuthorizationPermissionMismatch: 'credentials', InvalidSecurity: 'credentials', TokenRefreshRequired: 'credentials',
  RequestTimeTooSkewed: "the host's clock (it is too far from the service's)",
  AccessControlListNotSupported: 'AFLO_S3_ACL', InvalidArgument: 'AFLO_S3_ACL or AWS_ENDPOINT_URL',
};
const TOO_LARGE_CODES = new Set(['EntityTooLarge', 'RequestBodyTooLarge', 'MaxMessageLengthExceeded']);
/** Statuses that say the endpoint, a proxy or the protocol is wrong, whatever is sent. */
const CONFIG_STATUSES = new Set([404, 405, 407, 410, 411, 414, 421, 426, 431, 451, 501, 505]);

export function classify(a: Answer, settings: AnswerSettings, now: number): SendResult {
  const what = a.code && a.detail !== a.code ? `${a.code}${a.detail ? `: ${a.detail}` : ''}` : a.detail;
  const reason = `HTTP ${a.status}${what ? `: ${what.slice(0, 300)}` : ''}`;
  if (a.status >= 200 && a.status < 300) return { kind: 'accepted' };
  const configured = a.code !== undefined ? CONFIG_CODES[a.code] : undefined;
  if (configured !== undefined) {
    const setting = configured in settings ? String(settings[configured as keyof AnswerSettings] ?? settings.target) : configured;
    return { kind: 'misconfigured', status: a.status, reason, setting };
  }
  if ((a.code !== undefined && RETRY_CODES.has(a.code)) || a.status === 408 || a.status === 429 || (a.status >= 500 && !CONFIG_STATUSES.has(a.status))) {
    return { kind: 'retry', reason, afterMs: parseRetryAfter(a.retryAfter, now), ...(a.status === 429 ? { rateLimited: true } : {}) };
  }
  if (a.status === 413 || (a.code !== undefined && TOO_LARGE_CODES.has(a.code))) return { kind: 'too_large', reason };
  if (a.status === 401 || a.status === 403) return { kind: 'misconfigured', status: a.status, reason, setting: settings.credentials };
  // The endpoint, a proxy or the protocol is wrong: every batch would fail alike, so keep them and name the setting.
  if (CONFIG_STATUSES.has(a.status)) {
    const setting = a.status === 407 ? `${settings.target} (a proxy asks for authentication: HTTPS_PROXY / NO_PROXY)` : settings.target;
    return { kind: 'misconfigured', status: a.status, reason, setting };
  }
  // Only a service that judges records can refuse these records; from an object store a 4xx is about the request.
  if (a.status >= 400 && a.status < 500) {
    if (settings.recordErrors) return { kind: 'rejected', status: a.status, reason };
    return { kind: 'misconfigured', status: a.status, reason, setting: settings.region ? `${settings.target} / ${settings.region}` : settings.target };
  }
  return { kind: 'retry', reason };
}

/** A network-level failure (refused, reset, timeout, DNS) is always worth retrying. */
export function networkFailure(err: unknown, what: string): SendResult {
  return { kind: 'retry', reason: `${what}: ${networkCause(err)}` };
}

/** What went wrong below HTTP, as the system names it: ECONNREFUSED, ENOTFOUND, ECONNRESET, timed out... */
export function networkCause(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  const code = e?.cause?.code ?? e?.cause?.errors?.find((x) => x.code)?.code ?? e?.code ?? e?.cause?.message ?? e?.name ?? 'error';
  return code === 'TimeoutError' || code === 'AbortError' ? 'timed out' : code;
}
