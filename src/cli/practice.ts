/**
 * The terminal drill: pick topics or bank questions (and a difficulty), get a fresh variant, answer
 * step by step with immediate feedback (carried errors and misconceptions included), then the
 * worked solution and a score; repeat or stop with a summary. All input and output go through
 * PracticeIO, so tests drive the same code with scripted answers, or the real prompts with
 * scripted keystrokes (terminalIO takes its streams).
 */
import { randomInt } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { formatNumber, formatValue } from '../core/format.js';
import { evaluateExpression } from '../core/math-expr.js';
import type { Value } from '../core/values.js';
import {
  artefactOf,
  generateProblem,
  getQuestion,
  getTopic,
  gradeAnswers,
  listQuestions,
  listTopics,
  solveProblem,
  stepInputs,
  workedSolution,
  type Difficulty,
  type Problem,
  type StepGrade,
} from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { DIFFICULTIES } from '../solvers/topic.js';
import { gradeText } from './format.js';
import { texToText } from './tex-text.js';
import { bar } from './progress.js';
import { plotsRoot, prepareArtefactDrill, type ProgressBar } from './practice-artefacts.js';

export interface PracticeIO {
  print(text: string): void;
  choose(message: string, choices: { name: string; value: string }[]): Promise<string>;
  chooseMany(message: string, choices: { name: string; value: string }[]): Promise<string[]>;
  /** Free text; '' means the step is skipped. */
  ask(message: string): Promise<string>;
  confirm(message: string): Promise<boolean>;
  /** A fresh seed for the next variant. */
  seed(): number;
  /** A progress bar while a question's model runs train (none: trained silently). */
  progress?(label: string): ProgressBar;
}

export interface PracticeOptions {
  topics?: string[];
  /** Bank question ids, drilled with their own steps, marks, tolerance and difficulty. */
  questions?: string[];
  difficulty?: Difficulty;
  /** Where the plots of questions about model runs are written (default: a fresh temporary folder). */
  out?: string;
}

export interface PracticeSummary {
  /** Problems finished (a problem left with :quit is not counted). */
  problems: number;
  score: number;
  maxScore: number;
  byTopic: Record<string, { problems: number; score: number; maxScore: number }>;
  /** Times each misconception was named, by id. */
  misconceptions: Record<string, number>;
  /** What each named misconception is, by id (the sentence the student was shown). */
  explanations: Record<string, string>;
}

const QUIT = ':quit';
const HINT = ':hint';
/** A question's entry in the chooser; topic and question ids may not be told apart otherwise. */
const QUESTION_PREFIX = 'question:';

const STATUS_LINE: Record<string, string> = {
  correct: '✔ correct',
  carried: '↪ carried',
  partial: '◐ partly right',
  incorrect: '✘ not right',
  invalid: '? unreadable',
  missing: '· skipped',
};

export async function runPractice(io: PracticeIO, opts: PracticeOptions = {}): Promise<PracticeSummary> {
  const summary: PracticeSummary = { problems: 0, score: 0, maxScore: 0, byTopic: {}, misconceptions: {}, explanations: {} };
  const refs = await chooseRefs(io, opts);
  const needsDifficulty = refs.some((r) => !r.question);
  const difficulty = opts.difficulty ?? (needsDifficulty ? ((await io.choose('Difficulty', DIFFICULTIES.map((d) => ({ name: d, value: d })))) as Difficulty) : undefined);
  const root = plotsRoot(opts.out);
  const fixed = refs.filter((r) => r.question);
  if (opts.difficulty && fixed.length > 0) {
    const own = fixed.map((r) => `${r.id} is ${getQuestion(r.id).difficulty}`).join(', ');
    io.print(`--difficulty ${opts.difficulty} applies to topics only; a bank question brings its own: ${own}.`);
  }
  io.print(
    `Answer each step in math syntax (e.g. 0.24*0.3, sqrt(2)/2, [[1, 2], [3, 4]]); a conceptual question takes letters (B; A, C; C, A, B; 1-B, 2-A) or a word, a question about model runs a run's letter or a number read from its plots. Enter skips a step, ${HINT} says what to compute it from, ${QUIT} stops (an unfinished problem is not counted).`,
  );

  for (let round = 0; ; round++) {
    const ref = refs[round % refs.length];
    const problem = generateProblem(ref.id, io.seed(), difficulty);
    const title = ref.question ? (getQuestion(ref.id).title ?? ref.id) : getTopic(ref.id).title;
    const header = `\n━━ ${title} · ${problem.difficulty} · seed ${problem.seed} ━━`;
    const artefact = artefactOf(problem.topic);
    if (artefact) {
      // A question about model runs: its runs first (trained or cached), its plots listed under the prompt.
      io.print(header);
      const plots = await prepareArtefactDrill(io, artefact, problem.seed, root);
      io.print(`${texToText(problem.prompt).trim()}\n\n${plots}\n`);
    } else {
      io.print(`${header}\n${texToText(problem.prompt).trim()}\n`);
    }

    const answers = await answerSteps(io, ref.id, problem);
    if (answers === undefined) {
      io.print('Stopped mid-problem: it is not counted.');
      break;
    }
    const result = gradeAnswers(ref.id, problem.params, answers, { steps: problem.steps });
    io.print(`\n${gradeText(result)}\n\nWorked solution:\n${texToText(workedSolution(problem.topic, problem.params)).trim()}\n`);
    record(summary, ref.question ? ref.id : problem.topic, result.score, result.maxScore, result.steps);
    if (!(await io.confirm('Another problem?'))) break;
  }
  io.print(summaryText(summary));
  return summary;
}

