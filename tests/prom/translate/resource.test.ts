// Resource and scope: job/instance, target_info, scope labels and otel_scope_info,
// resource_to_telemetry_conversion (alloy-components.md §6.1, prometheus.md §4.1–§4.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ResourceMetricsSchema } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { BARE, NOW_MS, attrs, convert, gauge, point, resource } from "./capture.ts";

const one = [gauge("g", [point(1)])];

describe("job and instance (prometheus.md §4.1)", () => {
  test("job = service.namespace/service.name", () => {
    const c = convert([resource(one, { "service.name": "api", "service.namespace": "shop" })], BARE);
    assert.deepEqual(c.lines(), ['g{job="shop/api"} 1']);
  });

  test("job = service.name alone without a namespace", () => {
    assert.deepEqual(convert([resource(one, { "service.name": "api" })], BARE).lines(), ['g{job="api"} 1']);
  });

  test("no job without service.name (a namespace alone is not used)", () => {
    assert.deepEqual(convert([resource(one, { "service.namespace": "shop" })], BARE).lines(), ["g{} 1"]);
  });

  test("instance = service.instance.id; none without it", () => {
    assert.deepEqual(convert([resource(one, { "service.name": "api", "service.instance.id": "pod-1" })], BARE).lines(), ['g{instance="pod-1",job="api"} 1']);
    assert.deepEqual(convert([resource(one, {})], BARE).lines(), ["g{} 1"]);
  });

  test("non-string service attributes are stringified", () => {
    assert.deepEqual(convert([resource(one, { "service.name": 7n, "service.instance.id": true })], BARE).lines(), ['g{instance="true",job="7"} 1']);
  });

  test("empty values mean absent labels", () => {
    assert.deepEqual(convert([resource(one, { "service.name": "", "service.instance.id": "" })], BARE).lines(), ["g{} 1"]);
  });

  test("other resource attributes are not copied onto series by default", () => {
    assert.deepEqual(convert([resource(one, { "service.name": "api", "host.name": "h1" })], BARE).lines(), ['g{job="api"} 1']);
  });

  test("a data-point attribute called job or instance wins over the resource's (Alloy: attributes are set last)", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs({ job: "mine", instance: "i" }) })])], { "service.name": "api", "service.instance.id": "x" })], BARE);
    assert.deepEqual(c.lines(), ['g{instance="i",job="mine"} 1']);
  });

  test("a data-point attribute with an empty value removes job", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs({ job: "" }) })])], { "service.name": "api" })], BARE);
    assert.deepEqual(c.lines(), ["g{} 1"]);
  });
});

describe("target_info (alloy-components §6.1, prometheus.md §4.2)", () => {
  const res = { "service.name": "api", "service.namespace": "shop", "service.instance.id": "pod-1", "host.name": "h1", "k8s.pod.uid": "u" };

  test("one target_info per resource: job, instance and the other resource attributes, value 1", () => {
    const c = convert([resource(one, res)], { includeScopeLabels: false });
    assert.deepEqual(c.lines(), ['target_info{host_name="h1",instance="pod-1",job="shop/api",k8s_pod_uid="u"} 1', 'g{instance="pod-1",job="shop/api"} 1']);
  });

  test("stamped with the current time (Alloy writes it at time.Now())", () => {
    const c = convert([resource(one, res)]);
    assert.equal(c.one('target_info{host_name="h1",instance="pod-1",job="shop/api",k8s_pod_uid="u"}').ts, NOW_MS);
  });

  test("the three service attributes are left out", () => {
    const c = convert([resource(one, { "service.name": "api", "service.namespace": "shop", "service.instance.id": "pod-1" })]);
    assert.deepEqual(c.lines()[0], 'target_info{instance="pod-1",job="shop/api"} 1');
  });

  test("keep_identifying_resource_attributes keeps them as labels too", () => {
    const c = convert([resource(one, res)], { keepIdentifyingResourceAttributes: true });
    assert.equal(c.lines()[0], 'target_info{host_name="h1",instance="pod-1",job="shop/api",k8s_pod_uid="u",service_instance_id="pod-1",service_name="api",service_namespace="shop"} 1');
  });

  test("written for every resource, even one with no other attributes (Alloy)", () => {
    assert.equal(convert([resource(one, {})]).lines()[0], "target_info{} 1");
  });

  test("no scope labels on target_info", () => {
    const c = convert([resource(one, res, { name: "lib", version: "1" })]);
    assert.doesNotMatch(c.lines()[0]!, /otel_scope/);
  });

  test("include_target_info = false: none", () => {
    assert.deepEqual(convert([resource(one, res)], { includeTargetInfo: false }).names(), ["g"]);
  });

  test("identical resources in one batch give one sample", () => {
    const c = convert([resource(one, res), resource([gauge("h", [point(2)])], res)]);
    assert.deepEqual(c.names(), ["target_info", "g", "h"]);
  });

  test("a resource attribute colliding with job after sanitising is set after job (Alloy's order)", () => {
    assert.equal(convert([resource(one, { "service.name": "api", job: "other" })]).lines()[0], 'target_info{job="other"} 1');
  });

  test("colliding resource attributes are joined with `;`", () => {
    assert.equal(convert([resource(one, { "a.b": "1", a_b: "2" })]).lines()[0], 'target_info{a_b="1;2"} 1');
  });

  test("a resource-less entry still gets its target_info", () => {
    const rm = create(ResourceMetricsSchema, { scopeMetrics: [{ metrics: one }] });
    assert.deepEqual(convert([rm]).lines(), ["target_info{} 1", "g{} 1"]);
  });

  test("namespace-prefixed when a namespace is configured", () => {
    assert.equal(convert([resource(one)], { namespace: "app" }).names()[0], "app_target_info");
  });
});

