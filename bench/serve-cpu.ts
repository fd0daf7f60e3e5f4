/**
 * The scoring server's CPU per request with the HTTP client in the same process: each build's
 * server (createScoringServer from its compiled dist/) listens on 127.0.0.1, a keep-alive client
 * sends `dataframe_split` requests of 1 and 100 rows, 8 at a time, and the process CPU time
 * (client + server) per request is printed per build, four rounds alternating the builds. The
 * client's share is the same for every build, so differences are the servers'. Steadier than
 * requests/s on a shared machine (bench/serve), since other processes' load adds little CPU time.
 *
 *   npm run build && BENCH_BUILDS=new=dist,old=/path/to/old/dist npx tsx bench/serve-cpu.ts
 */
import http from 'node:http';
const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const { saveCarsModel, pickColumns } = await import(`${root}/test/server/served-model-fixture.ts`);
const { carsRows } = await import(`${root}/test/steps/model-recipe-fixture.ts`);
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
const work = mkdtempSync(join(tmpdir(), 'speed-direct-'));
const modelDir = saveCarsModel(work);
const builds = Object.fromEntries(
  (process.env.BENCH_BUILDS ?? 'current=dist')
    .split(',')
    .map((pair) => pair.split('=') as [string, string])
    .map(([name, dir]) => [name, dir.startsWith('/') ? dir : `${root}/${dir}`]),
);
const names = Object.keys(builds);
const servers: Record<string, { port: number; columns: string[] }> = {};
for (const [name, dir] of Object.entries(builds)) {
  const { loadModel } = await import(`${dir}/models/index.js`);
  const { createScoringServer } = await import(`${dir}/server/scoring-server.js`);
  const model = await loadModel(modelDir);
  const app = createScoringServer({ model });
  await app.listen({ host: '127.0.0.1', port: 0 });
  servers[name] = {
    port: (app.server.address() as { port: number }).port,
    columns: (model.signature.inputs as { name: string }[]).map((spec) => spec.name),
  };
}
const columns = servers[names[0] as string]?.columns ?? [];
const rows = pickColumns(carsRows(), columns);
const body = (n: number) =>
  JSON.stringify({
    dataframe_split: {
      columns,
      data: rows.slice(0, n).map((r: Record<string, unknown>) => columns.map((c) => r[c])),
    },
  });
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function one(port: number, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/invocations',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode)))));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
async function run(port: number, payload: string, n: number) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: 8 }, () => one(port, payload)));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}
for (const rowsN of [1, 100]) {
  const payload = body(rowsN);
  for (const name of names) await run(servers[name]!.port, payload, 2000);
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < 4; r++)
    for (const name of names)
      out[name]!.push(Math.round((await run(servers[name]!.port, payload, 8000)) * 10) / 10);
  console.log(
    JSON.stringify({
      bench: 'serve-cpu',
      rows: rowsN,
      cpu_us_per_request_client_plus_server: out,
      load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
    }),
  );
}
rmSync(work, { recursive: true, force: true });
process.exit(0);
