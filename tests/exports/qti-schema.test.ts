/**
 * QTI 3.0 exports validated against the official 1EdTech schemas with xmllint, offline: the XSDs
 * and an XML catalog lie in ../shared/external-xsd/qti3 beside the repository (CI has that copy
 * too), or in STEPWISE_QTI_XSD_DIR. Under CI=true a missing xmllint or schema folder fails the
 * suite; elsewhere the suite is skipped with a message saying what is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { toQtiPackage } from '../../src/exports/index.js';
import { QTI_TEST_FILE } from '../../src/exports/qti.js';
import type { ExportItem } from '../../src/exports/types.js';
import { exportItem, sampleItems } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xsdDir = process.env.STEPWISE_QTI_XSD_DIR ?? path.resolve(repoRoot, '../shared/external-xsd/qti3');
const SCHEMAS = {
  /** QTI 3.0.0 (the namespace and schemaLocation the exports name), its root's namespaces restored. */
  asi300: 'imsqti_asiv3p0_v1p0.nsfixed.xsd',
  /** QTI 3.0.1, the current published ASI schema. */
  asi301: 'imsqti_asiv3p0p1_v1p0.xsd',
  /** The QTI 3 profile of IMS Content Packaging 1.2 (imsmanifest.xml). */
  cp: 'imsqtiv3p0_imscpv1p2_v1p0.xsd',
};

function missing(): string | undefined {
  const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'xmllint is not installed (Debian/Ubuntu: apt-get install libxml2-utils)';
  for (const f of ['catalog.xml', ...Object.values(SCHEMAS)]) {
    if (!existsSync(path.join(xsdDir, f))) return `${path.join(xsdDir, f)} is missing (set STEPWISE_QTI_XSD_DIR to the folder of the QTI 3 XSDs and catalog.xml)`;
  }
  return undefined;
}

const why = missing();
const ci = process.env.CI === 'true' || process.env.CI === '1';

/** xmllint --nonet --noout --schema over the files: its exit status and what it said. */
function xmllint(schema: string, files: string[]): { ok: boolean; output: string } {
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', path.join(xsdDir, schema), ...files], {
    encoding: 'utf8',
    env: { ...process.env, XML_CATALOG_FILES: path.join(xsdDir, 'catalog.xml') },
    timeout: 60_000,
  });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function examItems(): ExportItem[] {
  const out: ExportItem[] = [];
  for (let version = 1; version <= 2; version++) {
    out.push({ ...exportItem('kl-discrete', version, 'easy'), id: `v${version}-kl`, slot: 1, version });
    out.push({ ...exportItem('bayes-classification', version, 'medium'), id: `v${version}-bayes`, slot: 2, version });
  }
  return out;
}

function hostileItem(): ExportItem {
  const [base] = sampleItems();
  return {
    ...base,
    id: '9 tricky ]]> & id',
    title: 'Tricky ]]> & <b>bold</b> } # {1:SHORTANSWER:=x} -- "q"',
    statement: `Watch: a < b & c ]]> d -- e\n\n${base.statement}`,
    steps: [...base.steps, { id: 'odd<id>&', label: 'Label ]]> & <', kind: 'label', expected: 'A]]>&<b>}{#~/"\\*', marks: 2, tolerance: { decimals: 2 } }],
  };
}

describe.skipIf(why !== undefined && !ci)('QTI 3.0 exports validate against the official schemas', () => {
  if (why && !ci) console.warn(`QTI schema validation skipped: ${why}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-qti-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Unzips a package into dir/name and returns its item + test files and its manifest. */
  function unpack(name: string, items: ExportItem[], title: string): { asi: string[]; manifest: string } {
    const files = unzipSync(toQtiPackage(items, { title }));
    const asi: string[] = [];
    for (const [f, bytes] of Object.entries(files)) {
      const p = path.join(dir, name, f);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, bytes);
      if (f !== 'imsmanifest.xml') asi.push(p);
    }
    return { asi, manifest: path.join(dir, name, 'imsmanifest.xml') };
  }

  it('has xmllint and the schemas (required under CI)', () => {
    expect(why, why).toBeUndefined();
  });

  /**
   * One xmllint run per schema (compiling the ASI schema takes seconds): every file's verdict. A
   * deliberately broken assessment test (qti-selection after the item refs) rides along in the
   * 3.0 run to show that the check can fail.
   */
  const verdicts = (): { asi: string[]; manifests: string[]; broken: string } => {
    const built = [unpack('sample', sampleItems(), 'Week 3 & friends'), unpack('hostile', [hostileItem()], 'Quiz ]]> -- & <x>'), unpack('exam', examItems(), 'Midterm')];
    const { asi: brokenFiles } = unpack('broken', examItems(), 'Midterm');
    const broken = brokenFiles.find((f) => f.endsWith(QTI_TEST_FILE))!;
    const xml = readFileSync(broken, 'utf8');
    const moved = xml.replace(/(\s*<qti-selection select="1"\/>)([\s\S]*?)(\n\s*<\/qti-assessment-section>)/, '$2$1$3');
    expect(moved).not.toBe(xml);
    writeFileSync(broken, moved);
    return { asi: built.flatMap((p) => p.asi), manifests: built.map((p) => p.manifest), broken };
  };

  it('items and assessment tests (a plain set, hostile text, an exam with a section per slot) are valid QTI 3.0 and 3.0.1', () => {
    const { asi, broken } = verdicts();
    expect(asi.filter((f) => f.endsWith(QTI_TEST_FILE))).toHaveLength(3);
    for (const schema of [SCHEMAS.asi300, SCHEMAS.asi301]) {
      const r = xmllint(schema, schema === SCHEMAS.asi300 ? [...asi, broken] : asi);
      for (const f of asi) expect(r.output, `${schema}: ${f}\n${r.output}`).toContain(`${f} validates`);
      if (schema === SCHEMAS.asi300) {
        expect(r.output).toContain(`${broken} fails to validate`);
        expect(r.output).toMatch(/qti-selection/);
      } else expect(r.ok, r.output).toBe(true);
    }
  }, 180_000); // two compilations of a 600 KB schema: seconds each on a busy 2-core machine

  it('manifests are valid IMS CP 1.2 (QTI 3 profile)', () => {
    const r = xmllint(SCHEMAS.cp, verdicts().manifests);
    expect(r.ok, r.output).toBe(true);
  });
});
