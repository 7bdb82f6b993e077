#!/usr/bin/env node
/**
 * The `stepwise` command. Human-readable output by default, `--json` for machines (the same objects
 * `stepwise batch` replies with). Exit status: 0 done, 2 bad input (the message names it), 1 a bug.
 */
import { randomInt } from 'node:crypto';
import { Command, Option } from 'commander';
import { builtInBank } from '../bank/bank.js';
import { builtInConcepts } from '../bank/concepts.js';
import { conceptTitle } from '../bank/concept-topic.js';
import { loadArtefactQuestions } from '../models/questions.js';
import { runBatch } from '../batch/stream.js';
import { artefactOf, checkDifficulty, generateProblem, gradeAnswers, listTopics, resolve, solveProblem, workedSolution } from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { DIFFICULTIES } from '../solvers/topic.js';
import { action, print } from './action.js';
import { prepareArtefact } from './artefact-runs.js';
import { parseSeed, readJsonArg } from './args.js';
import { registerExam } from './exam.js';
import { registerSecrets } from './secrets.js';
import { registerWorker } from './worker.js';
import { gradeText, solutionText, topicsText } from './format.js';
import { texToText } from './tex-text.js';

const program = new Command();
program
  .name('stepwise')
  .description('Exam practice and step-by-step grading for deep-learning courses.')
  .version('0.1.0')
  .showHelpAfterError()
  // Usage errors (unknown option, bad choice) exit 2 like every other bad input; help exits 0.
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

const difficultyOption = () => new Option('-d, --difficulty <level>', 'problem difficulty').choices(DIFFICULTIES);

program
  .command('topics')
  .description('list the topics and their step ids')
  .option('--json', 'machine-readable output')
  .action(action((opts: { json?: boolean }) => print(!!opts.json, listTopics(), () => topicsText(listTopics()))));

program
  .command('questions')
  .description('list the question bank (numeric, conceptual and about model runs), and any file in it that does not load')
  .option('--json', 'machine-readable output')
  .action(
    action((opts: { json?: boolean }) => {
      const bank = builtInBank();
      const conceptBank = builtInConcepts();
      const questions = [...bank.questions.values()];
      const concepts = [...conceptBank.items.values()].map((c) => ({ id: c.id, section: c.section, kind: c.kind, difficulty: c.difficulty, title: conceptTitle(c) }));
      // Questions about model runs: what a student may know of them (no runs, no answer's metric).
      const runBank = loadArtefactQuestions();
      const artefacts = [...runBank.questions.values()].map((q) => ({ id: q.id, lab: q.lab, difficulty: q.difficulty ?? 'medium', title: q.title ?? q.id }));
      const problems = [...bank.problems, ...conceptBank.problems, ...runBank.problems];
      const width = Math.max(...questions.map((x) => x.id.length), ...concepts.map((x) => x.id.length), ...artefacts.map((x) => x.id.length));
      print(!!opts.json, { questions, concepts, artefacts, problems }, () =>
        [
          ...questions.map((q) => `${q.id.padEnd(width)}  ${q.topic} · ${q.difficulty} · ${q.title ?? ''}`),
          ...concepts.map((c) => `${c.id.padEnd(width)}  concept ${c.section} · ${c.kind} · ${c.difficulty} · ${c.title}`),
          ...artefacts.map((a) => `${a.id.padEnd(width)}  model runs ${a.lab} · ${a.difficulty} · ${a.title}`),
          ...problems.map((p) => `problem: ${p.file}${p.field ? ` at ${p.field}` : ''}: ${p.message}`),
        ].join('\n'),
      );
      if (problems.length > 0) process.exitCode = 2;
    }),
  );

