// The `heroku` detector (spec: alloy-components.md §2.5): the dyno metadata Heroku puts into the
// environment when the runtime-dyno-metadata feature is on. Not on Heroku (no HEROKU_APP_ID and
// no HEROKU_DYNO_ID) → nothing; every variable is optional otherwise.

import type { Detection, Detector } from "../detector.ts";
import { MissingMetadataError, onlyEnabled } from "../detector.ts";

/** Attribute → the environment variable it comes from (upstream heroku detector). */
const FROM_ENV: Record<string, string> = {
  "heroku.app.id": "HEROKU_APP_ID",
  "service.name": "HEROKU_APP_NAME",
  "service.instance.id": "HEROKU_DYNO_ID",
  "heroku.dyno.id": "DYNO",
  "heroku.release.commit": "HEROKU_SLUG_COMMIT",
  "heroku.release.creation_timestamp": "HEROKU_RELEASE_CREATED_AT",
  "service.version": "HEROKU_RELEASE_VERSION",
};

/** `heroku`: dyno metadata from the environment. */
export const herokuDetector: Detector = {
  name: "heroku",
  attributes: {
    "cloud.provider": true,
    "heroku.app.id": true,
    "heroku.dyno.id": true,
    "heroku.release.commit": true,
    "heroku.release.creation_timestamp": true,
    "service.instance.id": true,
    "service.name": true,
    "service.version": true,
  },
  async detect(ctx, _args, enabled): Promise<Detection> {
    const schemaUrl = "https://opentelemetry.io/schemas/1.6.1";
    if (ctx.env("HEROKU_APP_ID") === undefined && ctx.env("HEROKU_DYNO_ID") === undefined) {
      if (ctx.failOnMissingMetadata) throw new MissingMetadataError("heroku metadata unavailable: HEROKU_APP_ID and HEROKU_DYNO_ID are not set");
      ctx.logger.debug("heroku metadata unavailable");
      return { attributes: {}, schemaUrl };
    }
    const found: Record<string, string | undefined> = { "cloud.provider": "heroku" };
    for (const [attribute, variable] of Object.entries(FROM_ENV)) found[attribute] = ctx.env(variable);
    return { attributes: onlyEnabled(found, enabled), schemaUrl };
  },
};
