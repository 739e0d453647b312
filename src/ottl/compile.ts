// Compiles OTTL text into closures (ottl.md §8.1): paths resolved against the context's tables,
// enums to ints, functions bound and their literal arguments validated — all at load time, so
// nothing walks the syntax tree per item. Errors are OttlCompileError with an offset into the text.

import type { Arg, BoolExpr, Call, Key, PathExpr, Statement, ValueExpr } from "./ast.ts";
import { type ArgCompiler, bindAndCreate, makeGetter } from "./bind.ts";
import { compare } from "./compare.ts";
import { type ContextDef, contextDef, splitPath } from "./contexts/index.ts";
import { OttlCompileError, fail } from "./errors.ts";
import type { ConverterFn, EditorFn, FunctionArg, GetSetter, OttlFunction } from "./function_api.ts";
import { specOf } from "./function_api.ts";
import { FUNCTIONS } from "./functions/index.ts";
import type { Eval } from "./getters.ts";
import { arith } from "./math.ts";
import { parseCondition, parseStatement } from "./parser.ts";
import { type KeyFn, type PathDef, mapPath, readKeys } from "./paths.ts";
import type { ContextName, TransformContext } from "./tctx.ts";
import { PList, PMap, type Value, typeName } from "./values.ts";

/** How to compile: the context, the function registry and whether paths must be prefixed. */
export interface CompileOptions {
  readonly context: ContextName;
  /** Defaults to the full registry (functions/index.ts). */
  readonly functions?: ReadonlyMap<string, OttlFunction>;
  /** Groups with an inferred context: every path must start with a context name (§4.3 item 4). */
  readonly requirePrefix?: boolean;
}

/** A compiled transform statement. */
export interface CompiledStatement {
  readonly text: string;
  /** Runs on one item: evaluates `where`, then the editor; returns whether the editor ran. */
  run(tctx: TransformContext): boolean;
}

/** A compiled condition (group conditions, filter conditions). */
export interface CompiledCondition {
  readonly text: string;
  eval(tctx: TransformContext): boolean;
}

/** Compiles `editor(...) [where ...]`; throws OttlCompileError. */
export function compileStatement(text: string, opts: CompileOptions): CompiledStatement {
  const c = new Compiler(text, opts);
  return { text, run: c.statement(parseStatement(text)) };
}

/** Compiles a boolean condition; throws OttlCompileError. */
export function compileCondition(text: string, opts: CompileOptions): CompiledCondition {
  const c = new Compiler(text, opts);
  return { text, eval: c.bool(parseCondition(text)) };
}

const cachePath: PathDef = mapPath((t) => t.cache, "cache");

class Compiler implements ArgCompiler {
  readonly def: ContextDef;
  readonly functions: ReadonlyMap<string, OttlFunction>;
  readonly context: ContextName;

  constructor(
    readonly text: string,
    readonly opts: CompileOptions,
  ) {
    this.def = contextDef(opts.context);
    this.context = opts.context;
    this.functions = opts.functions ?? FUNCTIONS;
  }

  private error(message: string, at: number): never {
    throw new OttlCompileError(message, at);
  }

  statement(s: Statement): (tctx: TransformContext) => boolean {
    const editor = this.call(s.editor, "editor") as EditorFn;
    if (!s.where) {
      return (t) => {
        editor(t);
        return true;
      };
    }
    const where = this.bool(s.where);
    return (t) => {
      if (!where(t)) return false;
      editor(t);
      return true;
    };
  }

