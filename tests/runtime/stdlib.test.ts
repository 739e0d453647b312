import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEPRECATED_NAMES, EXPERIMENTAL_FUNCTIONS, stdlib } from "../../src/runtime/stdlib/index.ts";
import { goArch, goOs } from "../../src/runtime/stdlib/constants.ts";
import { joinPath } from "../../src/runtime/stdlib/file.ts";
import { Capsule, Func, Secret, ValueError } from "../../src/runtime/value.ts";
import type { ObjectValue, Value } from "../../src/runtime/value.ts";

const ENV: Record<string, string> = { SOLDER_HOME: "/opt/solder", EMPTY: "" };
const lib = stdlib({ version: "1.2.3", env: (n) => ENV[n], stability: "experimental" });

function lookup(scope: ObjectValue, path: string): Value {
  let v: Value = scope;
  for (const part of path.split(".")) v = (v as ObjectValue)[part]!;
  return v;
}

function fn(path: string, scope: ObjectValue = lib): Func {
  const f = lookup(scope, path);
  assert.ok(f instanceof Func, `${path} is a function`);
  return f;
}

function call(path: string, ...args: Value[]): Value {
  return fn(path).call(args);
}

function fmt(spec: string, ...args: Value[]): Value {
  return call("string.format", spec, ...args);
}

/** Asserts that calling `path` fails with a ValueError whose message matches. */
function fails(path: string, args: Value[], pattern: RegExp, scope: ObjectValue = lib): void {
  assert.throws(
    () => fn(path, scope).call(args),
    (err: unknown) => err instanceof ValueError && pattern.test(err.message),
    `${path}(${JSON.stringify(args)}) should fail with ${pattern}`,
  );
}

describe("scope", () => {
  test("namespaces, top-level functions and constants", () => {
    for (const ns of ["sys", "string", "encoding", "array", "convert", "file", "constants"]) {
      assert.equal(typeof lib[ns], "object", ns);
    }
    assert.ok(lib.coalesce instanceof Func);
    assert.ok(lib.json_path instanceof Func);
    assert.equal(lookup(lib, "constants.version"), "1.2.3");
  });

  test("every deprecated name is a callable alias", () => {
    assert.equal(DEPRECATED_NAMES.size, 15);
    for (const name of DEPRECATED_NAMES) assert.ok(lib[name] instanceof Func, name);
    assert.equal(call("env", "SOLDER_HOME"), "/opt/solder");
    assert.equal(call("nonsensitive", new Secret("s")), "s");
    assert.deepEqual(call("concat", [1], [2]), [1, 2]);
    assert.deepEqual(call("json_decode", '{"a":1}'), { a: 1 });
    assert.deepEqual(call("yaml_decode", "a: 1"), { a: 1 });
    assert.equal(call("format", "%d-%s", 1, "x"), "1-x");
    assert.equal(call("join", ["a", "b"], "+"), "a+b");
    assert.equal(call("replace", "aXa", "X", "-"), "a-a");
    assert.deepEqual(call("split", "a.b", "."), ["a", "b"]);
    assert.equal(call("to_lower", "AB"), "ab");
    assert.equal(call("to_upper", "ab"), "AB");
    assert.equal(call("trim", "--a--", "-"), "a");
    assert.equal(call("trim_prefix", "pre-a", "pre-"), "a");
    assert.equal(call("trim_suffix", "a.txt", ".txt"), "a");
    assert.equal(call("trim_space", "  a  "), "a");
  });

  test("aliases report their own name in errors", () => {
    fails("join", ["a"], /^join: expected 2 arguments, got 1$/);
  });

  test("only sys.env and env are impure", () => {
    assert.equal(fn("sys.env").pure, false);
    assert.equal(fn("env").pure, false);
    assert.equal(fn("string.format").pure, true);
    assert.equal(fn("coalesce").pure, true);
  });

  test("experimental functions need --stability.level=experimental", () => {
    assert.deepEqual([...EXPERIMENTAL_FUNCTIONS].sort(), ["array.combine_maps", "array.group_by"]);
    for (const stability of ["generally-available", "public-preview"] as const) {
      const gated = stdlib({ version: "", stability });
      fails("array.combine_maps", [[], [], ["a"]], /requires --stability\.level=experimental/, gated);
      fails("array.group_by", [[], "k", false], /^array\.group_by is experimental: it requires --stability\.level=experimental$/, gated);
      assert.deepEqual(fn("array.concat", gated).call([[1]]), [1]);
    }
    const byDefault = stdlib({ version: "" });
    fails("array.group_by", [[], "k", false], /requires --stability\.level=experimental/, byDefault);
  });

  test("sys.env defaults to the process environment", () => {
    const scope = stdlib({ version: "" });
    assert.equal(fn("sys.env", scope).call(["SOLDER_SURELY_UNSET_VARIABLE"]), "");
  });
});