describe("scope labels and otel_scope_info (alloy-components §6.1, prometheus.md §4.3)", () => {
  test("include_scope_labels (default): otel_scope_name and otel_scope_version on every series", () => {
    const c = convert([resource(one, { "service.name": "api" }, { name: "io.lib", version: "1.2.3" })], { includeTargetInfo: false });
    assert.deepEqual(c.lines(), ['g{job="api",otel_scope_name="io.lib",otel_scope_version="1.2.3"} 1']);
  });

  test("empty scope name or version: label omitted", () => {
    const c = convert([resource(one, {}, { name: "io.lib" })], { includeTargetInfo: false });
    assert.deepEqual(c.lines(), ['g{otel_scope_name="io.lib"} 1']);
  });

  test("include_scope_labels = false: none", () => {
    assert.deepEqual(convert([resource(one, {}, { name: "io.lib", version: "1" })], BARE).lines(), ["g{} 1"]);
  });

  test("a data-point attribute otel_scope_name wins (Alloy sets attributes last)", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs({ "otel.scope.name": "mine" }) })])], {}, { name: "io.lib" })], { includeTargetInfo: false });
    assert.deepEqual(c.lines(), ['g{otel_scope_name="mine"} 1']);
  });

  test("include_scope_info: otel_scope_info{job, instance, name, version, scope attributes} 1 at the current time", () => {
    const rm = create(ResourceMetricsSchema, {
      resource: { attributes: attrs({ "service.name": "api", "service.instance.id": "i" }) },
      scopeMetrics: [{ scope: { name: "io.lib", version: "2", attributes: attrs({ "lib.flavour": "x" }) }, metrics: one }],
    });
    const c = convert([rm], { includeTargetInfo: false, includeScopeInfo: true });
    const info = c.one('otel_scope_info{instance="i",job="api",lib_flavour="x",otel_scope_name="io.lib",otel_scope_version="2"}');
    assert.equal(info.value, 1);
    assert.equal(info.ts, NOW_MS);
  });

  test("include_scope_info is off by default", () => {
    assert.ok(!convert([resource(one, {}, { name: "io.lib" })]).names().includes("otel_scope_info"));
  });
});

describe("resource_to_telemetry_conversion (prometheus.md §4.1, alloy-components §6.1)", () => {
  const res = { "service.name": "api", "host.name": "h1", "deployment.environment": "prod" };

  test("off by default: resource attributes stay on target_info only", () => {
    assert.deepEqual(convert([resource(one, res)], BARE).lines(), ['g{job="api"} 1']);
  });

  test("on: every resource attribute becomes a label, service attributes included", () => {
    const c = convert([resource(one, res)], { ...BARE, resourceToTelemetryConversion: true });
    assert.deepEqual(c.lines(), ['g{deployment_environment="prod",host_name="h1",job="api",service_name="api"} 1']);
  });

  test("on: data-point attributes win on clashes", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs({ "host.name": "from-point" }) })])], res)], { ...BARE, resourceToTelemetryConversion: true });
    assert.equal(c.one('g{deployment_environment="prod",host_name="from-point",job="api",service_name="api"}').value, 1);
  });

  test("on: the input batch is not modified", () => {
    const rm = resource(one, res);
    convert([rm], { resourceToTelemetryConversion: true });
    const point0 = rm.scopeMetrics[0]!.metrics[0]!.data.value!.dataPoints[0]!;
    assert.equal(point0.attributes.length, 0);
  });
});