interface Ref {
  id: string;
  question: boolean;
}

/** The topics and questions to drill: from the options, else chosen; unknown ids fail before the drill starts. */
async function chooseRefs(io: PracticeIO, opts: PracticeOptions): Promise<Ref[]> {
  if (opts.topics?.length || opts.questions?.length) {
    const topics = (opts.topics ?? []).map((t) => ({ id: getTopic(t).id, question: false }));
    const questions = (opts.questions ?? []).map((q) => ({ id: getQuestion(q).id, question: true }));
    return [...topics, ...questions];
  }
  const choices = [
    ...listTopics().map((t) => ({ name: `${t.title} (${t.id})`, value: t.id })),
    ...listQuestions().map((q) => ({
      name: `Question: ${q.title ?? q.id} (${q.id}, ${q.difficulty})`,
      value: QUESTION_PREFIX + q.id,
    })),
  ];
  for (;;) {
    const picked = await io.chooseMany('Topics or questions to practise (space to select, enter to confirm)', choices);
    if (picked.length > 0) {
      return picked.map((v) => (v.startsWith(QUESTION_PREFIX) ? { id: v.slice(QUESTION_PREFIX.length), question: true } : { id: v, question: false }));
    }
    io.print('Pick at least one topic or question.');
  }
}

/**
 * Asks each step until it is judged or skipped. An answer that cannot be read (a typo, the wrong
 * shape) is asked again with the reason, never lost. Undefined when the student quits mid-problem.
 */
async function answerSteps(io: PracticeIO, ref: string, problem: Problem): Promise<Record<string, string> | undefined> {
  const topic = getTopic(problem.topic);
  const answers: Record<string, string> = {};
  for (const stepId of problem.steps) {
    const step = topic.steps[stepId];
    for (;;) {
      const text = (await io.ask(`${step.label} [${stepId}]`)).trim();
      if (text === QUIT) return undefined;
      if (text === HINT) {
        io.print(hintText(ref, problem, stepId, answers));
        continue;
      }
      if (text === '') {
        io.print(`  ${STATUS_LINE.missing}`);
        break;
      }
      const g = gradeAnswers(ref, problem.params, { ...answers, [stepId]: text }, { steps: [stepId] }).steps[0];
      if (g.status === 'invalid') {
        io.print(`  ↺ ${unreadableText(stepId, text, g)} Try again (${HINT} for help, Enter to skip).`);
        continue;
      }
      answers[stepId] = text;
      io.print(`  ${feedbackLine(g)}`);
      break;
    }
  }
  return answers;
}

/** Why an answer cannot be read; a matrix entered the wrong way round is named as such. */
function unreadableText(stepId: string, text: string, g: StepGrade): string {
  const expected = g.expected;
  if (Array.isArray(expected) && Array.isArray(expected[0])) {
    let entered: unknown;
    try {
      entered = evaluateExpression(text);
    } catch {
      entered = undefined;
    }
    const rows = expected.length;
    const cols = (expected[0] as number[]).length;
    if (Array.isArray(entered) && entered.length === cols && entered.every((r) => Array.isArray(r) && r.length === rows) && rows !== cols) {
      return `You entered a ${cols}×${rows} matrix; ${stepId} is ${rows}×${cols} — transposed?`;
    }
  }
  return g.feedback;
}

