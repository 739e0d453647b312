// Every component solder ships, in one explicit list (style: Alloy's component/all). Adding a
// component is one file plus one line here.

import { Registry } from "../runtime/registry.ts";
import { discoveryRelabel } from "./discovery/relabel.ts";
import { basicAuth } from "./otelcol/auth/basic.ts";
import { bearerAuth } from "./otelcol/auth/bearer.ts";
import { headersAuth } from "./otelcol/auth/headers.ts";
import { fileStorage } from "./otelcol/storage/file.ts";
import { hostInfoConnector } from "./otelcol/connector/host_info.ts";
import { debugExporter } from "./otelcol/exporter/debug.ts";
import { loadBalancingExporter } from "./otelcol/exporter/loadbalancing.ts";
import { otlpExporter } from "./otelcol/exporter/otlp.ts";
import { otlphttpExporter } from "./otelcol/exporter/otlphttp.ts";
import { prometheusExporter } from "./otelcol/exporter/prometheus.ts";
import { batchProcessor } from "./otelcol/processor/batch.ts";
import { filterProcessor } from "./otelcol/processor/filter.ts";
import { memoryLimiterProcessor } from "./otelcol/processor/memory_limiter.ts";
import { resourceDetectionProcessor } from "./otelcol/processor/resourcedetection.ts";
import { transformProcessor } from "./otelcol/processor/transform.ts";
import { otlpReceiver } from "./otelcol/receiver/otlp.ts";
import { selfExporter } from "./prometheus/exporter/self.ts";
import { prometheusRelabel } from "./prometheus/relabel.ts";
import { remoteWrite } from "./prometheus/remote_write.ts";
import { scrape } from "./prometheus/scrape.ts";

/** A registry holding every built-in component. */
export function builtinRegistry(): Registry {
  const r = new Registry();
  r.register(basicAuth);
  r.register(bearerAuth);
  r.register(headersAuth);
  r.register(fileStorage);
  r.register(batchProcessor);
  r.register(resourceDetectionProcessor);
  r.register(hostInfoConnector);
  r.register(debugExporter);
  r.register(otlpExporter);
  r.register(loadBalancingExporter);
  r.register(otlphttpExporter);
  r.register(prometheusExporter);
  r.register(otlpReceiver);
  r.register(filterProcessor);
  r.register(transformProcessor);
  r.register(memoryLimiterProcessor);
  r.register(remoteWrite);
  r.register(scrape);
  r.register(discoveryRelabel);
  r.register(prometheusRelabel);
  r.register(selfExporter);
  return r;
}
