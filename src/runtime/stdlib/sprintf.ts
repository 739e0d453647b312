// A port of the behaviour of Go's fmt.Sprintf for the values Alloy passes it. Alloy's
// `string.format` is fmt.Sprintf itself, so its output — including the in-band error text
// such as `%!d(string=hi)`, `%!s(MISSING)` and `%!(EXTRA int=1)` — is what users see and
// what configs come to depend on.
//
// Alloy hands fmt these Go types: whole numbers as `int`, other numbers as `float64`, strings,
// bools, `nil`, arrays as `[]interface {}` and objects as `map[string]interface {}`. A
// number here is an `int` when it is a safe integer; `1.0` is therefore an int (Alloy keeps
// the literal's kind; this runtime cannot), and float verbs accept ints (see fmtInteger).

import { Capsule, Func, Secret } from "../value.ts";
import type { ObjectValue, Value } from "../value.ts";
import { Formatter, clearFlags } from "./sprintf_format.ts";

type Kind = "nil" | "bool" | "int" | "float64" | "string" | "slice" | "map" | "secret" | "capsule" | "func";

/** Secrets print as this text so string.format cannot leak them. */
const SECRET_TEXT = "(secret)";

/** Formats `args` according to the Go format string `format`, exactly as fmt.Sprintf does. */
export function sprintf(format: string, args: readonly Value[]): string {
  return new Printer(args).print(format);
}

class Printer {
  private readonly w = new Formatter();
  private reordered = false;
  private goodArgNum = true;

  constructor(private readonly args: readonly Value[]) {}

  print(format: string): string {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    let i = 0;
    while (i < end) {
      this.goodArgNum = true;
      const pct = format.indexOf("%", i);
      if (pct < 0) {
        this.w.out += format.slice(i);
        break;
      }
      this.w.out += format.slice(i, pct);
      i = pct + 1;
      this.w.f = clearFlags();

      // Flags, then Go's fast path: a lower-case verb straight after them.
      let done = false;
      for (; i < end; i++) {
        const c = format[i]!;
        if (c === "#") this.w.f.sharp = true;
        else if (c === "0") this.w.f.zero = true;
        else if (c === "+") this.w.f.plus = true;
        else if (c === "-") this.w.f.minus = true;
        else if (c === " ") this.w.f.space = true;
        else {
          if (c >= "a" && c <= "z" && argNum < this.args.length) {
            this.printVerb(this.args[argNum]!, c);
            argNum++;
            i++;
            done = true;
          }
          break;
        }
      }
      if (done) continue;

      [argNum, i, afterIndex] = this.argNumber(argNum, format, i);

      if (i < end && format[i] === "*") {
        i++;
        [this.w.f.wid, this.w.f.widPresent, argNum] = this.intFromArg(argNum);
        if (!this.w.f.widPresent) this.w.out += "%!(BADWIDTH)";
        if (this.w.f.wid < 0) {
          // A negative width from an argument means left-justify.
          this.w.f.wid = -this.w.f.wid;
          this.w.f.minus = true;
          this.w.f.zero = false;
        }
        afterIndex = false;
      } else {
        [this.w.f.wid, this.w.f.widPresent, i] = parseNum(format, i, end);
        if (afterIndex && this.w.f.widPresent) this.goodArgNum = false; // "%[3]2d"
      }

      if (i + 1 < end && format[i] === ".") {
        i++;
        if (afterIndex) this.goodArgNum = false; // "%[3].2d"
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i);
        if (i < end && format[i] === "*") {
          i++;
          [this.w.f.prec, this.w.f.precPresent, argNum] = this.intFromArg(argNum);
          if (this.w.f.prec < 0) {
            this.w.f.prec = 0;
            this.w.f.precPresent = false;
          }
          if (!this.w.f.precPresent) this.w.out += "%!(BADPREC)";
          afterIndex = false;
        } else {
          [this.w.f.prec, this.w.f.precPresent, i] = parseNum(format, i, end);
          if (!this.w.f.precPresent) {
            this.w.f.prec = 0;
            this.w.f.precPresent = true;
          }
        }
      }

      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i);

