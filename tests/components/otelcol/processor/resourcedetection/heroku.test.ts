import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { herokuDetector } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/heroku.ts";
import { all, fakeContext, only } from "./local_fakes.ts";

const DYNO_ENV = {
  HEROKU_APP_ID: "2daa2797-e42b-4624-9322-ec3f968df4da",
  HEROKU_APP_NAME: "shop",
  HEROKU_DYNO_ID: "1vac4117-c29f-4312-521e-ba4d8638c1ac",
  HEROKU_RELEASE_CREATED_AT: "2022-10-23T18:00:42Z",
  HEROKU_RELEASE_VERSION: "v42",
  HEROKU_SLUG_COMMIT: "e6134959463efd8966b20e75b913cafe3f5ec",
  DYNO: "web.1",
};

describe("heroku detector (spec §2.5)", () => {
  test("maps the dyno metadata variables to attributes", async () => {
    const d = await herokuDetector.detect(fakeContext({ env: DYNO_ENV }), {}, all);
    assert.deepEqual(d.attributes, {
      "cloud.provider": "heroku",
      "heroku.app.id": "2daa2797-e42b-4624-9322-ec3f968df4da",
      "service.name": "shop",
      "service.instance.id": "1vac4117-c29f-4312-521e-ba4d8638c1ac",
      "heroku.dyno.id": "web.1",
      "heroku.release.commit": "e6134959463efd8966b20e75b913cafe3f5ec",
      "heroku.release.creation_timestamp": "2022-10-23T18:00:42Z",
      "service.version": "v42",
    });
    assert.equal(d.schemaUrl, "https://opentelemetry.io/schemas/1.6.1");
  });

  test("every attribute is on by default", () => {
    assert.ok(Object.values(herokuDetector.attributes).every((on) => on));
  });

  test("missing variables leave their attributes out", async () => {
    const d = await herokuDetector.detect(fakeContext({ env: { HEROKU_APP_ID: "id", HEROKU_RELEASE_VERSION: "v1" } }), {}, all);
    assert.deepEqual(d.attributes, { "cloud.provider": "heroku", "heroku.app.id": "id", "service.version": "v1" });
  });

  test("not on Heroku → nothing, and not an error", async () => {
    const ctx = fakeContext({ env: { DYNO: "web.1" } });
    assert.deepEqual((await herokuDetector.detect(ctx, {}, all)).attributes, {});
  });

  test("not on Heroku with fail_on_missing_metadata → MissingMetadataError", async () => {
    await assert.rejects(herokuDetector.detect(fakeContext({ failOnMissingMetadata: true }), {}, all), MissingMetadataError);
  });

  test("switched-off attributes are left out", async () => {
    const d = await herokuDetector.detect(fakeContext({ env: DYNO_ENV }), {}, only("service.name", "cloud.provider"));
    assert.deepEqual(d.attributes, { "cloud.provider": "heroku", "service.name": "shop" });
  });
});
