// Where commands read and write, so tests can run them in-process.

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Uint8Array>;
}

/** The process's real streams. */
export const processIo: Io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readStdin: async () => {
    const chunks: Uint8Array[] = [];
    for await (const c of process.stdin) chunks.push(c as Uint8Array);
    return Buffer.concat(chunks);
  },
};
