/**
 * npm run bench:web — the student pages under a class's load, at the HTTP level on loopback (the
 * server pinned to core 0 and this load generator to core 1 where taskset exists). 200 simulated
 * students, each a user of its own signed in through /login with its own session cookie and CSRF
 * token, each over its own keep-alive connection, loop: load a question page
 * (GET /practice/self-attention?seed=…: a new stored variant, prompt typeset), then submit every
 * step as the page's grid cells with one early slip carried through the later steps (POST
 * /practice/v/{id}: read, graded, stored, the results page rendered).
 *  1. flat out: every student sends its next request as soon as its last one answers (throughput:
 *     page views per second; latency under saturation);
 *  2. paced: the students' requests start on an even schedule at fixed rates (the way a class
 *     works), whatever the replies do; p50/p95/p99 per request kind (the target: p95 ≤ 50 ms at
 *     1,000 page views/s).
 * A page view is one HTML page served (a question page or a results page).
 *
 * Run with one server process (pinned to core 0, the load to core 1) and then with STEPWISE_WORKERS=2
 * (the server's processes and the load share both cores, as they would on a 2-core host); the
 * server's CPU is summed over its processes, and the load generator's own CPU is reported too.
 *
 *   node dist/bench/web.js [seconds per round] [rounds] [assigned,fresh] [workers: 1,2]
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProblem } from '../src/engine.js';
import { slippedAnswers } from './core.js';
import { RawConnection } from './raw-http.js';
import { BENCH_KEY, cpuMs, freePort, rssMb, startStepwise, stop } from './servers.js';
import { percentile, summarise } from './stats.js';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const SCENARIOS = (process.argv[4] ?? 'assigned,fresh').split(',') as ('assigned' | 'fresh')[];
/** Server processes to compare (STEPWISE_WORKERS): one pinned to a core of its own, then several sharing the machine. */
const WORKERS = (process.argv[5] ?? '1,2').split(',').map(Number);
const STUDENTS = 200;
/** Distinct seeds the students draw from (each visit still stores a new variant). */
const SEEDS = 50;
const PACED_RATES = [200, 1000];
const TOPIC = 'self-attention';

type Kind = 'question page' | 'submit';

interface Student {
  cookie: string;
  csrf: string;
  agent: http.Agent;
  /** The measured requests' connection (bench/raw-http.ts: light on the load generator's CPU). */
  conn: RawConnection;
  /** The variant on the student's page and its seed, once a page is loaded. */
  variant?: { id: string; seed: number };
  n: number;
}

interface Sample {
  kind: Kind;
  ms: number;
  ok: boolean;
  /** The HTTP status (0: no reply), for the failures' tally. */
  status: number;
}

let host = '127.0.0.1';
let port = 0;
let origin = '';

