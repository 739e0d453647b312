import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { BEANSTALK_CONF_LINUX, elasticBeanstalkDetector } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/elasticbeanstalk.ts";
import { lambdaDetector } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/lambda.ts";
import { context, detect } from "./fake_metadata.ts";

const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: "checkout",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_LOG_STREAM_NAME: "2024/01/01/[$LATEST]abcdef",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/checkout",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
  AWS_REGION: "eu-central-1",
};

describe("lambda detector", () => {
  test("reads the runtime environment", async () => {
    const d = await detect(lambdaDetector, context(LAMBDA_ENV), {});
    assert.deepEqual(d.attributes, {
      "cloud.provider": "aws",
      "cloud.platform": "aws_lambda",
      "cloud.region": "eu-central-1",
      "faas.name": "checkout",
      "faas.version": "$LATEST",
      "faas.instance": "2024/01/01/[$LATEST]abcdef",
      "faas.max_memory": "128",
      "aws.log.group.names": ["/aws/lambda/checkout"],
      "aws.log.stream.names": ["2024/01/01/[$LATEST]abcdef"],
    });
  });

  test("optional variables missing are left out", async () => {
    const d = await detect(lambdaDetector, context({ AWS_LAMBDA_FUNCTION_NAME: "f" }), {});
    assert.deepEqual(d.attributes, { "cloud.provider": "aws", "cloud.platform": "aws_lambda", "faas.name": "f" });
  });

  test("not on Lambda: no function name → empty, or MissingMetadataError when asked", async () => {
    assert.deepEqual(await detect(lambdaDetector, context({ AWS_REGION: "x" }), {}), { attributes: {} });
    assert.deepEqual(await detect(lambdaDetector, context({ AWS_LAMBDA_FUNCTION_NAME: "" }), {}), { attributes: {} });
    await assert.rejects(lambdaDetector.detect(context({}, { failOnMissingMetadata: true }), {}, () => true), MissingMetadataError);
  });

  test("resource_attributes switches", async () => {
    const d = await detect(lambdaDetector, context(LAMBDA_ENV), {}, { "aws.log.group.names": false, "aws.log.stream.names": false, "faas.max_memory": false, "faas.instance": false });
    assert.deepEqual(Object.keys(d.attributes).sort(), ["cloud.platform", "cloud.provider", "cloud.region", "faas.name", "faas.version"]);
  });
});

describe("elasticbeanstalk detector", () => {
  const conf = (text: string) => context({}, { files: { [BEANSTALK_CONF_LINUX]: text } });

  test("reads the X-Ray environment file", async () => {
    const d = await detect(elasticBeanstalkDetector, conf('{"deployment_id":23,"version_label":"env-version-1234","environment_name":"BETA"}'), {});
    assert.deepEqual(d.attributes, {
      "cloud.provider": "aws",
      "cloud.platform": "aws_elastic_beanstalk",
      "service.instance.id": "23",
      "deployment.environment": "BETA",
      "service.version": "env-version-1234",
    });
  });

  test("missing fields: absent strings are left out, a missing deployment id is 0 as upstream", async () => {
    const d = await detect(elasticBeanstalkDetector, conf('{"environment_name":"BETA"}'), {});
    assert.deepEqual(d.attributes, { "cloud.provider": "aws", "cloud.platform": "aws_elastic_beanstalk", "service.instance.id": "0", "deployment.environment": "BETA" });
  });

  test("malformed JSON or wrong types are errors", async () => {
    await assert.rejects(elasticBeanstalkDetector.detect(conf("{nope"), {}, () => true), /malformed JSON/);
    await assert.rejects(elasticBeanstalkDetector.detect(conf('{"deployment_id":"x"}'), {}, () => true), /deployment_id is not an integer/);
    await assert.rejects(elasticBeanstalkDetector.detect(conf('{"version_label":5}'), {}, () => true), /version_label is not a string/);
  });

  test("not on Beanstalk: no file → empty, or MissingMetadataError when asked", async () => {
    assert.deepEqual(await detect(elasticBeanstalkDetector, context({}), {}), { attributes: {} });
    await assert.rejects(elasticBeanstalkDetector.detect(context({}, { failOnMissingMetadata: true }), {}, () => true), MissingMetadataError);
  });

  test("resource_attributes switches", async () => {
    const d = await detect(elasticBeanstalkDetector, conf('{"deployment_id":1,"version_label":"v","environment_name":"e"}'), {}, { "service.version": false });
    assert.equal(d.attributes["service.version"], undefined);
    assert.equal(d.attributes["deployment.environment"], "e");
  });
});
