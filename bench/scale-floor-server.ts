/**
 * The floor's server (bench/scale.ts): a local HTTP server that answers every request after the
 * same injected latency as the emulator, keeping each object as the JSON it was sent. It is the
 * least a dynamic provider's HTTP call can cost. Run as its own process so its CPU is measured
 * apart:
 *
 *   node dist/bench/scale-floor-server.js <latencyMs>     prints `floor <url>` once listening
 *
 * Counters (not delayed): GET /_floor/requests -> {"GET": n, …}; DELETE /_floor/requests resets.
 */
import * as http from "node:http";

const latencyMs = Number(process.argv[2] ?? 0);
const objects = new Map<string, string>();
let counts: Record<string, number> = {};

const server = http.createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (c: string) => (body += c));
  req.on("end", () => {
    const url = req.url ?? "/";
    const method = req.method ?? "GET";
    if (url.startsWith("/_floor/requests")) {
      if (method === "DELETE") counts = {};
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(counts));
      return;
    }
    counts[method] = (counts[method] ?? 0) + 1;
    setTimeout(() => {
      let answer = "{}";
      if (method === "POST" || method === "PUT" || method === "PATCH") objects.set(url, (answer = body || "{}"));
      else if (method === "DELETE") objects.delete(url);
      else answer = objects.get(url) ?? "{}";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(answer);
    }, latencyMs);
  });
});

server.listen(0, "127.0.0.1", () => {
  const a = server.address() as { port: number };
  process.stdout.write(`floor http://127.0.0.1:${a.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