describe("sys", () => {
  test("sys.env", () => {
    assert.equal(call("sys.env", "SOLDER_HOME"), "/opt/solder");
    assert.equal(call("sys.env", "EMPTY"), "");
    assert.equal(call("sys.env", "UNSET"), "");
    fails("sys.env", [], /^sys\.env: expected 1 argument, got 0$/);
    fails("sys.env", ["A", "B"], /expected 1 argument, got 2/);
    fails("sys.env", [true], /^sys\.env: argument 1: expected string, got bool$/);
  });
});

describe("string.format", () => {
  // Expected outputs are what Go's fmt.Sprintf prints for the same operands.
  const cases: [string, Value[], string][] = [
    ["%5.2f", [3.14159], " 3.14"],
    ["%q", ['a"b'], '"a\\"b"'],
    ["%x", ["hi"], "6869"],
    ["%X", ["Hi"], "4869"],
    ["%v", [[1, 2]], "[1 2]"],
    ["%08.3f", [3.14159], "0003.142"],
    ["%-5d|", [42], "42   |"],
    ["%+d", [5], "+5"],
    ["%[2]d %[1]d", [1, 2], "2 1"],
    ["%%", [], "%"],
    ["100%%", [], "100%"],
    ["%t", [true], "true"],
    ["%b", [5], "101"],
    ["%o", [8], "10"],
    ["%#o", [8], "010"],
    ["%O", [8], "0o10"],
    ["%x", [255], "ff"],
    ["%X", [255], "FF"],
    ["%#x", [255], "0xff"],
    ["%x", [-255], "-ff"],
    ["%e", [123456.789], "1.234568e+05"],
    ["%E", [123456.789], "1.234568E+05"],
    ["%f", [3.14159], "3.141590"],
    ["%F", [3.14159], "3.141590"],
    ["%g", [0.00001234], "1.234e-05"],
    ["%G", [1e-10], "1E-10"],
    ["%.3g", [1234.5678], "1.23e+03"],
    ["%s", ["hello"], "hello"],
    ["%d", [42], "42"],
    ["%v", [42], "42"],
    ["%v", [3.14], "3.14"],
    ["%v", [1e21], "1e+21"],
    ["%v", [1000000.5], "1.0000005e+06"],
    ["%v", [100000.5], "100000.5"],
    ["%v", [0.000001], "1e-06"],
    ["%v", [true], "true"],
    ["%v", ["str"], "str"],
    ["%v", [null], "<nil>"],
    ["%v", [{ b: 1, a: "x" }], "map[a:x b:1]"],
    ["%v", [[1, "a", null, [2]]], "[1 a <nil> [2]]"],
    ["%s", [["a", "b"]], "[a b]"],
    ["%q", [["a", "b"]], '["a" "b"]'],
    ["%5s|", ["ab"], "   ab|"],
    ["%-5s|", ["ab"], "ab   |"],
    ["%.2s", ["h\u00e9llo"], "h\u00e9"],
    ["%05s", ["ab"], "000ab"],
    ["%05d", [-42], "-0042"],
    ["%+.2e", [12345.678], "+1.23e+04"],
    ["% d", [42], " 42"],
    ["%6.2f|", [-1.5], " -1.50|"],
    ["%10.4v|", [3.14159], "     3.142|"],
    ["%.3d", [7], "007"],
    ["%.0d|", [0], "|"],
    ["%*d", [5, 42], "   42"],
    ["%-*d|", [5, 42], "42   |"],
    ["%.*f", [2, 3.14159], "3.14"],
    ["%c", [65], "A"],
    ["%q", [65], "'A'"],
    ["%U", [0x1f600], "U+1F600"],
    ["%#U", [0x41], "U+0041 'A'"],
    ["%+q", ["h\u00e9llo"], '"h\\u00e9llo"'],
    ["%q", ["tab\there\n"], '"tab\\there\\n"'],
    ["%#q", ["hello"], "`hello`"],
    ["% x", ["hi"], "68 69"],
    ["%#x", ["hi"], "0x6869"],
    ["%x", [3.5], "0x1.cp+01"],
    ["%b", [1.5], "6755399441055744p-52"],
    ["%#g", [1.5], "1.50000"],
    ["%T", [1.5], "float64"],
    ["%T", ["s"], "string"],
    ["%T", [[1]], "[]interface {}"],
    ["%#v", ["hi"], '"hi"'],
    ["%#v", [[1, "a"]], '[]interface {}{1, "a"}'],
    ["%#v", [{ a: 1 }], 'map[string]interface {}{"a":1}'],
    ["%v", [Infinity], "+Inf"],
    ["%f", [NaN], "NaN"],
  ];
  for (const [spec, args, want] of cases) {
    test(`${spec} of ${JSON.stringify(args)}`, () => assert.equal(fmt(spec, ...args), want));
  }

  test("precision rounds the exact binary value half to even, as Go does", () => {
    assert.equal(fmt("%.0f", 2.5), "2");
    assert.equal(fmt("%.0f", 3.5), "4");
    assert.equal(fmt("%.1f", 0.25), "0.2"); // JavaScript's toFixed gives 0.3
    assert.equal(fmt("%.2f", 2.675), "2.67"); // 2.675 is really 2.67499999…
    assert.equal(fmt("%.1e", 0.125), "1.2e-01");
  });

  test("Go's in-band error text", () => {
    assert.equal(fmt("%d", "hi"), "%!d(string=hi)");
    assert.equal(fmt("%s", 5), "%!s(int=5)");
    assert.equal(fmt("%d", 1.5), "%!d(float64=1.5)");
    assert.equal(fmt("%t", 1), "%!t(int=1)");
    assert.equal(fmt("%d", null), "%!d(<nil>)");
    assert.equal(fmt("%d", [1, "a"]), "[1 %!d(string=a)]");
    assert.equal(fmt("%z", 1), "%!z(int=1)");
    assert.equal(fmt("%5t", 1), "%!t(int=    1)"); // the operand is shown with the same width
    assert.equal(fmt("%s"), "%!s(MISSING)");
    assert.equal(fmt("%s %s", "a"), "a %!s(MISSING)");
    assert.equal(fmt("%s", "a", "x"), "a%!(EXTRA string=x)");
    assert.equal(fmt("%d %d", 1, 2, 3, "x"), "1 2%!(EXTRA int=3, string=x)");
    assert.equal(fmt("no verbs", null), "no verbs%!(EXTRA <nil>)");
    assert.equal(fmt("%[3]d", 1), "%!d(BADINDEX)");
    assert.equal(fmt("%[1]3d", 1), "%!d(BADINDEX)");
    assert.equal(fmt("%[1]d %d", 1, 2), "1 2"); // explicit indexes disable the EXTRA check
    assert.equal(fmt("%*d", "x", 1), "%!(BADWIDTH)1");
    assert.equal(fmt("%.*d", "x", 1), "%!(BADPREC)1");
    assert.equal(fmt("%"), "%!(NOVERB)");
    assert.equal(fmt("%w", 1), "%!w(int=1)");
  });

  test("secrets never print, capsules print their description", () => {
    assert.equal(fmt("%s", new Secret("hunter2")), "(secret)");
    assert.equal(fmt("%d", new Secret("hunter2")), "%!d(alloytypes.Secret=(secret))");
    assert.equal(fmt("%v", new Capsule("otelcol.Consumer", {})), 'capsule("otelcol.Consumer")');
  });

  test("whole numbers accept float verbs (Alloy's 3.0 is indistinguishable from 3 here)", () => {
    assert.equal(fmt("%.2f", 3), "3.00");
    assert.equal(fmt("%e", 3), "3.000000e+00");
  });

  test("argument errors", () => {
    fails("string.format", [], /^string\.format: expected at least 1 argument, got 0$/);
    fails("string.format", [true], /^string\.format: argument 1: expected string, got bool$/);
    assert.equal(fmt("%d"), "%!d(MISSING)");
  });
});

