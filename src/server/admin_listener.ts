// The UI/API server's listener (--server.http.listen-addr), with the `http` block applied: basic
// auth in front of every route, and TLS that can be switched on, off or re-keyed by a reload.
//
// As in Alloy, the socket is bound once and a reload changes what new connections get: each
// accepted connection is wrapped in TLS (or not) by the settings current at accept time, and
// connections already open keep the protocol they started with. Connections that arrive before
// the first load has decided the settings wait for it, so nothing is ever served in the clear
// or without auth by accident. The certificate and key files are re-read for every connection
// (Alloy reads them for every handshake), so a rotated certificate needs no reload.

import { readFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import { type AddressInfo, type Server as NetServer, type Socket, createServer as createNetServer } from "node:net";
import { type SecureContext, TLSSocket, createSecureContext } from "node:tls";
import type { HttpBlockArgs, HttpTlsArgs } from "../runtime/http_block.ts";
import type { Logger } from "../runtime/logger.ts";
import { type Gate, OPEN, authGate } from "./admin_auth.ts";
import { type Handler, requestListener, splitHostPort } from "./http.ts";
import { opensslCipher } from "./tls.ts";

const NODE_VERSIONS = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" } as const;
const CURVES: Record<string, string> = { CurveP256: "prime256v1", CurveP384: "secp384r1", CurveP521: "secp521r1", X25519: "X25519" };

interface Settings {
  gate: Gate;
  tls?: TlsSetup;
}

/** What every new TLS connection needs: a way to get the current secure context, and the client-cert policy. */
interface TlsSetup {
  args: HttpTlsArgs;
  clientCa?: Buffer | string;
}

export class AdminListener {
  private settings?: Settings;
  private waiting: Socket[] = [];
  private readonly http: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly net: NetServer,
    handler: Handler,
    private readonly logger: Logger,
    /** The bound address as `host:port`. */
    readonly address: string,
  ) {
    const gated: Handler = (req) => (this.settings?.gate ?? OPEN)(req) ?? handler(req);
    this.http = createServer(requestListener(gated));
    // Node's defaults (300 s per request) would cut long UI streams; Alloy sets no limits either.
    this.http.requestTimeout = 0;
    this.http.headersTimeout = 0;
  }

  /** Binds `addr`; connections are held until the first `apply` or `settle`. Rejects when the address cannot be bound. */
  static listen(addr: string, handler: Handler, logger: Logger): Promise<AdminListener> {
    const { host, port } = splitHostPort(addr);
    let self: AdminListener | undefined;
    const net = createNetServer({ pauseOnConnect: true }, (socket) => self!.accept(socket));
    return new Promise((resolve, reject) => {
      net.once("error", reject);
      net.listen(port, host, () => {
        net.off("error", reject);
        net.on("error", (err) => logger.error("UI/API server error", { err }));
        const a = net.address() as AddressInfo;
        const shown = a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
        self = new AdminListener(net, handler, logger, shown);
        resolve(self);
      });
    });
  }

  /**
   * Applies an `http` block (undefined: none — no auth, plain HTTP). Reads the client CA and
   * checks that the certificate and key load, so a bad file fails the load that brought it and
   * the previous settings stay.
   */
  async apply(args: HttpBlockArgs | undefined): Promise<void> {
    let tls: TlsSetup | undefined;
    if (args?.tls) {
      tls = { args: args.tls };
      const ca = args.tls.client_ca_pem || (args.tls.client_ca_file ? await readOrFail(args.tls.client_ca_file, "client_ca_file") : undefined);
      if (ca !== undefined) tls.clientCa = ca;
      await secureContext(tls); // throws with a clear message when the pair does not load
    }
    const was = this.settings?.tls !== undefined;
    if (this.settings && was !== Boolean(tls)) {
      this.logger.info(tls ? "applying TLS config to HTTP server: new connections use TLS" : "applying non-TLS config to HTTP server: new connections use plain HTTP");
    }
    this.settings = { gate: authGate(args?.auth), tls };
    this.release();
  }

  /** After the first load: if it brought no `http` block, serve plain HTTP without auth. */
  settle(): void {
    if (!this.settings) this.settings = { gate: OPEN };
    this.release();
  }

  /** Whether the listener currently wraps new connections in TLS. */
  get tlsEnabled(): boolean {
    return Boolean(this.settings?.tls);
  }

  async close(): Promise<void> {
    for (const s of this.waiting) s.destroy();
    this.waiting = [];
    // Stop accepting first; the close callback only fires once every connection has ended.
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    this.http.closeAllConnections?.();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private release(): void {
    const held = this.waiting;
    this.waiting = [];
    for (const s of held) this.accept(s);
  }

  private accept(socket: Socket): void {
    if (!this.settings) {
      this.waiting.push(socket);
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const tls = this.settings.tls;
    if (!tls) {
      this.http.emit("connection", socket);
      socket.resume();
      return;
    }
    void this.wrap(socket, tls);
  }

  private async wrap(socket: Socket, tls: TlsSetup): Promise<void> {
    let context: SecureContext;
    try {
      context = await secureContext(tls);
    } catch (err) {
      this.logger.error("failed to load the http block's TLS certificate; closing the connection", { err });
      socket.destroy();
      return;
    }
    const mode = tls.args.client_auth_type;
    const t = new TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      requestCert: mode !== "NoClientCert",
      // Checked below per client_auth_type; node's own check would refuse every unverified certificate.
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
    } as ConstructorParameters<typeof TLSSocket>[1]);
    t.on("error", () => t.destroy());
    t.once("secure", () => {
      const peer = t.getPeerCertificate?.();
      const given = Boolean(peer && Object.keys(peer).length > 0);
      if (!clientCertAcceptable(mode, given, t.authorized)) {
        t.destroy();
        return;
      }
      this.http.emit("connection", t);
    });
    socket.resume();
  }
}

/** Whether a handshake satisfies client_auth_type (`given`: the client sent a certificate; `verified`: it chains to the CA). */
export function clientCertAcceptable(mode: HttpTlsArgs["client_auth_type"], given: boolean, verified: boolean): boolean {
  switch (mode) {
    case "NoClientCert":
    case "RequestClientCert":
      return true;
    case "RequireAnyClientCert":
      return given;
    case "VerifyClientCertIfGiven":
      return !given || verified;
    case "RequireAndVerifyClientCert":
      return given && verified;
  }
}

async function secureContext(tls: TlsSetup): Promise<SecureContext> {
  const a = tls.args;
  const cert = a.cert_pem || (await readOrFail(a.cert_file, "cert_file"));
  const key = a.key_pem?.value || (await readOrFail(a.key_file, "key_file"));
  const ciphers = a.cipher_suites.map((c) => opensslCipher(c) ?? "").filter((c) => c !== "");
  try {
    return createSecureContext({
      cert,
      key,
      ca: tls.clientCa,
      minVersion: NODE_VERSIONS[(a.min_version || "TLS12") as keyof typeof NODE_VERSIONS],
      maxVersion: NODE_VERSIONS[(a.max_version || "TLS13") as keyof typeof NODE_VERSIONS],
      ...(ciphers.length > 0 ? { ciphers: ciphers.join(":") } : {}),
      ...(a.curve_preferences.length > 0 ? { ecdhCurve: a.curve_preferences.map((c) => CURVES[c]).join(":") } : {}),
    });
  } catch (err) {
    // The message of a bad key never quotes the key; keep only node's reason.
    throw new Error(`failed to load the TLS certificate and key: ${(err as Error).message}`);
  }
}

async function readOrFail(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`failed to read ${what}: ${(err as Error).message}`);
  }
}