function request(
  agent: http.Agent,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Each seed's submission: the grid cells of every step, one early slip carried (bench/core.ts). */
function formFor(seed: number): string {
  const params = JSON.parse(JSON.stringify(generateProblem(TOPIC, seed, 'medium').params)) as object;
  const answers = slippedAnswers(TOPIC, params as never);
  const fields = new URLSearchParams();
  const cell = (x: number | null) => (x === null ? '-inf' : String(Number(x.toFixed(6))));
  for (const [id, v] of Object.entries(answers)) {
    if (Array.isArray(v) && Array.isArray(v[0])) (v as (number | null)[][]).forEach((r, i) => r.forEach((x, j) => fields.append(`answers[${id}][${i}][${j}]`, cell(x))));
    else if (Array.isArray(v)) (v as (number | null)[]).forEach((x, j) => fields.append(`answers[${id}][${j}]`, cell(x)));
    else fields.append(`answers[${id}]`, typeof v === 'number' ? cell(v) : String(v));
  }
  fields.append('action', 'submit');
  return fields.toString();
}

async function makeStudents(): Promise<Student[]> {
  const out: Student[] = [];
  const setup = new http.Agent({ keepAlive: true, maxSockets: 16 });
  for (let k = 0; k < STUDENTS; k++) {
    const user = await request(setup, 'POST', '/api/v1/users', { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` }, JSON.stringify({ name: `Student ${k}`, role: 'student' }));
    if (user.status !== 201) throw new Error(`could not create a student: ${user.status} ${user.text}`);
    const key = (JSON.parse(user.text) as { apiKey: string }).apiKey;
    const login = await request(setup, 'POST', '/login', { 'content-type': 'application/x-www-form-urlencoded', origin }, new URLSearchParams({ key, next: '/' }).toString());
    const set = [login.headers['set-cookie'] ?? []].flat()[0];
    if (login.status !== 303 || !set) throw new Error(`sign-in failed: ${login.status}`);
    const cookie = /^([^;]+)/.exec(set)![1];
    const home = await request(setup, 'GET', '/', { cookie });
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(home.text)?.[1];
    if (home.status !== 200 || !csrf) throw new Error(`home page failed: ${home.status}`);
    out.push({ cookie, csrf, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), conn: new RawConnection(host, port), n: k });
  }
  setup.destroy();
  return out;
}

const forms = new Map<number, string>();
const formOf = (seed: number): string => {
  let f = forms.get(seed);
  if (f === undefined) forms.set(seed, (f = formFor(seed)));
  return f;
};

/**
 * Which question pages the students open: 'assigned' — the class works an exercise set with
 * given seeds (?seed=, 50 of them), so the same numbers come back; 'fresh' — a new random variant
 * at every visit (no seed: every prompt, hint and solution typeset anew).
 */
type Scenario = 'assigned' | 'fresh';
let scenario: Scenario = 'assigned';

const ACTION = Buffer.from('action="/practice/v/');
const SEED_MARK = Buffer.from(' · seed ');
const CARRIED = Buffer.from('data-status="carried"');

/** The student's next request: a question page when it has none open, else submitting it. */
async function step(s: Student): Promise<Sample> {
  const t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  try {
    if (!s.variant) {
      const query = scenario === 'assigned' ? `?seed=${s.n++ % SEEDS}&difficulty=medium` : '?difficulty=medium';
      const r = await s.conn.request(`GET /practice/${TOPIC}${query} HTTP/1.1\r\nHost: ${host}:${port}\r\nCookie: ${s.cookie}\r\n\r\n`);
      const at = r.body.indexOf(ACTION);
      const id = at < 0 ? undefined : r.body.toString('latin1', at + ACTION.length, r.body.indexOf('"', at + ACTION.length));
      // The page names its seed (none shown for seed 0).
      const sAt = r.body.indexOf(SEED_MARK);
      const seed = sAt < 0 ? 0 : parseInt(r.body.toString('latin1', sAt + SEED_MARK.length, sAt + SEED_MARK.length + 12), 10);
      const ok = r.status === 200 && id !== undefined;
      if (ok) s.variant = { id, seed };
      return { kind: 'question page', ms: ms(), ok, status: r.status };
    }
    const { id, seed } = s.variant;
    s.variant = undefined;
    const body = `_csrf=${encodeURIComponent(s.csrf)}&${formOf(seed)}`;
    const r = await s.conn.request(
      `POST /practice/v/${encodeURIComponent(id)} HTTP/1.1\r\nHost: ${host}:${port}\r\nCookie: ${s.cookie}\r\nOrigin: ${origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return { kind: 'submit', ms: ms(), ok: r.status === 200 && r.body.includes(CARRIED), status: r.status };
  } catch {
    return { kind: s.variant ? 'submit' : 'question page', ms: ms(), ok: false, status: 0 };
  }
}

interface Run {
  views: number;
  seconds: number;
  samples: Sample[];
  peakRssMb: number;
  /** CPU time the server used in the run (user + system, all its processes), ms: unlike wall time, other load on the machine hardly moves it. */
  cpuMs: number;
  /** CPU time this load generator used in the run, ms. */
  loadCpuMs: number;
}

async function sampled<T>(pid: number, f: () => Promise<T>): Promise<T & { peakRssMb: number; cpuMs: number; loadCpuMs: number }> {
  let peak = 0;
  const sampler = setInterval(() => void rssMb(pid).then((mb) => (peak = Math.max(peak, mb)), () => undefined), 100);
  const cpu0 = cpuMs(pid);
  const load0 = process.cpuUsage();
  const out = await f();
  const load = process.cpuUsage(load0);
  clearInterval(sampler);
  return { ...out, peakRssMb: Math.max(peak, await rssMb(pid)), cpuMs: cpuMs(pid) - cpu0, loadCpuMs: (load.user + load.system) / 1000 };
}

/** Closed loop: each student sends its next request as soon as the last one answers. */
async function flatOut(students: Student[], seconds: number): Promise<Omit<Run, 'peakRssMb' | 'cpuMs' | 'loadCpuMs'>> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    students.map(async (s) => {
      while (performance.now() < end) samples.push(await step(s));
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { views: samples.filter((x) => x.ok).length, seconds: elapsed, samples };
}

/**
 * Open loop per class: request k of the whole class is due at t0 + k / rate, from student
 * k mod 200 (so each student acts every 200 / rate seconds); a student still waiting for its last
 * reply sends as soon as it arrives, and the delay counts in the latency (no coordinated omission).
 */
async function paced(students: Student[], rate: number, seconds: number): Promise<Omit<Run, 'peakRssMb' | 'cpuMs' | 'loadCpuMs'>> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  const perStudent = Math.floor((rate * seconds) / students.length);
  // A server far behind the schedule would keep the run going for minutes: stop sending at twice
  // the planned time; what was never sent counts as not served (the rate achieved says so).
  const stopAt = t0 + 2 * seconds * 1000;
  await Promise.all(
    students.map(async (s, i) => {
      for (let n = 0; n < perStudent && performance.now() < stopAt; n++) {
        const due = t0 + ((n * students.length + i) * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const late = Math.max(0, performance.now() - due);
        const x = await step(s);
        samples.push({ ...x, ms: x.ms + late });
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { views: samples.filter((x) => x.ok).length, seconds: elapsed, samples };
}

function latency(samples: Sample[], kind: Kind): { p50: number; p95: number; p99: number; n: number; failed: number } {
  const of = samples.filter((x) => x.kind === kind);
  const ok = of.filter((x) => x.ok).map((x) => x.ms).sort((a, b) => a - b);
  return { p50: percentile(ok, 50), p95: percentile(ok, 95), p99: percentile(ok, 99), n: ok.length, failed: of.length - ok.length };
}

const med = (xs: number[]) => summarise(xs).median;
const f1 = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const cores = spawnSync('nproc').stdout?.toString().trim() || '1';
  for (const workers of WORKERS) {
    // One process: server on core 0, load on core 1. Several: everything shares every core.
    const pinned = spawnSync('taskset', ['-p', '-c', workers === 1 ? '1' : `0-${Number(cores) - 1}`, String(process.pid)]).status === 0 && workers === 1;
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-web-'));
    const server = await startStepwise(join(dir, 'bench.db'), await freePort(), pinned ? 0 : undefined, workers);
    const u = new URL(server.url);
    host = u.hostname;
    port = Number(u.port);
    origin = server.url;
    try {
      const students = await makeStudents();
      const how = workers === 1 ? `one server process${pinned ? ' on core 0, load on core 1' : ''}` : `${workers} server processes (STEPWISE_WORKERS=${workers}) and the load sharing ${cores} cores`;
      console.log(`Web pages benchmark, loopback, ${STUDENTS} signed-in students (own cookie and CSRF token each), ${ROUNDS} rounds × ${SECONDS} s, ${how}, Node ${process.version}`);
      console.log('  (medians over the rounds; latency in ms; a page view is a question page or a results page served)');
      for (const which of SCENARIOS) await measure(which, students, server.pid);
      for (const s of students) s.conn.close();
    } finally {
      await stop(server);
    }
  }
}

async function measure(which: Scenario, students: Student[], pid: number): Promise<void> {
  {
    scenario = which;
    // Warm up (JIT, the caches, SQLite's pages), then alternate the kinds of round.
    await flatOut(students, Math.min(3, SECONDS));
    const flat: Run[] = [];
    const pace = new Map<number, Run[]>(PACED_RATES.map((r) => [r, []]));
    for (let round = 0; round < ROUNDS; round++) {
      flat.push(await sampled(pid, () => flatOut(students, SECONDS)));
      for (const rate of PACED_RATES) pace.get(rate)!.push(await sampled(pid, () => paced(students, rate, SECONDS)));
    }
    console.log(which === 'assigned' ? ` A class on an assigned exercise (${SEEDS} seeds, ?seed=; each visit still stores a new variant):` : ' A new random variant at every visit (no seed):');
    const line = (name: string, runs: Run[]) => {
      const rates = runs.map((r) => r.views / r.seconds);
      const failures = runs.flatMap((r) => r.samples.filter((x) => !x.ok));
      const tally = [...new Set(failures.map((x) => `${x.kind} ${x.status || 'no reply'}`))].map((k) => `${failures.filter((x) => `${x.kind} ${x.status || 'no reply'}` === k).length}× ${k}`);
      const perView = med(runs.map((r) => r.cpuMs / Math.max(1, r.views)));
      const loadPerView = med(runs.map((r) => r.loadCpuMs / Math.max(1, r.views)));
      console.log(`  ${name}: ${Math.round(med(rates))} page views/s (rounds: ${rates.map((x) => Math.round(x)).join(', ')}), failed ${failures.length}${tally.length > 0 ? ` (${tally.join(', ')})` : ''}, server peak RSS ${Math.max(...runs.map((r) => r.peakRssMb)).toFixed(0)} MB; server CPU ${perView.toFixed(2)} ms per page view (≈ ${Math.round(1000 / perView)} views/s for a core of its own), load generator CPU ${loadPerView.toFixed(2)} ms`);
      for (const kind of ['question page', 'submit'] as const) {
        const l = runs.map((r) => latency(r.samples, kind));
        console.log(`    ${kind.padEnd(13)} p50 ${f1(med(l.map((x) => x.p50)))}  p95 ${f1(med(l.map((x) => x.p95)))}  p99 ${f1(med(l.map((x) => x.p99)))}  (${Math.round(med(l.map((x) => x.n)))} per round)`);
      }
    };
    line('flat out (each student sends as soon as answered)', flat);
    for (const rate of PACED_RATES) line(`paced at ${rate} requests/s arriving evenly (target: p95 ≤ 50 ms at 1000)`, pace.get(rate)!);
  }
}

if (process.argv[1]?.endsWith('web.js')) await main();
