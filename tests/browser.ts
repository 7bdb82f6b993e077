/**
 * What the browser tests share: Debian's chromium (never a download), its launch flags, axe-core
 * from node_modules, and the CI guard. Where chromium is not installed the browser tests skip; under
 * CI=true (.ci/run installs it) a missing chromium is a failing test instead, in every file that
 * calls `chromiumRequiredOnCi()`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const installed = existsSync(CHROMIUM);

/** Headless, and nothing that would reach past loopback (updates, sync, QUIC probes). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

/** A test that fails under CI=true when chromium is missing (elsewhere the browser tests just skip). */
export function chromiumRequiredOnCi(): void {
  it.runIf(process.env.CI === 'true')('chromium is installed (CI)', () => expect(installed).toBe(true));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** axe-core's browser build: its path (for a script tag) and, read on first use, its source (to evaluate). */
export const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

/**
 * axe-core's WCAG 2.1 A/AA rules run on a page or frame: how many rules passed, and each violation
 * as `rule: targets`. `inject`: 'tag' adds a script tag (the context needs bypassCSP), 'evaluate'
 * evaluates the source (for a frame whose CSP allows no injected tag).
 */
export async function axeViolations(target: Page | Frame, inject: 'tag' | 'evaluate' = 'tag'): Promise<{ passes: number; violations: string[] }> {
  if (inject === 'tag') await target.addScriptTag({ path: AXE_PATH });
  else await target.evaluate((axeSource ??= readFileSync(AXE_PATH, 'utf8')));
  return target.evaluate(async () => {
    const out = await (globalThis as unknown as { axe: { run(o: object): Promise<{ passes: unknown[]; violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return { passes: out.passes.length, violations: out.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`) };
  });
}
