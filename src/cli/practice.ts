/**
 * The terminal drill: pick topics and a difficulty, get a fresh variant, answer step by step with
 * immediate feedback (carried errors and misconceptions included), then the worked solution and a
 * score; repeat or stop with a summary. All input and output go through PracticeIO, so tests drive
 * the same code with scripted answers.
 */
import { randomInt } from 'node:crypto';
import { formatNumber } from '../core/format.js';
import {
  generateProblem,
  getTopic,
  gradeAnswers,
  listTopics,
  workedSolution,
  type Difficulty,
  type StepGrade,
} from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { DIFFICULTIES } from '../solvers/topic.js';
import { gradeText } from './format.js';
import { texToText } from './tex-text.js';

export interface PracticeIO {
  print(text: string): void;
  choose(message: string, choices: { name: string; value: string }[]): Promise<string>;
  chooseMany(message: string, choices: { name: string; value: string }[]): Promise<string[]>;
  /** Free text; '' means the step is skipped. */
  ask(message: string): Promise<string>;
  confirm(message: string): Promise<boolean>;
  /** A fresh seed for the next variant. */
  seed(): number;
}

export interface PracticeOptions {
  topics?: string[];
  difficulty?: Difficulty;
}

export interface PracticeSummary {
  problems: number;
  score: number;
  maxScore: number;
  byTopic: Record<string, { problems: number; score: number; maxScore: number }>;
  misconceptions: Record<string, number>;
}

const QUIT = ':quit';
const HINT = ':hint';

const STATUS_LINE: Record<string, string> = {
  correct: '✔ correct',
  carried: '↪ carried',
  partial: '◐ partly right',
  incorrect: '✘ not right',
  invalid: '? unreadable',
  missing: '· skipped',
};

export async function runPractice(io: PracticeIO, opts: PracticeOptions = {}): Promise<PracticeSummary> {
  const summary: PracticeSummary = { problems: 0, score: 0, maxScore: 0, byTopic: {}, misconceptions: {} };
  const topics = opts.topics ?? (await chooseTopics(io));
  topics.forEach((t) => getTopic(t)); // unknown ids fail before the drill starts
  const difficulty = opts.difficulty ?? ((await io.choose('Difficulty', DIFFICULTIES.map((d) => ({ name: d, value: d })))) as Difficulty);
  io.print(`Answer each step in math syntax (e.g. 0.24*0.3, sqrt(2)/2, [[1, 2], [3, 4]]). Enter skips a step, ${HINT} shows its formula, ${QUIT} stops.`);

  for (let round = 0; ; round++) {
    const topic = topics[round % topics.length];
    const problem = generateProblem(topic, io.seed(), difficulty);
    const spec = getTopic(topic);
    io.print(`\n━━ ${spec.title} · ${difficulty} · seed ${problem.seed} ━━\n${texToText(problem.prompt).trim()}\n`);

    const answers: Record<string, string> = {};
    let quit = false;
    for (const stepId of problem.steps) {
      const step = spec.steps[stepId];
      let text: string;
      for (;;) {
        text = (await io.ask(`${step.label} [${stepId}]`)).trim();
        if (text !== HINT) break;
        io.print(`  ${texToText(`$${step.formula}$`)}`);
      }
      if (text === QUIT) {
        quit = true;
        break;
      }
      if (text === '') continue;
      answers[stepId] = text;
      const g = gradeAnswers(topic, problem.params, answers, { steps: [stepId] });
      io.print(`  ${feedbackLine(g.steps[0])}`);
    }
    if (quit && Object.keys(answers).length === 0) break;

    const result = gradeAnswers(topic, problem.params, answers, { steps: problem.steps });
    io.print(`\n${gradeText(result)}\n\nWorked solution:\n${texToText(workedSolution(topic, problem.params)).trim()}\n`);
    record(summary, topic, result.score, result.maxScore, result.steps);
    if (quit || !(await io.confirm('Another problem?'))) break;
  }
  io.print(summaryText(summary));
  return summary;
}

async function chooseTopics(io: PracticeIO): Promise<string[]> {
  for (;;) {
    const picked = await io.chooseMany(
      'Topics to practise (space to select, enter to confirm)',
      listTopics().map((t) => ({ name: `${t.title} (${t.id})`, value: t.id })),
    );
    if (picked.length > 0) return picked;
    io.print('Pick at least one topic.');
  }
}

function feedbackLine(s: StepGrade): string {
  return `${STATUS_LINE[s.status]} — ${s.feedback}`;
}

function record(summary: PracticeSummary, topic: string, score: number, max: number, steps: StepGrade[]): void {
  summary.problems++;
  summary.score += score;
  summary.maxScore += max;
  const t = (summary.byTopic[topic] ??= { problems: 0, score: 0, maxScore: 0 });
  t.problems++;
  t.score += score;
  t.maxScore += max;
  for (const s of steps) if (s.misconception) summary.misconceptions[s.misconception.id] = (summary.misconceptions[s.misconception.id] ?? 0) + 1;
}

export function summaryText(s: PracticeSummary): string {
  if (s.problems === 0) return 'No problems finished.';
  const pct = (a: number, b: number) => (b === 0 ? '–' : `${Math.round((100 * a) / b)}%`);
  const lines = [`\nSession: ${s.problems} problem${s.problems === 1 ? '' : 's'}, ${formatNumber(s.score)} / ${formatNumber(s.maxScore)} (${pct(s.score, s.maxScore)})`];
  for (const [topic, t] of Object.entries(s.byTopic)) {
    lines.push(`  ${topic}: ${formatNumber(t.score)} / ${formatNumber(t.maxScore)} over ${t.problems} (${pct(t.score, t.maxScore)})`);
  }
  const seen = Object.entries(s.misconceptions);
  if (seen.length > 0) lines.push(`  misconceptions to review: ${seen.map(([id, n]) => (n > 1 ? `${id} ×${n}` : id)).join(', ')}`);
  return lines.join('\n');
}

/** The real terminal, through @inquirer/prompts; Ctrl+C ends the drill like :quit. */
export function terminalIO(): PracticeIO {
  type Prompts = typeof import('@inquirer/prompts');
  let prompts: Prompts | undefined;
  const load = async (): Promise<Prompts> => (prompts ??= await import('@inquirer/prompts'));
  const interrupted = (e: unknown): boolean => e instanceof Error && e.name === 'ExitPromptError';
  return {
    print: (text) => console.log(text),
    async choose(message, choices) {
      return (await load()).select({ message, choices });
    },
    async chooseMany(message, choices) {
      return (await load()).checkbox({ message, choices });
    },
    async ask(message) {
      try {
        return await (await load()).input({ message });
      } catch (e) {
        if (interrupted(e)) return QUIT;
        throw e;
      }
    },
    async confirm(message) {
      try {
        return await (await load()).confirm({ message, default: true });
      } catch (e) {
        if (interrupted(e)) return false;
        throw e;
      }
    },
    seed: () => randomInt(0, MAX_SEED),
  };
}