  bool(e: BoolExpr): (tctx: TransformContext) => boolean {
    switch (e.kind) {
      case "or": {
        const [l, r] = [this.bool(e.left), this.bool(e.right)];
        return (t) => l(t) || r(t);
      }
      case "and": {
        const [l, r] = [this.bool(e.left), this.bool(e.right)];
        return (t) => l(t) && r(t);
      }
      case "not": {
        const inner = this.bool(e.expr);
        return (t) => !inner(t);
      }
      case "boolconst": {
        const v = e.value;
        return () => v;
      }
      case "boolcall": {
        const ev = this.converter(e.call);
        return (t) => {
          const v = ev(t);
          if (typeof v !== "boolean") fail(`${e.call.name} used as a condition must return a bool, got ${v === null ? "nil" : typeName(v)}`);
          return v;
        };
      }
      case "cmp": {
        const [l, r, op] = [this.value(e.left), this.value(e.right), e.op];
        return (t) => compare(l(t), r(t), op);
      }
    }
  }

  value(e: ValueExpr): Eval {
    switch (e.kind) {
      case "nil":
        return () => null;
      case "string":
      case "int":
      case "float":
      case "bool": {
        const v = e.value;
        return () => v;
      }
      case "bytes": {
        const v = e.value;
        return () => v.slice();
      }
      case "symbol": {
        const v = this.enumValue(e);
        if (v === undefined) {
          const hint = this.functions.has(e.name) ? `; ${e.name} is a function, call it with (...)` : "";
          this.error(`unknown enum symbol ${e.name} in the ${this.context} context${hint}`, e.start);
        }
        return () => v;
      }
      case "path":
        return this.path(e).get;
      case "call":
        return this.converter(e.call);
      case "list": {
        const items = e.items.map((x) => this.value(x));
        return (t) => PList.of(items.map((ev) => ev(t)));
      }
      case "map": {
        const entries = e.entries.map((x) => [x.key, this.value(x.value)] as const);
        return (t) => PMap.of(entries.map(([k, ev]) => [k, ev(t)] as const));
      }
      case "math": {
        const [l, r, op] = [this.value(e.left), this.value(e.right), e.op];
        return (t) => arith(op, l(t), r(t));
      }
    }
  }

  enumValue(e: ValueExpr): bigint | undefined {
    return e.kind === "symbol" ? this.def.enums[e.name] : undefined;
  }

  setter(e: ValueExpr): GetSetter {
    if (e.kind !== "path") this.error("expected a path to write to (such as attributes[\"key\"]), got a value", e.start);
    const p = this.path(e);
    if (!p.set) this.error(p.readOnly ?? `${p.text} is read-only`, e.start);
    return { get: p.get, set: p.set, text: p.text };
  }

  functionRef(e: ValueExpr, at: Arg): FunctionArg {
    if (e.kind !== "symbol") this.error("expected the name of a converter (such as SHA256), without parentheses", at.start);
    const fn = this.functions.get(e.name);
    if (!fn || fn.kind !== "converter") this.error(`undefined function ${e.name}`, e.start);
    const params = Object.entries(fn.params).map(([name, p]) => ({ name, spec: specOf(p) }));
    if (params.length === 0 || params.slice(1).some((p) => !p.spec.optional)) {
      this.error(`${e.name} cannot be passed as a function: it must take exactly one argument`, e.start);
    }
    const first = params[0]!;
    let input: Value = null;
    const args: Record<string, unknown> = { [first.name]: makeGetter(first.spec.type, () => input) };
    for (const p of params.slice(1)) args[p.name] = undefined;
    const body = fn.create(args, { context: this.context, fail: (_p, msg) => this.error(`${e.name}: ${msg}`, e.start) }) as ConverterFn;
    return {
      name: e.name,
      call(t, value) {
        const prev = input;
        input = value;
        try {
          return body(t);
        } finally {
          input = prev;
        }
      },
    };
  }