program
  .command('generate')
  .description('make a problem from a topic or question id and a seed')
  .argument('<topic>', 'topic id or question id')
  .option('-s, --seed <n>', `seed, 0 to ${MAX_SEED} (default: a random one, printed)`, parseSeed)
  .addOption(difficultyOption())
  .option('--json', 'machine-readable output')
  .action(
    action((ref: string, opts: { seed?: number; difficulty?: string; json?: boolean }) => {
      const seed = opts.seed ?? randomInt(0, MAX_SEED);
      const p = generateProblem(ref, seed, opts.difficulty);
      print(!!opts.json, p, () =>
        [
          `${p.question ?? p.topic} · seed ${p.seed} · ${p.difficulty}`,
          '',
          texToText(p.prompt).trim(),
          '',
          `params: ${JSON.stringify(p.params)}`,
          // A terminal cannot show the runs' plots: say where to get them.
          ...(artefactOf(p.topic) ? [`plots: npx stepwise artefacts question ${p.topic} --seed ${p.seed} --out <dir>`] : []),
        ].join('\n'),
      );
    }),
  );

program
  .command('solve')
  .description('work a problem step by step (a question about model runs trains its runs here first, or reads them from the run cache)')
  .argument('<topic>', 'topic id, or question id')
  .requiredOption('-p, --params <json|@file>', 'the parameters, as JSON or @file (@- for stdin)')
  .option('--worked', 'print the worked solution (Markdown with TeX)')
  .option('--json', 'machine-readable output')
  .action(
    action(async (topic: string, opts: { params: string; worked?: boolean; json?: boolean }) => {
      const params = readJsonArg(opts.params, '--params');
      await prepareArtefact(topic, params);
      if (opts.worked && !opts.json) {
        process.stdout.write(workedSolution(topic, params));
        return;
      }
      const s = solveProblem(topic, params);
      print(!!opts.json, { topic: s.topic, steps: s.steps, ...(s.warnings ? { warnings: s.warnings } : {}) }, () => solutionText(s));
    }),
  );

program
  .command('grade')
  .description("grade a student's answers step by step, with error carried forward")
  .argument('<topic>', 'topic id, or question id (its steps, marks, tolerance and ECF policy)')
  .requiredOption('-p, --params <json|@file>', 'the parameters, as JSON or @file')
  .requiredOption('-a, --answers <json|@file>', 'answers keyed by step id, as JSON or @file')
  .option('--json', 'machine-readable output')
  .action(
    action(async (ref: string, opts: { params: string; answers: string; json?: boolean }) => {
      resolve(ref);
      const params = readJsonArg(opts.params, '--params');
      const answers = readJsonArg(opts.answers, '--answers');
      await prepareArtefact(ref, params);
      const g = gradeAnswers(ref, params, answers);
      print(!!opts.json, g, () => gradeText(g));
    }),
  );

program
  .command('batch')
  .description('JSON Lines on stdin (solve, grade, generate), one reply line per request on stdout')
  .action(
    action(async () => {
      await runBatch(process.stdin, process.stdout);
    }),
  );

const lti = program
  .command('lti')
  .description(
    "LTI 1.3: register platforms (LMSs), show the tool configuration (database: STEPWISE_DB). An exam is bound to its LMS course with its link code (ltiLinkCode in GET /api/v1/exams/{id} with an instructor key): enter it in the deep linking picker, or set the custom parameters exam=<id> exam_code=<code>",
  );

lti
  .command('register')
  .description('register an LTI 1.3 platform with its deployments')
  .requiredOption('--name <name>', 'a name for the platform')
  .requiredOption('--issuer <url>', "the platform's issuer")
  .requiredOption('--client-id <id>', 'the client id the platform gave Stepwise')
  .requiredOption('--auth-login-url <url>', "the platform's OIDC authorization endpoint")
  .requiredOption('--auth-token-url <url>', "the platform's OAuth 2 token endpoint")
  .requiredOption('--jwks-url <url>', "the platform's public keyset URL")
  .requiredOption('--deployment-id <id>', 'a deployment id (repeat for several)', (v: string, prev: string[] = []) => [...prev, v])
  .option(
    '--frame-origin <origin>',
    "an origin that may frame the tool, e.g. Canvas's https://<school>.instructure.com (repeat for several; default: the origins of the URLs above and of the launch's return URL)",
    (v: string, prev: string[] = []) => [...prev, v],
  )
  .option('--json', 'machine-readable output')
  .action(
    action(async (opts: import('./lti.js').RegisterOptions & { json?: boolean }) => {
      const { register, platformText } = await import('./lti.js');
      const p = await register(opts);
      print(!!opts.json, p, () => platformText(p));
    }),
  );

