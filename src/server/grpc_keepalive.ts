// gRPC keepalive on node:http2 sessions, after grpc-go's server (alloy-components.md §1.1
// `keepalive`): idle and age limits close a connection with GOAWAY, the server pings idle
// clients and drops those that do not answer, and clients that ping too often are sent
// GOAWAY ENHANCE_YOUR_CALM "too_many_pings" after more than two strikes.

import type { Http2Session, ServerHttp2Session } from "node:http2";
import { constants } from "node:http2";

export interface KeepaliveServerParameters {
  /** Milliseconds; undefined = infinite. */
  max_connection_idle?: number;
  max_connection_age?: number;
  max_connection_age_grace?: number;
  /** Ping an idle client after this long (default 2 h). */
  time: number;
  /** Drop the connection when a ping is not answered within this (default 20 s). */
  timeout: number;
}

export interface KeepaliveEnforcementPolicy {
  /** Minimum interval between client pings (default 5 min). */
  min_time: number;
  permit_without_stream: boolean;
}

export interface KeepaliveArgs {
  server_parameters?: KeepaliveServerParameters;
  enforcement_policy?: KeepaliveEnforcementPolicy;
}

/** grpc-go's defaults when no enforcement_policy block is given. */
const DEFAULT_POLICY: KeepaliveEnforcementPolicy = { min_time: 5 * 60_000, permit_without_stream: false };
/** grpc-go: pings without streams are expected no more often than its default ping interval. */
const NO_STREAM_PING_INTERVAL = 2 * 3600_000;
const MAX_PING_STRIKES = 2;

/** Applies keepalive to every new session; returns nothing, timers die with the session. */
export function watchSession(session: ServerHttp2Session, args: KeepaliveArgs | undefined): void {
  const params = args?.server_parameters;
  const policy = args?.enforcement_policy ?? DEFAULT_POLICY;
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  let streams = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    if (params?.max_connection_idle) idleTimer = setTimeout(() => session.close(), params.max_connection_idle);
  };
  armIdle();
  session.on("stream", (stream) => {
    streams++;
    clearTimeout(idleTimer);
    stream.once("close", () => {
      streams--;
      strikes = 0; // grpc-go resets strikes whenever it sends headers or data
      if (streams === 0) armIdle();
    });
  });
  if (params?.max_connection_age) {
    timers.push(
      setTimeout(() => {
        session.close();
        if (params.max_connection_age_grace) timers.push(setTimeout(() => session.destroy(), params.max_connection_age_grace));
      }, params.max_connection_age),
    );
  }
  if (params && params.time > 0) {
    timers.push(setInterval(() => pingOrDrop(session, params.timeout), params.time));
  }
  let strikes = 0;
  let lastPing = 0;
  session.on("ping", () => {
    const now = Date.now();
    const interval = streams === 0 && !policy.permit_without_stream ? NO_STREAM_PING_INTERVAL : policy.min_time;
    if (lastPing !== 0 && now - lastPing < interval) strikes++;
    lastPing = now;
    if (strikes > MAX_PING_STRIKES) {
      session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from("too_many_pings"));
      session.destroy();
    }
  });
  session.once("close", () => {
    clearTimeout(idleTimer);
    timers.forEach((t) => clearTimeout(t));
  });
}

function pingOrDrop(session: Http2Session, timeoutMs: number): void {
  if (session.destroyed || session.closed) return;
  const timer = setTimeout(() => session.destroy(), timeoutMs);
  try {
    session.ping((err) => {
      clearTimeout(timer);
      if (err) session.destroy();
    });
  } catch {
    clearTimeout(timer);
  }
}
