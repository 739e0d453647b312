// Runtime values of the Alloy language. Plain JavaScript values where they fit (number, string,
// boolean, null, arrays, plain objects); small classes for the rest so that `instanceof`
// tells them apart.

/** A string that must never be displayed. */
export class Secret {
  constructor(readonly value: string) {}
  toString(): string {
    return "(secret)";
  }
  toJSON(): string {
    return "(secret)";
  }
}

/** An opaque internal value (a consumer, an appender, a handler). */
export class Capsule<T = unknown> {
  constructor(
    /** The capsule's type name as Alloy prints it, e.g. `otelcol.Consumer`. */
    readonly typeName: string,
    readonly value: T,
  ) {}
  toString(): string {
    return `capsule("${this.typeName}")`;
  }
}

/** A function from the standard library or a component's exports. */
export class Func {
  constructor(
    readonly name: string,
    readonly call: (args: Value[]) => Value,
    /** Functions whose result depends on the outside world (e.g. `sys.env`) are not pure. */
    readonly pure = true,
  ) {}
  toString(): string {
    return "function";
  }
}

export type ObjectValue = { [key: string]: Value };

export type Value =
  | null
  | number
  | string
  | boolean
  | Value[]
  | ObjectValue
  | Secret
  | Capsule
  | Func;

export type TypeName =
  | "null"
  | "number"
  | "string"
  | "bool"
  | "array"
  | "object"
  | "function"
  | "capsule"
  | "secret";

/** The Alloy type name of a value, as used in messages (`expected string, got bool`). */
export function typeOf(v: Value): TypeName {
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "number":
      return "number";
    case "string":
      return "string";
    case "boolean":
      return "bool";
  }
  if (Array.isArray(v)) return "array";
  if (v instanceof Secret) return "secret";
  if (v instanceof Capsule) return "capsule";
  if (v instanceof Func) return "function";
  return "object";
}

/** True for a plain object value (not an array, secret, capsule or function). */
export function isObject(v: Value): v is ObjectValue {
  return typeOf(v) === "object";
}

/** Deep equality as `==` defines it. */
export function valuesEqual(a: Value, b: Value): boolean {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  switch (ta) {
    case "array": {
      const x = a as Value[], y = b as Value[];
      return x.length === y.length && x.every((v, i) => valuesEqual(v, y[i]!));
    }
    case "object": {
      const x = a as ObjectValue, y = b as ObjectValue;
      const kx = Object.keys(x), ky = Object.keys(y);
      return kx.length === ky.length && kx.every((k) => k in y && valuesEqual(x[k]!, y[k]!));
    }
    case "secret":
      return (a as Secret).value === (b as Secret).value;
    case "capsule":
      return (a as Capsule).value === (b as Capsule).value;
    default:
      return a === b;
  }
}

/** A new empty object value. */
export function newObject(): ObjectValue {
  return {};
}

/**
 * Renders a value in Alloy syntax, secrets hidden. Used for messages, the debug exporter
 * and the API.
 */
export function displayValue(v: Value): string {
  switch (typeOf(v)) {
    case "null":
      return "null";
    case "string":
      return JSON.stringify(v);
    case "number":
    case "bool":
      return String(v);
    case "array":
      return `[${(v as Value[]).map(displayValue).join(", ")}]`;
    case "object": {
      const o = v as ObjectValue;
      const parts = Object.keys(o).map((k) => `${/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(k) ? k : JSON.stringify(k)} = ${displayValue(o[k]!)}`);
      return `{${parts.join(", ")}}`;
    }
    default:
      return String(v);
  }
}

/** A problem with a value (wrong type, bad argument to a function); the evaluator adds the position. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueError";
  }
}
