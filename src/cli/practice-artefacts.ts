/**
 * A question about model runs in the terminal drill: its runs are trained here (or read from the run
 * cache) with a progress bar, the student's plots are written to a folder (a terminal cannot show a
 * PNG) and listed with their captions, and the engine is told the answer so the step is judged like
 * any other. Only the student view is shown: run letters and captions, never run names, cache
 * folders or metrics (the instructor view's key is dropped here).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownArtefactAnswer, rememberArtefactAnswer } from '../engine.js';
import { cachedAnswer, type ArtefactQuestion } from '../models/questions.js';
import { instructorView } from '../models/student.js';
import { trainingNotice } from './artefact-runs.js';

export interface ProgressBar {
  update(done: number, total: number): void;
  stop(): void;
}

export interface ArtefactDrillIO {
  print(text: string): void;
  progress?(label: string): ProgressBar;
}

/** The folder the drill writes its plots under: --out, else a fresh temporary folder (made on first use). */
export function plotsRoot(out: string | undefined): () => string {
  let root = out;
  return () => (root ??= mkdtempSync(join(tmpdir(), 'stepwise-practice-')));
}

/**
 * Computes (or reads) the runs of a question for a seed, writes its plots under root/<id>-<seed>/
 * and returns the lines that list them; the engine knows the answer afterwards.
 */
export async function prepareArtefactDrill(io: ArtefactDrillIO, q: ArtefactQuestion, seed: number, root: () => string): Promise<string> {
  if (knownArtefactAnswer(q.id, seed) === undefined && cachedAnswer(q, seed) === undefined) io.print(trainingNotice(q));
  const b = io.progress?.(`${q.id} (seed ${seed})`);
  let view;
  try {
    view = await instructorView(q, seed, b && ((d, t) => b.update(d, t)));
  } finally {
    b?.stop();
  }
  rememberArtefactAnswer(q.id, seed, view.expected);
  const dir = join(root(), `${q.id}-${seed}`);
  mkdirSync(dir, { recursive: true });
  for (const f of view.files) writeFileSync(join(dir, f.file), f.content);
  const pngs = view.files.filter((f) => f.file.endsWith('.png'));
  return [`The runs' plots (open them in an image viewer; SVG copies lie beside them):`, ...pngs.map((f) => `  ${join(dir, f.file)}\n    ${f.caption}`)].join('\n');
}
