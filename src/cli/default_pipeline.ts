// The pipeline `solder run` uses when given no configuration: OTLP in on the standard ports,
// batched, printed by the debug exporter. Enough to try solder with any OpenTelemetry SDK.

export const DEFAULT_PIPELINE_NAME = "<built-in default pipeline>";

export const DEFAULT_PIPELINE = `// solder's built-in default pipeline.
otelcol.receiver.otlp "default" {
	grpc { }

	http { }

	output {
		metrics = [otelcol.processor.batch.default.input]
		logs    = [otelcol.processor.batch.default.input]
		traces  = [otelcol.processor.batch.default.input]
	}
}

otelcol.processor.batch "default" {
	output {
		metrics = [otelcol.exporter.debug.default.input]
		logs    = [otelcol.exporter.debug.default.input]
		traces  = [otelcol.exporter.debug.default.input]
	}
}

otelcol.exporter.debug "default" {
	verbosity = "basic"
}
`;
