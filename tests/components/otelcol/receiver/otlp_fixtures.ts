// Helpers for the otelcol.receiver.otlp tests: arguments decoded from Alloy text, a capturing
// consumer that keeps what it got (decoded, for content assertions), and a running receiver on
// 127.0.0.1 with ephemeral ports.

import { otlpReceiver, type OtlpReceiverArgs } from "../../../../src/components/otelcol/receiver/otlp.ts";
import type { Batch, ClientMetadata, Signal } from "../../../../src/otlp/batch.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import type { Component } from "../../../../src/runtime/component.ts";
import { decodeBody } from "../../../../src/runtime/decode.ts";
import type { EvalError } from "../../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import { parseFile } from "../../../../src/syntax/parser.ts";
import { type Flat, flatten } from "../../../otlp/fixtures.ts";

export { flatten, logsBytes, metricsBytes, traces, tracesBytes, logs, metrics } from "../../../otlp/fixtures.ts";

/** Decodes a receiver block body written in Alloy syntax. */
export function decodeArgs(text: string): { args: OtlpReceiverArgs; errors: string[] } {
  const { file, diagnostics } = parseFile("test.alloy", text);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, otlpReceiver.args, {}, file, problems) as unknown as OtlpReceiverArgs;
  return { args, errors: problems.filter((p) => p.severity === "error").map((p) => p.message) };
}

/** What the capturing consumer got in one call. */
export interface Captured {
  signal: Signal;
  flat: Flat;
  metadata: ClientMetadata;
}

/** A consumer that records every batch; `failures` are thrown, in order, by the next calls. */
export class Capture implements Consumer {
  readonly received: Captured[] = [];
  readonly failures: unknown[] = [];

  consumeTraces = (b: Batch<"traces">) => this.take(b);
  consumeMetrics = (b: Batch<"metrics">) => this.take(b);
  consumeLogs = (b: Batch<"logs">) => this.take(b);

  /** Every item received for `signal`, flattened with its resource and scope. */
  items(signal: Signal): Flat {
    return this.received.filter((r) => r.signal === signal).flatMap((r) => r.flat);
  }

  private async take(b: Batch<Signal>): Promise<void> {
    if (this.failures.length > 0) throw this.failures.shift();
    this.received.push({ signal: b.signal, flat: flatten(b.signal, b.toBinary()), metadata: b.metadata });
  }
}

/** A running receiver. */
export interface Started {
  /** `http://127.0.0.1:<port>` (https with TLS), when the http block is present. */
  httpUrl: string;
  /** `127.0.0.1:<port>`, when the grpc block is present. */
  grpcAddress: string;
  component: Component<OtlpReceiverArgs>;
  metrics: MetricsRegistry;
  logs: string[];
  /** Applies new arguments (decoded from text, outputs as given). */
  update(text: string, outputs?: Signal[]): Promise<void>;
  stop(): Promise<void>;
}

/** Decodes `text`, wires `capture` to `outputs`, builds and runs the component. */
export async function startReceiver(text: string, capture: Consumer, outputs: Signal[] = ["traces", "metrics", "logs"]): Promise<Started> {
  const args = argsWith(text, capture, outputs);
  const sink = memorySink();
  const metrics = new MetricsRegistry();
  const component = await otlpReceiver.build(
    {
      id: "otelcol.receiver.otlp.test",
      dataPath: "/nonexistent",
      logger: createLogger(sink, { component_id: "otelcol.receiver.otlp.test" }),
      metrics: metrics.with({ component_id: "otelcol.receiver.otlp.test" }),
      onStateChange() {},
    },
    args,
  );
  const abort = new AbortController();
  const running = component.run(abort.signal);
  await waitFor(() => addressesReady(component, args));
  const started: Started = {
    httpUrl: "",
    grpcAddress: "",
    component,
    metrics,
    logs: sink.lines,
    async update(next, outs = outputs) {
      const a = argsWith(next, capture, outs);
      await component.update(a);
      refresh(started, component, a);
    },
    async stop() {
      abort.abort();
      await running;
    },
  };
  refresh(started, component, args);
  return started;
}

function argsWith(text: string, capture: Consumer, outputs: Signal[]): OtlpReceiverArgs {
  const { args, errors } = decodeArgs(text);
  if (errors.length > 0) throw new Error(errors.join("; "));
  for (const s of outputs) args.output[s] = [capture];
  return args;
}

function addressesReady(c: Component<OtlpReceiverArgs>, args: OtlpReceiverArgs): boolean {
  const info = (c.debugInfo?.() ?? {}) as Record<string, string>;
  return (!args.grpc || info.grpc !== undefined) && (!args.http || info.http !== undefined);
}

function refresh(s: Started, c: Component<OtlpReceiverArgs>, args: OtlpReceiverArgs): void {
  const info = (c.debugInfo?.() ?? {}) as Record<string, string>;
  s.httpUrl = info.http ? `${args.http?.tls ? "https" : "http"}://${info.http}` : "";
  s.grpcAddress = info.grpc ?? "";
}

