// CORS for the OTLP/HTTP server, as the Collector's confighttp does it with rs/cors
// (alloy-components.md §1.2 `cors`, otlp.md §2 CORS): off unless `allowed_origins` is set;
// a preflight (OPTIONS with Access-Control-Request-Method) is answered 204 on any path and
// stops there; other requests go on and get the CORS headers when their origin is allowed.
// Credentials are allowed, as upstream configures rs/cors.

export interface CorsOptions {
  allowed_origins: string[];
  allowed_headers: string[];
  exposed_headers: string[];
  /** Seconds; undefined or 0 = no Access-Control-Max-Age. */
  max_age?: number;
}

/** Headers a page may always send (alloy-components.md §1.2). */
const ALWAYS_ALLOWED = ["accept", "accept-language", "content-type", "content-language"];
/** rs/cors lets simple methods through; OTLP only needs POST, but GET/HEAD reach 405 normally. */
const ALLOWED_METHODS = new Set(["GET", "POST", "HEAD"]);

/** A compiled CORS policy. */
export class Cors {
  private readonly anyOrigin: boolean;
  private readonly exact = new Set<string>();
  private readonly patterns: Array<{ prefix: string; suffix: string }> = [];
  private readonly anyHeader: boolean;
  private readonly headers: Set<string>;

  constructor(private readonly opts: CorsOptions) {
    this.anyOrigin = opts.allowed_origins.includes("*");
    for (const o of opts.allowed_origins.map((x) => x.toLowerCase())) {
      const star = o.indexOf("*");
      if (star < 0) this.exact.add(o);
      else this.patterns.push({ prefix: o.slice(0, star), suffix: o.slice(star + 1) });
    }
    const configured = opts.allowed_headers.map((h) => h.toLowerCase());
    this.anyHeader = configured.includes("*");
    this.headers = new Set([...ALWAYS_ALLOWED, ...configured]);
  }

  /** True when the request is a preflight that CORS answers by itself. */
  isPreflight(req: Request): boolean {
    return req.method === "OPTIONS" && (req.headers.get("access-control-request-method") ?? "") !== "";
  }

  /** The 204 answer to a preflight, with the allow headers when origin, method and headers pass. */
  preflight(req: Request): Response {
    const h = new Headers({ vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" });
    const origin = req.headers.get("origin") ?? "";
    const method = req.headers.get("access-control-request-method") ?? "";
    const requested = parseHeaderList(req.headers.get("access-control-request-headers") ?? "");
    if (origin !== "" && this.originAllowed(origin) && this.methodAllowed(method) && this.headersAllowed(requested)) {
      h.set("access-control-allow-origin", this.anyOrigin ? "*" : origin);
      h.set("access-control-allow-methods", method.toUpperCase());
      if (requested.length > 0) h.set("access-control-allow-headers", requested.join(", "));
      h.set("access-control-allow-credentials", "true");
      if (this.opts.max_age && this.opts.max_age > 0) h.set("access-control-max-age", String(this.opts.max_age));
    }
    return new Response(null, { status: 204, headers: h });
  }

  /** Adds the CORS headers of an actual (non-preflight) request to its response. */
  decorate(req: Request, res: Response): Response {
    const origin = req.headers.get("origin") ?? "";
    res.headers.append("vary", "Origin");
    if (origin === "" || !this.originAllowed(origin) || !this.methodAllowed(req.method)) return res;
    res.headers.set("access-control-allow-origin", this.anyOrigin ? "*" : origin);
    if (this.opts.exposed_headers.length > 0) res.headers.set("access-control-expose-headers", this.opts.exposed_headers.join(", "));
    res.headers.set("access-control-allow-credentials", "true");
    return res;
  }

  /** `*`, an exact origin, or a pattern with one `*` (e.g. `https://*.example.com`). */
  originAllowed(origin: string): boolean {
    if (this.anyOrigin) return true;
    const o = origin.toLowerCase();
    if (this.exact.has(o)) return true;
    return this.patterns.some((p) => o.length >= p.prefix.length + p.suffix.length && o.startsWith(p.prefix) && o.endsWith(p.suffix));
  }

  private methodAllowed(method: string): boolean {
    const m = method.toUpperCase();
    return m === "OPTIONS" || ALLOWED_METHODS.has(m);
  }

  private headersAllowed(requested: string[]): boolean {
    return this.anyHeader || requested.every((h) => this.headers.has(h));
  }
}

/** Lowercased, trimmed, non-empty names of a comma-separated header list. */
function parseHeaderList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
}
