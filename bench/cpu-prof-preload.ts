/**
 * `node --cpu-prof` for processes we do not start ourselves (Node refuses `--cpu-prof` in
 * NODE_OPTIONS): preloaded with `NODE_OPTIONS=--require …/cpu-prof-preload.js` and
 * `BENCH_CPU_PROF_DIR=DIR`, it profiles the process from load to exit through the in-process
 * inspector and writes DIR/<pid>.cpuprofile (also on SIGINT/SIGTERM, which is how the Pulumi
 * engine stops its plugins). Used by bench/scale.ts --cpu-prof; read with bench/cpu-profile.js.
 */
import * as fs from "node:fs";
import * as inspector from "node:inspector";
import * as path from "node:path";

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // In-process inspector messages are dispatched synchronously: the profile is here before exit.
    session.post("Profiler.stop", (err, res) => {
      if (err || !res) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  };
  process.on("exit", write);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      write();
      process.exit(128 + (sig === "SIGINT" ? 2 : 15));
    });
  }
}
