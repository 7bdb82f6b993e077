/**
 * The login's browser binding in a real browser (Debian's chromium, headless; skipped where it is
 * not installed): a course page of the simulated platform frames the tool's login URL.
 *  - Same site (tool and platform on 127.0.0.1): the login cookie comes back and the page opens.
 *  - Another site (platform on localhost): the SameSite cookie is dropped in the frame; with the
 *    platform's postMessage storage the launch page opens once it finds the state there, and
 *    stays shut when the storage does not hold it.
 * "Opens" is seen from the server: the page's KaTeX fonts are fetched only once its content shows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, chromiumRequiredOnCi, installed } from '../browser.js';
import { startLti, type LtiHarness } from './harness.js';
import { C } from './platform.js';

chromiumRequiredOnCi();

let h: LtiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Opens the platform's course page framing the tool's login; resolves when `until` holds of the tool's requests or after `ms`. */
async function browse(lti: LtiHarness, params: Record<string, string>, until: (requests: string[]) => boolean, ms: number, forget = false): Promise<void> {
  const hint = lti.platform.prepare({ claims: (c) => ({ ...c, [C.custom]: { topic: 'diffusion-forward' } }) });
  const q = new URLSearchParams({ iss: lti.platform.issuer, login_hint: hint, target_link_uri: `${lti.url}/lti/launch`, client_id: lti.platform.clientId, ...params });
  const course = `${lti.platform.url}/course?tool=${encodeURIComponent(`${lti.url}/lti/login?${q}`)}${forget ? '&forget' : ''}`;
  const profile = mkdtempSync(join(tmpdir(), 'stepwise-chromium-'));
  const proc = spawn(CHROMIUM, [...CHROMIUM_ARGS, '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, course], { stdio: 'ignore', detached: true });
  try {
    const end = Date.now() + ms;
    while (Date.now() < end && !until(lti.requests)) await new Promise((r) => setTimeout(r, 100));
  } finally {
    const exited = proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', r));
    // The whole process group: chromium's helpers would go on writing into the profile.
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      proc.kill('SIGKILL');
    }
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

const fonts = (requests: string[]) => requests.filter((r) => r.startsWith('GET /assets/katex/fonts/'));
const launched = (requests: string[]) => requests.includes('POST /lti/launch');

describe.skipIf(!installed)('in chromium', () => {
  it('same site: the login cookie comes back and the page opens', async () => {
    h = await startLti();
    await browse(h, {}, (r) => fonts(r).length > 0, 30_000);
    expect(launched(h.requests)).toBe(true);
    expect(h.requests.some((r) => r.startsWith('GET /lti/login'))).toBe(true);
    expect(fonts(h.requests).length).toBeGreaterThan(0);
  }, 40_000);

  it('another site, cookie dropped: the page opens once the platform storage holds the state', async () => {
    h = await startLti({ platformHost: 'localhost' });
    await browse(h, { lti_storage_target: '_parent' }, (r) => fonts(r).length > 0, 30_000);
    expect(launched(h.requests)).toBe(true);
    expect(fonts(h.requests).length).toBeGreaterThan(0);
  }, 40_000);

  it('another site, and the storage lacks the state (a launch from another browser): the page stays shut', async () => {
    h = await startLti({ platformHost: 'localhost' });
    // Kept open 6 s past the launch (the gate gives the storage frame at most 3 s).
    let launchedAt: number | undefined;
    await browse(h, { lti_storage_target: '_parent' }, (r) => ((launchedAt ??= launched(r) ? Date.now() : undefined) ?? Infinity) + 6000 < Date.now(), 30_000, true);
    expect(launchedAt).toBeDefined();
    expect(fonts(h.requests)).toEqual([]);
    expect(h.requests.some((r) => r.includes('/attempts'))).toBe(false);
  }, 60_000);
});
