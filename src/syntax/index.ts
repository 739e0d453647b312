// Public API of the Alloy syntax layer: AST, diagnostics, scanner, parser and printer.

export type * from "./ast.ts";
export { blockId, blockName } from "./ast.ts";
export type { Diagnostic, Severity } from "./diag.ts";
export { DiagnosticsError, diag, formatLong, formatShort, sortDiagnostics } from "./diag.ts";
export type { OperatorKind, Token, TokenKind } from "./token.ts";
export { binaryPrecedence } from "./token.ts";
export type { LexErrorHandler } from "./lexer.ts";
export { Lexer, tokenize } from "./lexer.ts";
export { isValidIdentifier, quoteString } from "./chars.ts";
export { decodeSource, MAX_DEPTH, MAX_ERRORS, parseExpression, parseFile } from "./parser.ts";
export { formatFile } from "./printer.ts";
