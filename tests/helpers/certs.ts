// Certificates made at test time with the openssl command line: a throwaway CA, a server
// certificate for 127.0.0.1 and a client certificate, both signed by it, plus a second CA that
// signed neither (for "wrong CA" cases). Files live in a fresh temporary directory.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A CA that signed nothing here, and a client certificate signed by it. */
  otherCaFile: string;
  strangerCertFile: string;
  strangerKeyFile: string;
  read(file: string): string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=${name}`]);
}

function makeSigned(dir: string, name: string, ca: string, ext: string): void {
  openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`]);
}

/** Generates a fresh PKI (about a second of openssl work). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "solder-pki-"));
  makeCa(dir, "ca");
  makeCa(dir, "otherca");
  makeSigned(dir, "server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  makeSigned(dir, "client", "ca", "extendedKeyUsage=clientAuth\n");
  makeSigned(dir, "stranger", "otherca", "extendedKeyUsage=clientAuth\n");
  const f = (n: string) => join(dir, n);
  return {
    dir,
    caFile: f("ca.pem"),
    serverCertFile: f("server.pem"),
    serverKeyFile: f("server.key"),
    clientCertFile: f("client.pem"),
    clientKeyFile: f("client.key"),
    otherCaFile: f("otherca.pem"),
    strangerCertFile: f("stranger.pem"),
    strangerKeyFile: f("stranger.key"),
    read: (file) => readFileSync(file, "utf8"),
  };
}