describe("string", () => {
  test("string.join", () => {
    assert.equal(call("string.join", ["a", "b", "c"], ", "), "a, b, c");
    assert.equal(call("string.join", [], ","), "");
    assert.equal(call("string.join", ["a", 1], "-"), "a-1"); // numbers convert to strings
    assert.equal(call("string.join", [1.5, 1e21, 1e-7], " "), "1.5 1000000000000000000000 0.0000001");
    fails("string.join", ["a", ","], /^string\.join: argument 1: expected array, got string$/);
    fails("string.join", [["a", true], ","], /argument 1 element 1: expected string, got bool/);
    fails("string.join", [["a"]], /expected 2 arguments, got 1/);
  });

  test("string.split", () => {
    assert.deepEqual(call("string.split", "a,b,", ","), ["a", "b", ""]);
    assert.deepEqual(call("string.split", "", ","), [""]);
    assert.deepEqual(call("string.split", "h\u00e9\u{1f600}", ""), ["h", "\u00e9", "\u{1f600}"]);
    fails("string.split", ["a"], /expected 2 arguments, got 1/);
    fails("string.split", [null, ","], /argument 1: expected string, got null/);
  });

  test("string.replace", () => {
    assert.equal(call("string.replace", "banana", "a", "o"), "bonono");
    assert.equal(call("string.replace", "ab", "", "-"), "-a-b-");
    fails("string.replace", ["a", "b"], /expected 3 arguments, got 2/);
    fails("string.replace", ["a", "b", []], /argument 3: expected string, got array/);
  });

  test("string.to_lower and string.to_upper map one code point to one", () => {
    assert.equal(call("string.to_lower", "HeLLo \u00c9"), "hello \u00e9");
    assert.equal(call("string.to_upper", "hello \u00e9"), "HELLO \u00c9");
    assert.equal(call("string.to_upper", "stra\u00dfe"), "STRA\u00dfE"); // Go leaves ß alone
    assert.equal(call("string.to_lower", "\u0130"), "i");
    fails("string.to_lower", [], /expected 1 argument, got 0/);
    fails("string.to_upper", [{}], /argument 1: expected string, got object/);
  });

  test("string.trim uses a cutset", () => {
    assert.equal(call("string.trim", "xxhixyx", "xy"), "hi");
    assert.equal(call("string.trim", "  a  ", ""), "  a  ");
    assert.equal(call("string.trim", "aaa", "a"), "");
    fails("string.trim", ["a"], /expected 2 arguments, got 1/);
  });

  test("string.trim_prefix and string.trim_suffix remove one occurrence", () => {
    assert.equal(call("string.trim_prefix", "foofoobar", "foo"), "foobar");
    assert.equal(call("string.trim_prefix", "bar", "foo"), "bar");
    assert.equal(call("string.trim_suffix", "a.tar.tar", ".tar"), "a.tar");
    assert.equal(call("string.trim_suffix", "a", ""), "a");
    fails("string.trim_prefix", ["a"], /expected 2 arguments/);
    fails("string.trim_suffix", ["a", 1, 2], /expected 2 arguments, got 3/);
  });

  test("string.trim_space uses Go's white space", () => {
    assert.equal(call("string.trim_space", "\t\n hi \r\n"), "hi");
    assert.equal(call("string.trim_space", "\u00a0hi\u0085"), "hi");
    assert.equal(call("string.trim_space", "\ufeffhi"), "\ufeffhi"); // a BOM is not space in Go
    fails("string.trim_space", [1, 2], /expected 1 argument, got 2/);
  });
});

