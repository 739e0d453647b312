// Writes the generated component reference into README.md (make docs).
import { readFileSync, writeFileSync } from "node:fs";
import { builtinRegistry } from "../src/components/all.ts";
import { renderComponentDocs, spliceDocs } from "../src/cli/component_docs.ts";

const path = new URL("../README.md", import.meta.url);
const before = readFileSync(path, "utf8");
const after = spliceDocs(before, renderComponentDocs(builtinRegistry()));
if (after !== before) writeFileSync(path, after);
console.log(after === before ? "README.md is up to date" : "README.md updated");
