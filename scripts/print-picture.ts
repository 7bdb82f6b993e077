/**
 * npm run print-picture — docs/printed-page.png and docs/printed-key.png for the README: the real
 * app (the built server on a loopback port, a fresh database), an exam created through the API,
 * Form B's PDF and answer key fetched from the instructor print routes (signed in with the
 * instructor key), and one page of each rendered with pdftoppm (poppler-utils).
 *
 *   node dist/scripts/print-picture.js [out dir]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { BENCH_KEY, freePort, startStepwise, stop } from '../bench/servers.js';

const OUT = process.argv[2] ?? join(PACKAGE_ROOT, 'docs');

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'stepwise-print-picture-'));
  const server = await startStepwise(join(tmp, 'print.db'), await freePort());
  try {
    const api = async (path: string, body: unknown) => {
      const r = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { id: string };
    };
    const exam = await api('/api/v1/exams', {
      title: 'Midterm',
      blueprint: [
        { topic: 'self-attention', count: 1, difficulty: 'easy' },
        { topic: 'kl-discrete', count: 1, difficulty: 'easy' },
      ],
      versions: 3,
      seed: 2026,
    });
    // Sign in as a browser does (the print routes are pages, for instructors).
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ key: BENCH_KEY, next: '/' }).toString(),
    });
    const cookie = /^([^=]+=[^;]*)/.exec(login.headers.getSetCookie()[0] ?? '')?.[1];
    if (login.status !== 303 || !cookie) throw new Error(`sign-in failed: ${login.status}`);
    for (const [file, page, name] of [['B.pdf', 2, 'printed-page'], ['key-B.pdf', 2, 'printed-key']] as const) {
      const r = await fetch(`${server.url}/instructor/exams/${exam.id}/print/${file}`, { headers: { cookie } });
      if (r.status !== 200) throw new Error(`${file}: ${r.status} ${await r.text()}`);
      const pdf = join(tmp, file);
      writeFileSync(pdf, Buffer.from(await r.arrayBuffer()));
      execFileSync('pdftoppm', ['-f', String(page), '-l', String(page), '-r', '60', '-png', '-singlefile', pdf, join(tmp, name)]);
      renameSync(join(tmp, `${name}.png`), join(OUT, `${name}.png`));
      console.log(`wrote ${join(OUT, `${name}.png`)} (${Math.round(statSync(join(OUT, `${name}.png`)).size / 1024)} KB)`);
    }
  } finally {
    await stop(server);
  }
}

await main();
