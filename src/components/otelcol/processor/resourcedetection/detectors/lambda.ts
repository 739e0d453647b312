// The `lambda` detector (spec: alloy-components.md §2.5): the environment variables the AWS
// Lambda runtime sets for every function. No network; AWS_LAMBDA_FUNCTION_NAME missing or empty
// means "not on Lambda".

import { onlyEnabled, type Detection, type Detector } from "../detector.ts";
import { absent } from "./metadata_http.ts";

/** `lambda`: function name, version, memory, region and log group/stream from the runtime env. */
export const lambdaDetector: Detector = {
  name: "lambda",
  block: {},
  attributes: {
    "aws.log.group.names": true,
    "aws.log.stream.names": true,
    "cloud.platform": true,
    "cloud.provider": true,
    "cloud.region": true,
    "faas.instance": true,
    "faas.max_memory": true,
    "faas.name": true,
    "faas.version": true,
  },
  async detect(ctx, _args, enabled): Promise<Detection> {
    const name = ctx.env("AWS_LAMBDA_FUNCTION_NAME");
    if (!name) return absent(ctx, "lambda", "AWS_LAMBDA_FUNCTION_NAME is not set");
    const logGroup = ctx.env("AWS_LAMBDA_LOG_GROUP_NAME");
    const logStream = ctx.env("AWS_LAMBDA_LOG_STREAM_NAME");
    const attributes = onlyEnabled(
      {
        "cloud.provider": "aws",
        "cloud.platform": "aws_lambda",
        "cloud.region": ctx.env("AWS_REGION"),
        "faas.name": name,
        "faas.version": ctx.env("AWS_LAMBDA_FUNCTION_VERSION"),
        // The FaaS conventions name the log stream as the instance of a Lambda function.
        "faas.instance": logStream,
        // Upstream copies the variable as a string (megabytes), not a byte count.
        "faas.max_memory": ctx.env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
        "aws.log.group.names": logGroup === undefined ? undefined : [logGroup],
        "aws.log.stream.names": logStream === undefined ? undefined : [logStream],
      },
      enabled,
    );
    return { attributes, schemaUrl: "https://opentelemetry.io/schemas/1.16.0" };
  },
};
