// The release version; a test keeps it equal to package.json's.
export const VERSION = "0.1.0";

// The git commit a release binary was built from: `make release` passes
// `--define SOLDER_COMMIT='"<sha>"'` to `bun build`. Running the sources (bun/deno src/main.ts)
// leaves the global undeclared, so COMMIT is "" and the version line omits it.
declare const SOLDER_COMMIT: string | undefined;
export const COMMIT: string = typeof SOLDER_COMMIT === "string" ? SOLDER_COMMIT : "";
