// Errors with positions raised while evaluating a configuration. They turn into diagnostics.

import type { Span } from "../syntax/ast.ts";

/** An evaluation problem at a place in the source. */
export class EvalError extends Error {
  constructor(
    message: string,
    readonly span: Span,
    /** Warnings are reported but do not fail a load. */
    readonly severity: "error" | "warning" = "error",
  ) {
    super(message);
    this.name = "EvalError";
  }

  /** Wraps anything thrown while evaluating `span`, keeping an inner EvalError's position. */
  static from(err: unknown, span: Span): EvalError {
    if (err instanceof EvalError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new EvalError(message, span);
  }
}
