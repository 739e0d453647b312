// set(target, value) — ottl.md §5.1.

import { defineEditor } from "../../function_api.ts";

/** Writes `value` to the path `target`; a nil value is a no-op (E7), so no empty attribute appears. */
export const set = defineEditor({
  name: "set",
  params: { target: "GetSetter", value: "Getter" },
  create({ target, value }) {
    return (tctx) => {
      const v = value.get(tctx);
      if (v !== null) target.set(tctx, v);
    };
  },
});