lti
  .command('config')
  .description('the URLs and public key to enter in the LMS')
  .option('--base-url <url>', 'public base URL of the service (default: STEPWISE_BASE_URL, else http://localhost:$PORT, PORT defaulting to 3000)')
  .option('--json', 'machine-readable output')
  .action(
    action(async (opts: { baseUrl?: string; json?: boolean }) => {
      const { config, configText } = await import('./lti.js');
      const c = await config(opts.baseUrl);
      print(!!opts.json, c, () => configText(c));
    }),
  );

registerSecrets(program);
registerWorker(program);

program
  .command('doctor')
  .description('the TensorFlow.js backend the mini models use, and why better ones were passed over')
  .option('--json', 'machine-readable output')
  .action(
    action(async (opts: { json?: boolean }) => {
      const { doctor } = await import('./models.js');
      await doctor(!!opts.json);
    }),
  );

program
  .command('artefact')
  .description('train a mini-model lab run live (or take it from the cache) and write its artefacts')
  .argument('<lab>', 'gan, clip or tvlt')
  .option('-r, --run <name>', 'the run (default: the lab’s first)')
  .option('-s, --seed <n>', 'seed', parseSeed)
  .option('--set <key=value...>', 'override config values, e.g. --set steps=500')
  .requiredOption('-o, --out <dir>', 'folder for the artefacts and metrics.json')
  .option('--json', 'machine-readable output')
  .action(
    action(async (lab: string, opts: { run?: string; seed?: number; set?: string[]; out: string; json?: boolean }) => {
      const { artefact } = await import('./models.js');
      await artefact(lab, opts);
    }),
  );

const artefacts = program.command('artefacts').description('the question bank’s mini-model questions');
artefacts
  .command('warm')
  .description('train (once) every run the artefact questions need, filling the cache')
  .option('--json', 'machine-readable output')
  .action(
    action(async (opts: { json?: boolean }) => {
      const { warm } = await import('./models.js');
      await warm(!!opts.json);
    }),
  );
artefacts
  .command('question')
  .description('an artefact question as a student sees it: the prompt and its plots under run letters (--instructor: with the key and the expected answer)')
  .argument('<id>', 'question id')
  .option('-s, --seed <n>', 'the question seed: which run is Run A, Run B, … (default 1)', parseSeed)
  .option('-o, --out <dir>', 'write the plots (SVG and PNG) here')
  .option('--instructor', 'add the key: which run each letter is, its cache folder and metrics.json, and the expected answer')
  .option('--json', 'machine-readable output')
  .action(
    action(async (id: string, opts: { seed?: number; out?: string; instructor?: boolean; json?: boolean }) => {
      const { showQuestion } = await import('./models.js');
      await showQuestion(id, opts);
    }),
  );

registerExam(program);

program
  .command('serve')
  .description('run the HTTP API (configured by PORT, STEPWISE_DB, STEPWISE_BOOTSTRAP_KEY, …; see the README)')
  .action(
    action(async () => {
      const { serve } = await import('../server.js');
      await serve();
    }),
  );

program
  .command('practice', { isDefault: false })
  .description('an interactive drill in the terminal')
  .option('-t, --topic <ids...>', 'topic ids to drill, repeated or comma-separated (default: choose)')
  .option('-q, --question <ids...>', 'bank question ids to drill (see `stepwise questions`), repeated or comma-separated')
  .addOption(difficultyOption())
  .option('-o, --out <dir>', 'where the plots of questions about model runs are written (default: a fresh temporary folder)')
  .action(
    action(async (opts: { topic?: string[]; question?: string[]; difficulty?: string; out?: string }) => {
      const { runPractice, terminalIO } = await import('./practice.js');
      const list = (v?: string[]) => v?.flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
      try {
        await runPractice(terminalIO(), {
          topics: list(opts.topic),
          questions: list(opts.question),
          difficulty: opts.difficulty === undefined ? undefined : checkDifficulty(opts.difficulty),
          out: opts.out,
        });
      } catch (e) {
        if (!(e instanceof Error && e.name === 'ExitPromptError')) throw e; // Ctrl+C at a menu
      }
    }),
  );

await program.parseAsync(process.argv);