describe("encoding", () => {
  test("encoding.from_json", () => {
    assert.deepEqual(call("encoding.from_json", '{"a": [1, 2.5, "x", true, null], "b": {}}'), {
      a: [1, 2.5, "x", true, null],
      b: {},
    });
    assert.equal(call("encoding.from_json", "15"), 15);
    assert.equal(call("encoding.from_json", '"\\u00e9\\ud83d\\ude00"'), "\u00e9\u{1f600}");
    assert.deepEqual(Object.keys(call("encoding.from_json", '{"__proto__": 1}') as ObjectValue), ["__proto__"]);
  });

  test("encoding.from_json reports encoding/json's errors", () => {
    const bad: [string, string][] = [
      ["", "unexpected end of JSON input"],
      ['{"a":1', "unexpected end of JSON input"],
      ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
      ["[1,]", "invalid character ']' looking for beginning of value"],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
      ["[1 2]", "invalid character '2' after array element"],
      ["01", "invalid character '1' after top-level value"],
      ["trux", "invalid character 'x' in literal true (expecting 'e')"],
      ["nul", "unexpected end of JSON input"],
      ["-x", "invalid character 'x' in numeric literal"],
      ["1.e", "invalid character 'e' after decimal point in numeric literal"],
      ["1e+", "unexpected end of JSON input"],
      ['"\\x"', "invalid character 'x' in string escape code"],
      ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
      ['"a\nb"', "invalid character '\\n' in string literal"],
      ["'a'", "invalid character '\\'' looking for beginning of value"],
    ];
    for (const [input, message] of bad) {
      fails("encoding.from_json", [input], new RegExp(`^encoding\\.from_json: ${escapeRe(message)}$`));
    }
    fails("encoding.from_json", [], /expected 1 argument, got 0/);
  });

  test("encoding.to_json is Go's json.Marshal", () => {
    assert.equal(call("encoding.to_json", { b: [1, 2.5, "<&>"], a: null, c: {} }), '{"a":null,"b":[1,2.5,"\\u003c\\u0026\\u003e"],"c":{}}');
    assert.equal(call("encoding.to_json", "tab\t\u0001"), '"tab\\t\\u0001"');
    assert.equal(call("encoding.to_json", 1e21), "1e+21");
    assert.equal(call("encoding.to_json", 1e-7), "1e-7");
    assert.equal(call("encoding.to_json", true), "true");
    assert.equal(call("encoding.to_json", new Secret("pw")), '"(secret)"');
    fails("encoding.to_json", [new Capsule("x", 1)], /^encoding\.to_json: json: unsupported type: capsule$/);
    fails("encoding.to_json", [NaN], /json: unsupported value: NaN/);
    fails("encoding.to_json", [], /expected 1 argument, got 0/);
  });

  test("encoding.from_yaml", () => {
    assert.deepEqual(call("encoding.from_yaml", "a: 1\nb: [x, 2.5, true, null]\nc: yes\nd: 2024-01-01\n"), {
      a: 1,
      b: ["x", 2.5, true, null],
      c: "yes", // YAML 1.2: only true/false are booleans
      d: "2024-01-01",
    });
    assert.equal(call("encoding.from_yaml", ""), null);
    assert.equal(call("encoding.from_yaml", "15"), 15);
    assert.deepEqual(call("encoding.from_yaml", "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n"), { base: { x: 1 }, d: { x: 1, y: 2 } });
    assert.deepEqual(call("encoding.from_yaml", "a: 1\n---\nb: 2\n"), { a: 1 }); // first document only
    assert.deepEqual(call("encoding.from_yaml", "1: a\n"), { "1": "a" });
    fails("encoding.from_yaml", ["a: [1"], /^encoding\.from_yaml: yaml: /);
    fails("encoding.from_yaml", [1, 2], /expected 1 argument, got 2/);
  });

  test("encoding.from_base64 and encoding.to_base64", () => {
    assert.equal(call("encoding.from_base64", "dGFuZ2VyaW5l"), "tangerine");
    assert.equal(call("encoding.from_base64", "aGk="), "hi");
    assert.equal(call("encoding.from_base64", "aG\nk="), "hi"); // Go skips newlines
    assert.equal(call("encoding.from_base64", ""), "");
    assert.equal(call("encoding.to_base64", "string123!?$*&()'-=@~"), "c3RyaW5nMTIzIT8kKiYoKSctPUB+");
    assert.equal(call("encoding.to_base64", "a"), "YQ==");
    assert.equal(call("encoding.to_base64", "\u00e9"), "w6k=");
    fails("encoding.from_base64", ["dGFuZ2VyaW5"], /^encoding\.from_base64: illegal base64 data at input byte 8$/);
    fails("encoding.from_base64", ["dGF*"], /illegal base64 data at input byte 3$/);
    fails("encoding.from_base64", ["aA="], /illegal base64 data at input byte 3$/);
    fails("encoding.from_base64", ["aGk=aGk="], /illegal base64 data at input byte 4$/);
    fails("encoding.from_base64", ["c3RyaW5nMTIzIT8kKiYoKSctPUB-"], /illegal base64 data at input byte 27$/);
    fails("encoding.to_base64", [], /expected 1 argument, got 0/);
  });

  test("encoding.from_URLbase64 and encoding.to_URLbase64", () => {
    assert.equal(call("encoding.from_URLbase64", "c3RyaW5nMTIzIT8kKiYoKSctPUB-"), "string123!?$*&()'-=@~");
    assert.equal(call("encoding.to_URLbase64", "string123!?$*&()'-=@~"), "c3RyaW5nMTIzIT8kKiYoKSctPUB-");
    fails("encoding.from_URLbase64", ["c3RyaW5nMTIzIT8kKiYoKSctPUB+"], /illegal base64 data at input byte 27$/);
    fails("encoding.to_URLbase64", [false], /argument 1: expected string, got bool/);
  });

  test("encoding.url_encode is Go's url.QueryEscape", () => {
    assert.equal(call("encoding.url_encode", "string123!?$*&()'-=@~"), "string123%21%3F%24%2A%26%28%29%27-%3D%40~");
    assert.equal(call("encoding.url_encode", "a b/\u00e9"), "a+b%2F%C3%A9");
    fails("encoding.url_encode", [], /expected 1 argument, got 0/);
  });

  test("encoding.url_decode is Go's url.QueryUnescape", () => {
    assert.equal(call("encoding.url_decode", "a+b%20c%C3%A9"), "a b c\u00e9");
    assert.equal(call("encoding.url_decode", "string123%21%3F%24%2A%26%28%29%27-%3D%40~"), "string123!?$*&()'-=@~");
    fails("encoding.url_decode", ["%zz"], /^encoding\.url_decode: invalid URL escape "%zz"$/);
    fails("encoding.url_decode", ["abc%4"], /invalid URL escape "%4"$/);
  });
});

