// One error type for the data path (style: connect-es ConnectError, the Collector's
// consumererror): a gRPC code, whether it is permanent, an optional retry delay, and one place
// that maps it to HTTP and gRPC statuses.

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export enum Code {
  OK = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

/** The retry delay of an overload refusal without a better estimate: 1 s, the smallest `Retry-After`. */
export const OVERLOAD_RETRY_MS = 1000;

export class PipelineError extends Error {
  constructor(
    message: string,
    readonly code: Code,
    /** Permanent errors are never retried: the data is dropped. */
    readonly permanent: boolean,
    /** A throttle hint: wait at least this long before retrying (milliseconds). */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PipelineError";
  }

  /** Bad data or a request that will never succeed. */
  static permanent(message: string, code = Code.Internal, cause?: unknown): PipelineError {
    return new PipelineError(message, code, true, undefined, { cause });
  }

  /** A temporary problem (full queue, unreachable backend): the sender should retry. */
  static retryable(message: string, retryAfterMs?: number, code = Code.Unavailable, cause?: unknown): PipelineError {
    return new PipelineError(message, code, false, retryAfterMs, { cause });
  }

  /**
   * Backpressure: the gateway is full (sending queue, memory limit) and the data should come back
   * later. UNAVAILABLE, as the Collector answers for its full queues and memory-limiter refusals
   * (HTTP 503; otlp.md §1 prefers it for throttling), plus a RetryInfo delay, which the Collector
   * leaves out: receivers turn it into `Retry-After` (HTTP) and a RetryInfo detail (gRPC), so
   * clients wait instead of hammering a gateway that is shedding load.
   */
  static overloaded(message: string, retryAfterMs = OVERLOAD_RETRY_MS): PipelineError {
    return new PipelineError(message, Code.Unavailable, false, retryAfterMs);
  }

  /** Classifies anything thrown: a PipelineError keeps its meaning; anything else is retryable. */
  static from(err: unknown): PipelineError {
    if (err instanceof PipelineError) return err;
    if (err instanceof AggregateError) {
      const inner = err.errors.map((e) => PipelineError.from(e));
      const message = inner.map((e) => e.message).join("; ");
      // Joined errors are permanent only when all parts are (the Collector's consumererror rule).
      const permanent = inner.length > 0 && inner.every((e) => e.permanent);
      return new PipelineError(message, permanent ? Code.Internal : Code.Unavailable, permanent);
    }
    const message = err instanceof Error ? err.message : String(err);
    return new PipelineError(message, Code.Unavailable, false, undefined, { cause: err });
  }
}

/** The HTTP status an OTLP/HTTP receiver answers for a pipeline error (spec: alloy-components.md §1.2). */
export function httpStatusOf(err: PipelineError): number {
  switch (err.code) {
    case Code.Canceled:
    case Code.DeadlineExceeded:
    case Code.Aborted:
    case Code.OutOfRange:
    case Code.Unavailable:
    case Code.DataLoss:
      return 503;
    case Code.ResourceExhausted:
      return 429;
    case Code.InvalidArgument:
      return 400;
    case Code.Unauthenticated:
      return 401;
    case Code.PermissionDenied:
      return 403;
    case Code.Unimplemented:
      return 404;
    default:
      return 500;
  }
}

/** Whether an OTLP client should retry a gRPC status (spec: otlp.md §1, errors and retryability). */
export function grpcCodeRetryable(code: Code, hasRetryInfo: boolean): boolean {
  switch (code) {
    case Code.Canceled:
    case Code.DeadlineExceeded:
    case Code.Aborted:
    case Code.OutOfRange:
    case Code.Unavailable:
    case Code.DataLoss:
      return true;
    case Code.ResourceExhausted:
      return hasRetryInfo;
    default:
      return false;
  }
}

/** Whether an OTLP/HTTP exporter retries a response status. */
export function httpStatusRetryable(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * The gRPC code the Collector puts in the Status body of an HTTP error it made itself
 * (NewStatusFromMsgAndHTTPCode): the inverse of the usual gRPC → HTTP mapping.
 */
export function codeOfHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.InvalidArgument;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.Unimplemented;
    case 429:
      return Code.ResourceExhausted;
    case 502:
    case 503:
    case 504:
      return Code.Unavailable;
    default:
      return Code.Unknown;
  }
}