/** Polls until `check` holds (2 s at most). */
export async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The value of one series in the Prometheus text, or undefined. */
export function sample(metrics: MetricsRegistry, name: string, labels: Record<string, string>): number | undefined {
  for (const line of metrics.expose().split("\n")) {
    if (!line.startsWith(name + "{")) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

/** Test-only PKI (ECDSA P-256, valid until 2126): a CA, a server cert for localhost/127.0.0.1, a client cert. */
export const CA_CERT = `-----BEGIN CERTIFICATE-----
MIIBiDCCAS+gAwIBAgIUVKgpIg3AuB2ZPrcZl63j1ddkpEUwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOc29sZGVyIHRlc3QgQ0EwIBcNMjYxMTI1MTYzMzEyWhgPMjEy
NjExMDExNjMzMTJaMBkxFzAVBgNVBAMMDnNvbGRlciB0ZXN0IENBMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEGrSykTuTJvt9yviK1/1vdtFwffOiWF3RLwzUpQbF
uyZz/Bi8xKotlO6XNx87Qzw/OvUtGLQHdMqNTednsVQJK6NTMFEwHQYDVR0OBBYE
FMwehbXt7qYYid0s0l9otEGp7MiqMB8GA1UdIwQYMBaAFMwehbXt7qYYid0s0l9o
tEGp7MiqMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgb8V7M2fp
FEePMp/zPOKZ2TMjoE2qWlJh859rRwb95KUCICcxxDZnaYWns5E2GPeceWsusrWh
3P/eHqIPI7FznNGy
-----END CERTIFICATE-----
`;
export const SERVER_CERT = `-----BEGIN CERTIFICATE-----
MIIBpDCCAUqgAwIBAgIUVjr5d8Tl+ap+yA/BhrHS9kZd0TAwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOc29sZGVyIHRlc3QgQ0EwIBcNMjYxMTI1MTYzMzEyWhgPMjEy
NjExMDExNjMzMTJaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABCOZVOMjmWP3G0VENO4mqrxsaKwKMmrQ3kKGCyUja0b7e/O5
jblWRAPbSX3HhhQjxBQ6bXT2/Rm56Gx6dIsQHrWjczBxMBoGA1UdEQQTMBGCCWxv
Y2FsaG9zdIcEfwAAATATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQUj7Ia
84haLLtEjyNaVA43rEAWTCAwHwYDVR0jBBgwFoAUzB6Fte3uphiJ3SzSX2i0Qans
yKowCgYIKoZIzj0EAwIDSAAwRQIhAJu94fZJCfYbBU2vTQKS/ihzkVQs2Up+imFB
il34CqzIAiA8l5UMI/uhb0NigVy3gN+QZggQxOTJDjqRilXs7JIzHQ==
-----END CERTIFICATE-----
`;
export const SERVER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgXNKaF4NuFRY/rTCw
gbGxVNNJLvxHpuRsDvCtAT/SDwihRANCAAQjmVTjI5lj9xtFRDTuJqq8bGisCjJq
0N5ChgslI2tG+3vzuY25VkQD20l9x4YUI8QUOm109v0ZuehsenSLEB61
-----END PRIVATE KEY-----
`;
export const CLIENT_CERT = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIUVjr5d8Tl+ap+yA/BhrHS9kZd0TEwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOc29sZGVyIHRlc3QgQ0EwIBcNMjYxMTI1MTYzMzEyWhgPMjEy
NjExMDExNjMzMTJaMBExDzANBgNVBAMMBmNsaWVudDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABI9eOe7s5TB1iTyGWjKWrgCoFJ4n7hFXrFmNsvh/0wtG9Nr2LZ25
tCB4quN/FZIw8R6SBazmWzt1LXa8Icfp9myjVzBVMBMGA1UdJQQMMAoGCCsGAQUF
BwMCMB0GA1UdDgQWBBSULcAPY3dDmMHLdWhj1Jf0TQ3hJDAfBgNVHSMEGDAWgBTM
HoW17e6mGIndLNJfaLRBqezIqjAKBggqhkjOPQQDAgNIADBFAiEAga3Sd7thpw1x
DJWtP9WvCW8F6ds669fZ+KMI2vr+1qYCIHzrJwHQeysvn8bitlbKdMzfK7E7jL9F
7dNQ4OLwifwT
-----END CERTIFICATE-----
`;
export const CLIENT_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQglD5S3UkeL+ruE27K
hesp69ki2jT23ah7rrUdh2K0+SuhRANCAASPXjnu7OUwdYk8hloylq4AqBSeJ+4R
V6xZjbL4f9MLRvTa9i2dubQgeKrjfxWSMPEekgWs5ls7dS12vCHH6fZs
-----END PRIVATE KEY-----
`;