describe("array", () => {
  test("array.concat", () => {
    assert.deepEqual(call("array.concat"), []);
    assert.deepEqual(call("array.concat", [1, 2], [], [true, null]), [1, 2, true, null]);
    assert.deepEqual(call("array.concat", [[1, 2]], [[3]]), [[1, 2], [3]]);
    fails("array.concat", [[1], "x"], /^array\.concat: argument 2: expected array, got string$/);
  });

  test("array.combine_maps joins on equal keys, the second list winning", () => {
    const a: ObjectValue[] = [{ instance: "1.1.1.1", team: "A" }, { instance: "2.2.2.2", team: "B" }, { team: "C" }];
    const b: ObjectValue[] = [{ instance: "1.1.1.1", cluster: "prod", team: "Z" }];
    assert.deepEqual(call("array.combine_maps", a, b, ["instance"]), [{ instance: "1.1.1.1", team: "Z", cluster: "prod" }]);
    assert.deepEqual(call("array.combine_maps", a, b, ["instance"], true), [
      { instance: "1.1.1.1", team: "Z", cluster: "prod" },
      { instance: "2.2.2.2", team: "B" },
      { team: "C" },
    ]);
    assert.deepEqual(call("array.combine_maps", a, b, ["instance", "team"]), []);
  });

  test("array.combine_maps argument errors", () => {
    fails("array.combine_maps", [[], []], /^array\.combine_maps: expected 3 to 4 arguments, got 2$/);
    fails("array.combine_maps", [[], [], []], /merge conditions must not be empty/);
    fails("array.combine_maps", [[1], [], ["a"]], /argument 1 element 0: expected object, got number/);
    fails("array.combine_maps", [[], "x", ["a"]], /argument 2: expected array, got string/);
    fails("array.combine_maps", [[], [], ["a"], "yes"], /argument 4: expected bool, got string/);
  });

  test("array.group_by", () => {
    const list: ObjectValue[] = [{ env: "prod", n: 1 }, { env: "dev", n: 2 }, { n: 3 }, { env: "prod", n: 4 }];
    assert.deepEqual(call("array.group_by", list, "env", false), [
      { env: "prod", items: [{ env: "prod", n: 1 }, { env: "prod", n: 4 }] },
      { env: "dev", items: [{ env: "dev", n: 2 }] },
      { env: "", items: [{ n: 3 }] },
    ]);
    assert.deepEqual(call("array.group_by", list, "env", true), [
      { env: "prod", items: [{ env: "prod", n: 1 }, { env: "prod", n: 4 }] },
      { env: "dev", items: [{ env: "dev", n: 2 }] },
    ]);
    fails("array.group_by", [list, "env"], /expected 3 arguments, got 2/);
    fails("array.group_by", [[1], "env", false], /argument 1 element 0: expected object, got number/);
    fails("array.group_by", [list, "env", "no"], /argument 3: expected bool, got string/);
  });
});