      if (i >= end) {
        this.w.out += "%!(NOVERB)";
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;

      if (verb === "%") this.w.out += "%"; // ignores width and precision, takes no operand
      else if (!this.goodArgNum) this.w.out += `%!${verb}(BADINDEX)`;
      else if (argNum >= this.args.length) this.w.out += `%!${verb}(MISSING)`;
      else {
        this.printVerb(this.args[argNum]!, verb);
        argNum++;
      }
    }

    // Unused operands are reported unless explicit indexes made "unused" ambiguous.
    if (!this.reordered && argNum < this.args.length) {
      this.w.f = clearFlags();
      const extras = this.args.slice(argNum).map((arg) => {
        if (arg === null) return "<nil>";
        return `${typeName(arg)}=${this.w.capture(() => this.printArg(arg, "v"))}`;
      });
      this.w.out += `%!(EXTRA ${extras.join(", ")})`;
    }
    return this.w.out;
  }

  /** Applies one verb to one operand. */
  private printVerb(arg: Value, verb: string): void {
    if (verb === "v" || verb === "w") {
      // %#v means Go syntax rather than "alternate form"; %+v only matters for structs.
      this.w.f.sharpV = this.w.f.sharp;
      this.w.f.sharp = false;
      this.w.f.plus = false;
    }
    // %w only works in fmt.Errorf; Sprintf reports every operand as a bad verb.
    if (verb === "w") this.badVerb(verb, arg);
    else this.printArg(arg, verb);
  }

  private printArg(arg: Value, verb: string): void {
    if (arg === null) {
      if (verb === "T" || verb === "v") this.w.pad("<nil>");
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === "T") {
      this.w.str(typeName(arg));
      return;
    }
    // %p needs an address; none of Alloy's values has one worth showing.
    if (verb === "p") {
      this.badVerb(verb, arg);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  private printValue(v: Value, verb: string, depth: number): void {
    switch (kindOf(v)) {
      case "nil":
        // Only reachable inside an array or object: Go writes the nil interface unpadded.
        this.w.out += this.w.f.sharpV ? "interface {}(nil)" : "<nil>";
        return;
      case "bool":
        if (verb === "t" || verb === "v") this.w.pad(String(v));
        else this.badVerb(verb, v);
        return;
      case "int":
        return this.fmtInteger(v as number, verb);
      case "float64":
        return this.fmtFloatVerb(v as number, verb);
      case "string":
        return this.fmtString(v as string, verb);
      case "secret":
        return this.fmtString(SECRET_TEXT, verb, v);
      case "capsule":
      case "func":
        if (verb === "v" || verb === "s") this.w.pad(String(v));
        else this.badVerb(verb, v);
        return;
      case "slice":
        return this.printSlice(v as Value[], verb, depth);
      case "map":
        return this.printMap(v as ObjectValue, verb, depth);
    }
  }

  private printSlice(list: Value[], verb: string, depth: number): void {
    const sharpV = this.w.f.sharpV;
    this.w.out += sharpV ? "[]interface {}{" : "[";
    list.forEach((el, i) => {
      if (i > 0) this.w.out += sharpV ? ", " : " ";
      this.printValue(el, verb, depth + 1);
    });
    this.w.out += sharpV ? "}" : "]";
  }

  private printMap(obj: ObjectValue, verb: string, depth: number): void {
    const sharpV = this.w.f.sharpV;
    this.w.out += sharpV ? "map[string]interface {}{" : "map[";
    // Go prints map entries sorted by key (byte order of the UTF-8 keys).
    Object.keys(obj).sort(compareCodePoints).forEach((key, i) => {
      if (i > 0) this.w.out += sharpV ? ", " : " ";
      this.printValue(key, verb, depth + 1);
      this.w.out += ":";
      this.printValue(obj[key]!, verb, depth + 1);
    });
    this.w.out += sharpV ? "}" : "]";
  }

  /** `%!verb(type=value)`: the operand printed with %v under the same width and flags. */
  private badVerb(verb: string, v: Value): void {
    this.w.out += `%!${verb}(`;
    if (v === null) this.w.out += "<nil>";
    else {
      this.w.out += `${typeName(v)}=`;
      this.printArg(v, "v");
    }
    this.w.out += ")";
  }

  private fmtInteger(n: number, verb: string): void {
    switch (verb) {
      case "v":
      case "d":
        return this.w.integer(n, 10, verb, false);
      case "b":
        return this.w.integer(n, 2, verb, false);
      case "o":
      case "O":
        return this.w.integer(n, 8, verb, false);
      case "x":
        return this.w.integer(n, 16, verb, false);
      case "X":
        return this.w.integer(n, 16, verb, true);
      case "c":
        return this.w.char(n);
      case "q":
        return this.w.quotedChar(n);
      case "U":
        return this.w.unicode(n);
      case "e":
      case "E":
      case "f":
      case "F":
      case "g":
      case "G":
        // Go would print %!f(int=3): Alloy keeps `3.0` a float, but here it is
        // indistinguishable from `3`, so whole numbers take float verbs too.
        return this.fmtFloatVerb(n, verb);
      default:
        return this.badVerb(verb, n);
    }
  }

  private fmtFloatVerb(x: number, verb: string): void {
    switch (verb) {
      case "v":
        return this.w.float(x, "g", -1);
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        return this.w.float(x, verb, -1);
      case "f":
      case "e":
      case "E":
        return this.w.float(x, verb, 6);
      case "F":
        return this.w.float(x, "f", 6);
      default:
        return this.badVerb(verb, x);
    }
  }

  private fmtString(s: string, verb: string, original: Value = s): void {
    switch (verb) {
      case "v":
        return this.w.f.sharpV ? this.w.quoted(s) : this.w.str(s);
      case "s":
        return this.w.str(s);
      case "x":
        return this.w.hex(s, false);
      case "X":
        return this.w.hex(s, true);
      case "q":
        return this.w.quoted(s);
      default:
        return this.badVerb(verb, original);
    }
  }

  private intFromArg(argNum: number): [number, boolean, number] {
    if (argNum >= this.args.length) return [0, false, argNum];
    const a = this.args[argNum]!;
    let num = 0;
    let isInt = false;
    if (kindOf(a) === "int") {
      num = a as number;
      isInt = true;
    }
    if (tooLarge(num)) return [0, false, argNum + 1];
    return [num, isInt, argNum + 1];
  }

  /** Reads an explicit `[n]` argument index at format[i], if there is one. */
  private argNumber(argNum: number, format: string, i: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== "[") return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < this.args.length) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }
}

