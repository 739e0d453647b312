import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { builtinRegistry } from "../../src/components/all.ts";
import { renderComponentDocs, spliceDocs } from "../../src/cli/component_docs.ts";

test("README.md holds the current component reference (make docs)", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  assert.equal(spliceDocs(readme, renderComponentDocs(builtinRegistry())), readme, "run make docs and commit README.md");
});

test("settings without effect are marked in the reference", () => {
  const docs = renderComponentDocs(builtinRegistry());
  assert.match(docs, /\| `read_buffer_size` \| `string \(bytes\)` \| `"512KiB"` \| no effect in solder: node:http2 exposes no socket buffer sizes \|/);
  assert.match(docs, /### `otelcol\.processor\.batch`\n\nGroups telemetry/);
  assert.match(docs, /\| `send_batch_size` \| `number` \| `2000` \|  \|/);
  assert.match(docs, /\| `timeout` \| `duration` \| `"200ms"` \|/);
  assert.match(docs, /\| `max_recv_msg_size` \| `string \(bytes\)` \| `"4MiB"` \|/);
});
