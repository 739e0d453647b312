// The `ec2` detector (spec: alloy-components.md §2.5) and the EC2 instance metadata service
// (IMDS) client it shares with `eks`. The client follows the AWS SDK for Go v2 upstream uses:
//   - address: http://169.254.169.254, or http://[fd00:ec2::254] when
//     AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6, or any base URL in
//     AWS_EC2_METADATA_SERVICE_ENDPOINT (the SDKs' override; tests point it at 127.0.0.1);
//     AWS_EC2_METADATA_DISABLED=true turns the client off;
//   - IMDSv2: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds, then every GET
//     carries X-aws-ec2-metadata-token. When the token request fails in any way but HTTP 400 the
//     SDK falls back to IMDSv1 (no token), and so does this client;
//   - retries: the SDK's standard retryer (`max_attempts`, `max_backoff`, jittered exponential
//     backoff). Only answers that say "try again" (429, 5xx) are retried here: a host without
//     IMDS refuses or times out, and retrying that would only delay startup elsewhere.
//
// Detection as upstream: instance-id unavailable → not on EC2; then the identity document and
// the hostname, whose failure is an error; fields missing from the document are left out.
// `tags` (regexes over tag keys) adds `ec2.tag.<key>`: read from IMDS when `tags_from_imds`
// is true; the default source, the EC2 DescribeTags API, needs AWS credentials and request
// signing, which solder does not do (warned at load and at detection). Tag failures are warnings.

import { onlyEnabled, type DetectContext, type Detection, type Detector } from "../detector.ts";
import { attr, t } from "../../../../../runtime/schema.ts";
import { absent, compileRegex, matchesAny, regexProblems, send, sleep, StatusError, type Reply } from "./metadata_http.ts";

const TOKEN_TTL_SECONDS = "21600";

export interface RetryPolicy {
  maxAttempts: number;
  /** Milliseconds. */
  maxBackoff: number;
}

/** A connection to IMDS; paths are relative to /latest/ (e.g. `meta-data/instance-id`). */
export interface Imds {
  readonly base: string;
  get(path: string): Promise<string>;
}

/** The IMDS base URL for this environment; undefined when AWS_EC2_METADATA_DISABLED is true. */
export function imdsBase(ctx: DetectContext): string | undefined {
  if (ctx.env("AWS_EC2_METADATA_DISABLED")?.trim().toLowerCase() === "true") return undefined;
  const endpoint = ctx.env("AWS_EC2_METADATA_SERVICE_ENDPOINT")?.trim();
  if (endpoint) return endpoint.replace(/\/+$/, "");
  return ctx.env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?.trim().toLowerCase() === "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
}

/** Opens IMDS with `retry`; undefined when disabled. The session token is fetched once, lazily. */
export function openImds(ctx: DetectContext, retry: RetryPolicy): Imds | undefined {
  const base = imdsBase(ctx);
  if (base === undefined) return undefined;
  let token: Promise<string | undefined> | undefined;
  return {
    base,
    async get(path) {
      token ??= fetchToken(ctx, base, retry);
      const session = await token;
      const url = `${base}/latest/${path}`;
      const headers: Record<string, string> = session === undefined ? {} : { "X-aws-ec2-metadata-token": session };
      const reply = await withRetry(ctx, retry, () => send(ctx, url, { headers }));
      if (reply.status !== 200) throw new StatusError(reply.status, url);
      return reply.body;
    },
  };
}

/** An IMDSv2 token, or undefined to carry on with IMDSv1 (SDK fallback). HTTP 400 is fatal. */
async function fetchToken(ctx: DetectContext, base: string, retry: RetryPolicy): Promise<string | undefined> {
  const url = `${base}/latest/api/token`;
  let reply: Reply;
  try {
    reply = await withRetry(ctx, retry, () => send(ctx, url, { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS } }));
  } catch (err) {
    ctx.logger.debug("IMDSv2 token request failed; falling back to IMDSv1", { error: (err as Error).message });
    return undefined;
  }
  if (reply.status === 200) return reply.body;
  if (reply.status === 400) throw new StatusError(400, url);
  ctx.logger.debug("IMDSv2 token request refused; falling back to IMDSv1", { status: reply.status });
  return undefined;
}

/** Repeats `attempt` while it answers 429/5xx and attempts remain, with the SDK's jittered backoff. */
async function withRetry(ctx: DetectContext, retry: RetryPolicy, attempt: () => Promise<Reply>): Promise<Reply> {
  const attempts = Math.max(1, retry.maxAttempts);
  for (let n = 1; ; n++) {
    const reply = await attempt();
    const retryable = reply.status === 429 || reply.status >= 500;
    if (!retryable || n >= attempts || ctx.signal.aborted) return reply;
    await sleep(backoff(n, retry.maxBackoff), ctx.signal);
  }
}

/** The standard retryer's delay before retry `n`: random [0, 2^n) seconds, capped at maxBackoff. */
function backoff(n: number, maxBackoff: number): number {
  return Math.min(maxBackoff, Math.random() * 2 ** n * 1000);
}