describe("convert", () => {
  test("convert.nonsensitive", () => {
    assert.equal(call("convert.nonsensitive", new Secret("s3cr3t")), "s3cr3t");
    assert.equal(call("convert.nonsensitive", "plain"), "plain"); // strings convert to secrets
    fails("convert.nonsensitive", [1], /^convert\.nonsensitive: argument 1: expected secret, got number$/);
    fails("convert.nonsensitive", [], /expected 1 argument, got 0/);
  });
});

describe("coalesce", () => {
  test("first set value, else the last argument, else null", () => {
    assert.equal(call("coalesce"), null);
    assert.equal(call("coalesce", null, "", 0, false, [], {}, "x", "y"), "x");
    assert.equal(call("coalesce", null, ""), "");
    assert.equal(call("coalesce", 0, 5), 5);
    assert.deepEqual(call("coalesce", [], [1]), [1]);
    assert.equal(call("coalesce", true), true);
    const secret = new Secret("s");
    assert.equal(call("coalesce", new Secret(""), secret), secret);
  });
});

describe("json_path", () => {
  const doc = JSON.stringify({
    store: {
      book: [
        { title: "A", price: 8, tag: "x" },
        { title: "B", price: 12 },
        { title: "C", price: 20, tag: "y" },
      ],
      bike: { price: 100 },
    },
  });
  const q = (path: string) => call("json_path", doc, path);

  test("child, index, wildcard and descent", () => {
    assert.deepEqual(q("$.store.bike.price"), [100]);
    assert.deepEqual(q("$.store.book[0].title"), ["A"]);
    assert.deepEqual(q("$.store.book[-1].title"), ["C"]);
    assert.deepEqual(q("$.store.book[*].title"), ["A", "B", "C"]);
    assert.deepEqual(q("$..price"), [8, 12, 20, 100]);
    assert.deepEqual(q("$['store']['bike']"), [{ price: 100 }]);
    assert.deepEqual(q("$.store.book[0:2].title"), ["A", "B"]);
    assert.deepEqual(q("$.store.book[0,2].title"), ["A", "C"]);
    assert.deepEqual(q("store.bike.price"), [100]); // a bare path starts at the root
  });

  test("filters", () => {
    assert.deepEqual(q('$.store.book[?(@.title == "B")].price'), [12]);
    assert.deepEqual(q("$.store.book[?(@.title == 'B')].price"), [12]);
    assert.deepEqual(q("$.store.book[?(@.price > 10)].title"), ["B", "C"]);
    assert.deepEqual(q("$.store.book[?(@.price > 10 && @.tag)].title"), ["C"]);
    assert.deepEqual(q("$.store.book[?(@.tag)].title"), ["A", "C"]);
    assert.deepEqual(q("$.store.book[?(!@.tag)].title"), ["B"]);
    assert.deepEqual(q("$.store.book[?(@.title =~ /^[AB]$/)].title"), ["A", "B"]);
    assert.deepEqual(q("$.store.book[?(@.price < 10 || @.price >= 20)].title"), ["A", "C"]);
  });

  test("no match gives an empty list", () => {
    assert.deepEqual(q("$.nope"), []);
    assert.deepEqual(q("$.store.book[7]"), []);
    assert.deepEqual(call("json_path", "[]", "$[*]"), []);
  });

  test("errors", () => {
    fails("json_path", [doc, "$.store["], /^json_path: invalid JSONPath "\$\.store\[": .* at offset 8$/);
    fails("json_path", ["{", "$"], /^json_path: unexpected end of JSON input$/);
    fails("json_path", [doc], /expected 2 arguments, got 1/);
    fails("json_path", [doc, true], /argument 2: expected string, got bool/);
  });
});