/** The step's formula, the given values it uses and the earlier answers it builds on. */
function hintText(ref: string, problem: Problem, stepId: string, answers: Record<string, string>): string {
  const { formula, given, deps } = stepInputs(ref, problem.params, stepId);
  if (formula === '') return artefactOf(ref) ? "  No hint for this question: read the answer from the runs' plots." : '  No hint for this question: it is answered from the course, not computed.';
  const params = problem.params as Record<string, unknown>;
  const lines = [`  ${texToText(`$${formula}$`)}`];
  if (given.length > 0) lines.push(`  uses the given ${given.map((k) => `${k} = ${paramText(params[k])}`).join(', ')}`);
  if (deps.length > 0) {
    const truth = solveProblem(problem.topic, problem.params).steps;
    // A step the question does not ask is worked on paper: "not asked", not "not answered".
    const why = (d: string) => (problem.steps.includes(d) ? 'not answered' : 'not asked');
    const used = deps.map((d) =>
      answers[d] !== undefined ? `${d} = ${answers[d]} (your answer)` : `${d} = ${formatValue(truth.find((s) => s.id === d)!.value)} (${why(d)}: the true value)`,
    );
    lines.push(`  and the earlier step${deps.length > 1 ? 's' : ''} ${used.join(', ')}`);
  }
  return lines.join('\n');
}

/** A given value as the prompt shows it: numbers, vectors and matrices, class names, flags. */
function paramText(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || (Array.isArray(x) && x.every((y) => typeof y === 'number')))) return formatValue(v as Value);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function feedbackLine(s: StepGrade): string {
  return `${STATUS_LINE[s.status]} — ${s.feedback}`;
}

function record(summary: PracticeSummary, key: string, score: number, max: number, steps: StepGrade[]): void {
  summary.problems++;
  summary.score += score;
  summary.maxScore += max;
  const t = (summary.byTopic[key] ??= { problems: 0, score: 0, maxScore: 0 });
  t.problems++;
  t.score += score;
  t.maxScore += max;
  for (const s of steps) {
    if (!s.misconception) continue;
    summary.misconceptions[s.misconception.id] = (summary.misconceptions[s.misconception.id] ?? 0) + 1;
    summary.explanations[s.misconception.id] = s.misconception.explanation;
  }
}

export function summaryText(s: PracticeSummary): string {
  if (s.problems === 0) return 'No problems finished.';
  const pct = (a: number, b: number) => (b === 0 ? '–' : `${Math.round((100 * a) / b)}%`);
  const lines = [`\nSession: ${s.problems} problem${s.problems === 1 ? '' : 's'}, ${formatNumber(s.score)} / ${formatNumber(s.maxScore)} (${pct(s.score, s.maxScore)})`];
  for (const [topic, t] of Object.entries(s.byTopic)) {
    lines.push(`  ${topic}: ${formatNumber(t.score)} / ${formatNumber(t.maxScore)} over ${t.problems} (${pct(t.score, t.maxScore)})`);
  }
  const seen = Object.entries(s.misconceptions);
  if (seen.length > 0) {
    lines.push('  misconceptions to review:');
    for (const [id, n] of seen) lines.push(`    ${id}${n > 1 ? ` ×${n}` : ''}: ${s.explanations[id] ?? ''}`.trimEnd());
  }
  return lines.join('\n');
}

/** Where the real prompts read and write: the terminal, or streams a test types into. */
export interface TerminalStreams {
  input?: Readable;
  output?: Writable;
}

/**
 * The real terminal, through @inquirer/prompts; Ctrl+C ends the drill like :quit. An answered
 * prompt is marked `›`, not inquirer's ✔: a tick belongs to a judged step only.
 */
export function terminalIO(streams: TerminalStreams = {}): PracticeIO {
  type Prompts = typeof import('@inquirer/prompts');
  let prompts: Prompts | undefined;
  const load = async (): Promise<Prompts> => (prompts ??= await import('@inquirer/prompts'));
  const interrupted = (e: unknown): boolean => e instanceof Error && e.name === 'ExitPromptError';
  const out = streams.output ?? process.stdout;
  // A prompt ends the output it is given when it closes: give each one its own pass-through, so the
  // stream outlives it (process.stdout is never ended anyway).
  const context = () => ({
    input: streams.input,
    output:
      streams.output &&
      new Writable({
        write(chunk: Buffer, _encoding, done: () => void) {
          out.write(chunk);
          done();
        },
      }),
  });
  const theme = { prefix: { idle: '?', done: '›' } };
  return {
    print: (text) => void out.write(`${text}\n`),
    async choose(message, choices) {
      return (await load()).select({ message, choices, theme }, context());
    },
    async chooseMany(message, choices) {
      return (await load()).checkbox({ message, choices, theme }, context());
    },
    async ask(message) {
      try {
        return await (await load()).input({ message, theme }, context());
      } catch (e) {
        if (interrupted(e)) return QUIT;
        throw e;
      }
    },
    async confirm(message) {
      try {
        return await (await load()).confirm({ message, default: true, theme }, context());
      } catch (e) {
        if (interrupted(e)) return false;
        throw e;
      }
    },
    seed: () => randomInt(0, MAX_SEED),
    // On stderr when it is a terminal, as `stepwise artefact` shows training.
    progress: (label) => bar(label),
  };
}