/** The instance identity document fields the detectors use. */
export interface IdentityDocument {
  accountId?: string;
  availabilityZone?: string;
  imageId?: string;
  instanceId?: string;
  instanceType?: string;
  region?: string;
}

/** Parses /latest/dynamic/instance-identity/document; missing fields stay undefined (as upstream). */
export function parseIdentityDocument(text: string): IdentityDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`malformed JSON in the EC2 instance identity document: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error("malformed EC2 instance identity document: not a JSON object");
  const d = doc as Record<string, unknown>;
  const pick = (k: keyof IdentityDocument) => (typeof d[k] === "string" ? (d[k] as string) : undefined);
  return {
    accountId: pick("accountId"),
    availabilityZone: pick("availabilityZone"),
    imageId: pick("imageId"),
    instanceId: pick("instanceId"),
    instanceType: pick("instanceType"),
    region: pick("region"),
  };
}

// ---- the detector ------------------------------------------------------------------------------

/** Decoded `ec2` block. */
export interface Ec2Args {
  tags: string[];
  tags_from_imds: boolean;
  max_attempts: number;
  /** Milliseconds. */
  max_backoff: number;
  fail_on_missing_metadata: boolean;
}

const TAG_PREFIX = "ec2.tag.";
const DESCRIBE_TAGS_UNSUPPORTED = "ec2 `tags` are read only from IMDS in solder (set tags_from_imds = true); the EC2 DescribeTags API is not called";

/** `ec2`: the instance identity document and hostname from IMDS, plus selected instance tags. */
export const ec2Detector: Detector<Ec2Args> = {
  name: "ec2",
  block: {
    attrs: {
      tags: attr(t.list(t.string), []),
      tags_from_imds: attr(t.bool, false),
      max_attempts: attr(t.int, 3),
      max_backoff: attr(t.duration, 20_000),
      fail_on_missing_metadata: attr(t.bool, false),
    },
    validate: (a: Ec2Args) => [...regexProblems("tags", a.tags), ...(a.max_attempts < 0 ? ["max_attempts must not be negative"] : [])],
    warn: (a: Ec2Args) => (a.tags.length > 0 && !a.tags_from_imds ? [DESCRIBE_TAGS_UNSUPPORTED] : []),
  },
  attributes: {
    "cloud.account.id": true,
    "cloud.availability_zone": true,
    "cloud.platform": true,
    "cloud.provider": true,
    "cloud.region": true,
    "host.id": true,
    "host.image.id": true,
    "host.name": true,
    "host.type": true,
  },
  async detect(ctx, args, enabled): Promise<Detection> {
    const imds = openImds(ctx, retryPolicy(args));
    if (imds === undefined) return absent(ctx, "ec2", "IMDS is disabled by AWS_EC2_METADATA_DISABLED", args.fail_on_missing_metadata);
    try {
      await imds.get("meta-data/instance-id");
    } catch (err) {
      return absent(ctx, "ec2", `EC2 metadata unavailable: ${(err as Error).message}`, args.fail_on_missing_metadata);
    }
    const doc = await step("failed getting identity document", async () => parseIdentityDocument(await imds.get("dynamic/instance-identity/document")));
    const hostname = await step("failed getting hostname", () => imds.get("meta-data/hostname"));
    const attributes = onlyEnabled(
      {
        "cloud.provider": "aws",
        "cloud.platform": "aws_ec2",
        "cloud.region": doc.region,
        "cloud.account.id": doc.accountId,
        "cloud.availability_zone": doc.availabilityZone,
        "host.id": doc.instanceId,
        "host.image.id": doc.imageId,
        "host.type": doc.instanceType,
        "host.name": hostname,
      },
      enabled,
    );
    if (args.tags.length > 0) Object.assign(attributes, await instanceTags(ctx, imds, args));
    return { attributes, schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};

/** The retry settings of an `ec2` block; 0 attempts means the SDK default, 3. */
export function retryPolicy(a: { max_attempts: number; max_backoff: number }): RetryPolicy {
  return { maxAttempts: a.max_attempts > 0 ? a.max_attempts : 3, maxBackoff: a.max_backoff };
}

/** Runs `fn`, prefixing a failure with `what` (upstream's messages). */
async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** `ec2.tag.<key>` for the instance tags whose keys match `tags`; failures only warn (upstream). */
async function instanceTags(ctx: DetectContext, imds: Imds, args: Ec2Args): Promise<Record<string, string>> {
  if (!args.tags_from_imds) {
    ctx.logger.warn("failed fetching ec2 instance tags", { error: DESCRIBE_TAGS_UNSUPPORTED });
    return {};
  }
  const regexes = args.tags.map(compileRegex);
  const out: Record<string, string> = {};
  try {
    // One key per line; the list is only there when the instance allows tags in metadata.
    const keys = (await imds.get("meta-data/tags/instance")).split("\n").map((k) => k.trim());
    for (const key of keys.filter((k) => k !== "" && matchesAny(regexes, k))) {
      out[TAG_PREFIX + key] = await imds.get(`meta-data/tags/instance/${encodeURIComponent(key)}`);
    }
  } catch (err) {
    ctx.logger.warn("failed fetching ec2 instance tags", { error: (err as Error).message });
    return {};
  }
  return out;
}