function kindOf(v: Value): Kind {
  if (v === null || v === undefined) return "nil";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "string":
      return "string";
    case "number":
      return Number.isSafeInteger(v) ? "int" : "float64";
  }
  if (Array.isArray(v)) return "slice";
  if (v instanceof Secret) return "secret";
  if (v instanceof Capsule) return "capsule";
  if (v instanceof Func) return "func";
  return "map";
}

/** The Go type name fmt prints for an operand (`%T` and error text). */
function typeName(v: Value): string {
  switch (kindOf(v)) {
    case "nil":
      return "<nil>";
    case "slice":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    case "secret":
      return "alloytypes.Secret";
    case "capsule":
      return (v as Capsule).typeName;
    case "func":
      return "func";
    default:
      return kindOf(v);
  }
}

function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

function parseNum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s[i]! >= "0" && s[i]! <= "9"; i++) {
    if (tooLarge(num)) return [0, false, end]; // absurdly long number
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return [num, isNum, i];
}

/** Parses `[n]` at the start of `s`: zero-based index, characters consumed, success. */
function parseArgNumber(s: string): [number, number, boolean] {
  if (s.length < 3) return [0, 1, false];
  const close = s.indexOf("]", 1);
  if (close < 0) return [0, 1, false];
  const [width, ok, next] = parseNum(s, 1, close);
  if (!ok || next !== close) return [0, close + 1, false];
  return [width - 1, close + 1, true];
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}