  private lookup(c: Call, kind: "editor" | "converter"): OttlFunction {
    const fn = this.functions.get(c.name);
    if (!fn) {
      const near = closest(c.name, [...this.functions.keys()]);
      this.error(`undefined function ${c.name}${near ? ` (did you mean ${near}?)` : ""}`, c.nameRange.start);
    }
    if (fn.kind !== kind) this.error(`${c.name} is ${fn.kind === "editor" ? "an editor" : "a converter"}, not ${kind === "editor" ? "an editor" : "a converter"}`, c.nameRange.start);
    if (fn.contexts && !fn.contexts.includes(this.context)) {
      this.error(`${c.name} cannot be used in the ${this.context} context (only in ${fn.contexts.join(", ")})`, c.nameRange.start);
    }
    return fn;
  }

  private call(c: Call, kind: "editor" | "converter"): EditorFn | ConverterFn {
    return bindAndCreate(this.lookup(c, kind), c, this) as EditorFn | ConverterFn;
  }

  private converter(c: Call): Eval {
    const body = this.call(c, "converter") as ConverterFn;
    if (c.keys.length === 0) return body;
    const keys = c.keys.map((k) => this.key(k));
    return (t) => readKeys(t, body(t), keys);
  }

  private key(k: Key): KeyFn {
    if (k.kind === "string" || k.kind === "int") {
      const v = k.value;
      return () => v;
    }
    const ev = this.value(k.expr);
    return (t) => {
      const v = ev(t);
      if (typeof v === "string" || typeof v === "bigint") return v;
      return fail(`invalid key type: a key must evaluate to a string or an int, got ${v === null ? "nil" : typeName(v)}`);
    };
  }

  /** Resolves a path to its getter and (unless read-only) setter. */
  path(e: PathExpr): { get: Eval; set?: (t: TransformContext, v: Value) => void; readOnly?: string; text: string } {
    const text = this.text.slice(e.start, e.end);
    const split = splitPath(this.def, e.fields);
    if (typeof split === "string") this.error(split, e.start);
    if (this.opts.requirePrefix && !split.prefixed) {
      this.error(`path ${text} must start with a context name (such as ${this.context}.${e.fields[0]!.name}) when the context is inferred`, e.start);
    }
    const fields = split.fields;
    if (fields.length === 0) {
      const self = split.level.self;
      if (!self) this.error(`${text} is not a path by itself`, e.start);
      return { get: self.get, set: self.set, readOnly: self.readOnly, text };
    }
    let def = this.field(split.level.name, fields[0]!.name, split.level.name === this.def.own.name, split.level.fields, fields[0]!.start);
    let name = `${split.level.name}.${fields[0]!.name}`;
    for (const f of fields.slice(1)) {
      const sub = def.fields?.[f.name];
      if (!sub) this.unknownPath(`${name}.${f.name}`, Object.keys(def.fields ?? {}).map((k) => `${name}.${k}`), f.start);
      def = sub;
      name = `${name}.${f.name}`;
    }
    const keys = fields[fields.length - 1]!.keys;
    const readOnly = def.readOnly;
    if (keys.length === 0) return { get: def.get, set: def.set, readOnly, text };
    const keyed = def.keyed;
    if (!keyed) this.error(`path ${name} does not support keys`, keys[0]!.start);
    const keyFns = keys.map((k) => this.key(k));
    return { get: (t) => keyed.get(t, keyFns), set: (t, v) => keyed.set(t, keyFns, v), text };
  }

  private field(level: string, name: string, own: boolean, fields: Readonly<Record<string, PathDef>>, at: number): PathDef {
    if (name === "cache") {
      if (!own) this.error(`${level}.cache is not available in the ${this.context} context; use ${this.context}.cache`, at);
      return cachePath;
    }
    const def = fields[name];
    if (!def) this.unknownPath(`${level}.${name}`, [...Object.keys(fields), ...(own ? ["cache"] : [])].map((k) => `${level}.${k}`), at);
    return def;
  }

  private unknownPath(name: string, candidates: string[], at: number): never {
    const near = closest(name, candidates);
    this.error(`unknown path ${name} in the ${this.context} context${near ? ` (did you mean ${near}?)` : ""}`, at);
  }
}

/** The candidate within edit distance 2 (case-insensitive), if any. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
