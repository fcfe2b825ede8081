/**
 * The demo page's server: bundles the page script and the simulator worker for the browser
 * with `Bun.build` (in memory, at start-up), and serves them with the page, uPlot's script and
 * stylesheet from node_modules — everything from 127.0.0.1, nothing from a CDN.
 *
 * Only requests that name the server as a loopback host are answered. A page on another site
 * could otherwise point a host name of its own at 127.0.0.1 (DNS rebinding) and, being then
 * "same origin", read what this server returns; the browser still sends that foreign name in
 * the Host header, which is what gives it away.
 * @module
 */
import { readFileSync } from "node:fs";

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

const here = (file: string) => new URL(file, import.meta.url);

/**
 * Modules the library loads only on demand with `import()` — the broker clients (ioredis,
 * amqplib, nats, mqtt), which need Node's sockets — cannot run in a browser and are never
 * called by the simulator. Each becomes a stub that says so if it is ever loaded.
 */
const browserStubs: Bun.BunPlugin = {
  name: "queuelab-browser-stubs",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === "dynamic-import" ? { path: args.path, namespace: "queuelab-browser-stub" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "queuelab-browser-stub" }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not available in the browser`)});`,
      loader: "js",
    }));
  },
};

/** Bundles one entry point for the browser; throws with the build log when it fails. */
async function bundle(entry: string): Promise<string> {
  let built: Bun.BuildOutput;
  try {
    built = await Bun.build({
      entrypoints: [Bun.fileURLToPath(here(entry))],
      target: "browser",
      format: "esm",
      minify: true,
      plugins: [browserStubs],
    });
  } catch (error) {
    // Bun throws an AggregateError of build messages when resolution fails.
    const messages = (error as { errors?: unknown[] }).errors?.map(String) ?? [String(error)];
    throw new Error(`Cannot bundle ${entry} for the browser:\n${messages.join("\n")}`);
  }
  if (!built.success || built.outputs.length === 0) {
    throw new Error(`Cannot bundle ${entry} for the browser:\n${built.logs.map(String).join("\n")}`);
  }
  return await built.outputs[0]!.text();
}

function uplotFile(name: string): string {
  return readFileSync(Bun.fileURLToPath(import.meta.resolve(`uplot/dist/${name}`)), "utf8");
}

/** The loopback names a request may give in its Host header. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/**
 * True when `host` (a Host header) is a loopback name with this server's port. The port may be
 * left out only on port 80, where browsers leave it out themselves.
 */
export function allowedHost(host: string | null, port: number): boolean {
  if (host === null) return false;
  const name = host.toLowerCase();
  return LOOPBACK_NAMES.some((loopback) => name === `${loopback}:${port}` || (port === 80 && name === loopback));
}

/** Builds the page's assets and starts serving them. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const [pageJs, workerJs] = await Promise.all([bundle("./page.ts"), bundle("./worker.ts")]);
  const files: Record<string, { body: string; type: string }> = {
    "/": { body: readFileSync(here("./page.html"), "utf8"), type: "text/html; charset=utf-8" },
    "/page.js": { body: pageJs, type: "text/javascript; charset=utf-8" },
    "/worker.js": { body: workerJs, type: "text/javascript; charset=utf-8" },
    "/uplot.js": { body: uplotFile("uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
    "/uplot.css": { body: uplotFile("uPlot.min.css"), type: "text/css; charset=utf-8" },
  };
  const server = Bun.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port,
    fetch(request, self) {
      const port = self.port ?? 0;
      if (!allowedHost(request.headers.get("host"), port)) {
        return new Response(
          `queuelab serve answers only requests addressed to localhost:${port}, 127.0.0.1:${port} or [::1]:${port}\n`,
          { status: 403, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } },
        );
      }
      const path = new URL(request.url).pathname;
      const file = files[path === "/index.html" ? "/" : path];
      if (!file) return new Response("not found", { status: 404 });
      return new Response(file.body, { headers: { "content-type": file.type, "cache-control": "no-store" } });
    },
  });
  return {
    url: `http://${server.hostname}:${server.port}/`,
    stop: async () => {
      await server.stop(true);
    },
  };
}
