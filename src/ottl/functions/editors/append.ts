// append(target, Optional[value], Optional[values]) — ottl.md §5.1.

import { PList, type Value, defineEditor } from "../../function_api.ts";

/**
 * Appends to the list at `target`: a missing target becomes a new list, a scalar (or map) becomes
 * its first element. Element types are kept as given.
 */
export const append = defineEditor({
  name: "append",
  params: { target: "GetSetter", value: { type: "Getter", optional: true }, values: { type: "Getter[]", optional: true } },
  create({ target, value, values }, cx) {
    if (value === undefined && values === undefined) {
      cx.fail("value", "at least one of the optional arguments ('value' or 'values') must be provided");
    }
    return (tctx) => {
      const current = target.get(tctx);
      const out: Value[] = current === null ? [] : current instanceof PList ? current.values() : [current];
      if (value) out.push(value.get(tctx));
      if (values) for (const g of values) out.push(g.get(tctx));
      target.set(tctx, PList.of(out));
    };
  },
});
