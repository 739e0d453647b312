// Every component solder ships, in one explicit list (style: Alloy's component/all). Adding a
// component is one file plus one line here.

import { Registry } from "../runtime/registry.ts";
import { hostInfoConnector } from "./otelcol/connector/host_info.ts";
import { debugExporter } from "./otelcol/exporter/debug.ts";
import { otlpExporter } from "./otelcol/exporter/otlp.ts";
import { otlphttpExporter } from "./otelcol/exporter/otlphttp.ts";
import { batchProcessor } from "./otelcol/processor/batch.ts";
import { filterProcessor } from "./otelcol/processor/filter.ts";
import { resourceDetectionProcessor } from "./otelcol/processor/resourcedetection.ts";
import { transformProcessor } from "./otelcol/processor/transform.ts";
import { otlpReceiver } from "./otelcol/receiver/otlp.ts";

/** A registry holding every built-in component. */
export function builtinRegistry(): Registry {
  const r = new Registry();
  r.register(batchProcessor);
  r.register(resourceDetectionProcessor);
  r.register(hostInfoConnector);
  r.register(debugExporter);
  r.register(otlpExporter);
  r.register(otlphttpExporter);
  r.register(otlpReceiver);
  r.register(filterProcessor);
  r.register(transformProcessor);
  return r;
}
