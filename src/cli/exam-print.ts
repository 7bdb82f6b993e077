/**
 * `stepwise exam print <exam> --out DIR [--format pdf,html,tex] [--forms A,B] [--no-keys]`: each
 * form's answer sheet and answer key as files. PDFs need a Chromium (Debian's `chromium`, or
 * STEPWISE_CHROMIUM); without one the HTML and LaTeX are written anyway, the message says how to
 * install one, and the exit status is 3 (nothing else exits 3), so a script can tell.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { StepwiseError } from '../core/errors.js';
import { getExam } from '../service/exams.js';
import { artefactMaterials } from '../service/artefact-pictures.js';
import type { PrintFormat } from '../print/documents.js';
import { action, print } from './action.js';
import { withExamStore } from './exam.js';

/** Exit status when PDFs were asked for and no Chromium was found (HTML and LaTeX written). */
export const NO_CHROMIUM_EXIT = 3;

// The printer (marked, qrcode, playwright) loads when a print runs, not with every command.
const FORMATS: readonly PrintFormat[] = ['pdf', 'html', 'tex'];

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

export function parseFormats(s: string): PrintFormat[] {
  const out = list(s);
  const bad = out.find((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad !== undefined || out.length === 0) throw new StepwiseError('invalid_request', `--format must be pdf, html or tex (or a comma-separated list), got ${JSON.stringify(s)}`, 'format');
  return out as PrintFormat[];
}

interface PrintOpts {
  out: string;
  format: string;
  forms?: string;
  keys: boolean;
  json?: boolean;
}

export function register(exam: Command): void {
  exam
    .command('print')
    .description('paper exams: each form (A, B, C… = versions 1, 2, 3…) and its answer key as PDF, HTML or LaTeX')
    .argument('<exam>', 'exam id')
    .requiredOption('-o, --out <dir>', 'folder to write into (made if missing)')
    .option('-f, --format <formats>', 'pdf, html or tex, or a comma-separated list', 'pdf')
    .option('--forms <letters>', 'only these forms, e.g. A,B (default: all)')
    .option('--no-keys', 'answer sheets only, no answer keys')
    .option('--json', 'machine-readable output')
    .action(
      action(async (examId: string, opts: PrintOpts) => {
        const formats = parseFormats(opts.format);
        const { exam: e, variants, materials } = await withExamStore(async (store) => {
          const found = await getExam(store, examId);
          const all = await store.variants.listByExam(found.id);
          // Questions about model runs print with their runs' plots (not_ready names one not computed yet).
          return { exam: found, variants: all, materials: await artefactMaterials(store, all) };
        });
        const { printExam } = await import('../print/documents.js');
        const bar = new SingleBar({ format: 'printing {bar} {value}/{total} files  {file}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
        let started = false;
        const result = await printExam(e, variants, {
          formats,
          keys: opts.keys,
          materials,
          ...(opts.forms !== undefined ? { forms: list(opts.forms) } : {}),
          onFile: (f, done, total) => {
            if (!started) bar.start(total, 0, { file: '' });
            started = true;
            bar.update(done, { file: f.name });
          },
        });
        if (started) bar.stop();
        mkdirSync(opts.out, { recursive: true });
        const written = result.files.map((f) => {
          const path = join(opts.out, f.name);
          writeFileSync(path, f.bytes);
          return { path, format: f.format, bytes: f.bytes.length, ...(f.pages !== undefined ? { pages: f.pages } : {}) };
        });
        print(!!opts.json, { ok: result.pdfUnavailable === undefined, files: written, ...(result.pdfUnavailable ? { pdfUnavailable: result.pdfUnavailable } : {}) }, () =>
          written.map((w) => `wrote ${w.path}${w.pages !== undefined ? ` (${w.pages} page${w.pages === 1 ? '' : 's'})` : ''}`).join('\n'),
        );
        if (result.pdfUnavailable !== undefined) {
          process.stderr.write(`stepwise: no PDFs: ${result.pdfUnavailable} The HTML and LaTeX are written.\n`);
          process.exitCode = NO_CHROMIUM_EXIT;
        }
      }),
    );
}
