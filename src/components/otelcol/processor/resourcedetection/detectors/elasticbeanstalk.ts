// The `elasticbeanstalk` detector (spec: alloy-components.md §2.5): the AWS X-Ray configuration
// file present on Elastic Beanstalk instances that have X-Ray enabled. No file → not on
// Beanstalk; a file that is not a JSON object → error (as upstream).

import { onlyEnabled, type Detection, type Detector } from "../detector.ts";
import { absent, parseObject } from "./metadata_http.ts";

/** The X-Ray environment file on Linux and on Windows Beanstalk platforms. */
export const BEANSTALK_CONF_LINUX = "/var/elasticbeanstalk/xray/environment.conf";
export const BEANSTALK_CONF_WINDOWS = "C:\\Program Files\\Amazon\\XRay\\environment.conf";

/** `elasticbeanstalk`: environment name, version label and deployment id from the X-Ray file. */
export const elasticBeanstalkDetector: Detector = {
  name: "elasticbeanstalk",
  block: {},
  attributes: {
    "cloud.platform": true,
    "cloud.provider": true,
    "deployment.environment": true,
    "service.instance.id": true,
    "service.version": true,
  },
  async detect(ctx, _args, enabled): Promise<Detection> {
    const path = process.platform === "win32" ? BEANSTALK_CONF_WINDOWS : BEANSTALK_CONF_LINUX;
    let text: string;
    try {
      text = await ctx.readFile(path);
    } catch (err) {
      return absent(ctx, "elasticbeanstalk", `cannot read ${path}: ${(err as Error).message}`);
    }
    const conf = parseObject(text, path);
    const deploymentId = conf.deployment_id ?? 0;
    // Go decodes deployment_id into an int: anything else fails the decode.
    if (typeof deploymentId !== "number" || !Number.isInteger(deploymentId)) throw new Error(`malformed ${path}: deployment_id is not an integer`);
    const attributes = onlyEnabled(
      {
        "cloud.provider": "aws",
        "cloud.platform": "aws_elastic_beanstalk",
        // A missing deployment_id is Go's zero value, as upstream reports it.
        "service.instance.id": String(deploymentId),
        "deployment.environment": stringField(conf, "environment_name", path),
        "service.version": stringField(conf, "version_label", path),
      },
      enabled,
    );
    return { attributes, schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};

/** A string member, absent when missing; another type fails the decode as in Go. */
function stringField(conf: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = conf[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Error(`malformed ${path}: ${key} is not a string`);
  return v;
}