describe("file", () => {
  test("file.path_join is Go's filepath.Join", () => {
    assert.equal(call("file.path_join"), "");
    assert.equal(call("file.path_join", "", ""), "");
    assert.equal(joinPath(["a", "", "b/", "../c"]), "a/c");
    assert.equal(joinPath(["/", "..", "x"]), "/x");
    assert.equal(joinPath(["a/", "b/"]), "a/b");
    assert.equal(joinPath(["..", "a", "."]), "../a");
    assert.equal(joinPath(["a", ".."]), ".");
    fails("file.path_join", ["a", true], /argument 2: expected string, got bool/);
  });
});

describe("constants", () => {
  test("values, not functions", () => {
    assert.equal(typeof lookup(lib, "constants.hostname"), "string");
    assert.equal(typeof lookup(lib, "constants.os"), "string");
    assert.equal(typeof lookup(lib, "constants.arch"), "string");
    assert.equal(lookup(lib, "constants.version"), "1.2.3");
  });

  test("Go's GOOS and GOARCH names", () => {
    assert.equal(goOs("linux"), "linux");
    assert.equal(goOs("darwin"), "darwin");
    assert.equal(goOs("win32"), "windows");
    assert.equal(goArch("x64"), "amd64");
    assert.equal(goArch("arm64"), "arm64");
    assert.equal(goArch("ia32"), "386");
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
