/**
 * `stepwise exam create --blueprint exam.yaml|json` and `stepwise exam show <exam>`.
 *
 * Who creates: `--as <user id>` names an instructor; without it the command line acts as its own
 * local instructor ("Command line"), made on first use and reused (users.local_handle = 'cli').
 * Whoever can run the CLI against the database can already do anything to it, so no key is asked.
 */
import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { StepwiseError } from '../core/errors.js';
import { conceptSectionItems, resolve } from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { createExam, getExam, type ExamRequest } from '../service/exams.js';
import { formLetter } from '../service/paper-answers.js';
import type { Exam, Store, User } from '../store/types.js';
import { action, print } from './action.js';
import { located, readBlueprintFile } from './exam-blueprint.js';
import { withExamStore } from './exam.js';

/** The handle of the command line's own instructor user. */
export const CLI_USER_HANDLE = 'cli';

/** The instructor the command acts as: `--as`, else the command line's own. */
export async function actingInstructor(store: Store, as: string | undefined): Promise<User> {
  if (as === undefined) return store.users.local(CLI_USER_HANDLE, { name: 'Command line', role: 'instructor' });
  const user = await store.users.get(as);
  if (!user) throw new StepwiseError('invalid_request', `--as: no user has the id ${JSON.stringify(as)}`, 'as');
  if (user.role !== 'instructor') throw new StepwiseError('forbidden', `--as: ${as} (${user.name}) is a student; exams are created by instructors`, 'as');
  return user;
}

export async function createFromBlueprint(store: Store, file: string, as: string | undefined): Promise<Exam> {
  const bp = readBlueprintFile(file);
  const b = bp.request as unknown as Omit<ExamRequest, 'createdBy' | 'seed'> & { seed?: number };
  b.blueprint.forEach((row, i) => {
    try {
      if (!conceptSectionItems(row.topic)) resolve(row.topic);
    } catch (e) {
      const path = `blueprint[${i}].topic`;
      throw new StepwiseError('invalid_request', `${bp.where(path)}: ${path}: ${(e as Error).message}`, path);
    }
  });
  if (b.courseId && !(await store.courses.get(b.courseId))) {
    throw new StepwiseError('invalid_request', `${bp.where('courseId')}: courseId: no course has the id ${JSON.stringify(b.courseId)}`, 'courseId');
  }
  const creator = await actingInstructor(store, as);
  try {
    // The whole checked request goes through, as the API hands it over: fields the service gains later work here too.
    const { exam } = await createExam(store, { ...b, seed: b.seed ?? randomInt(0, MAX_SEED), createdBy: creator.id });
    return exam;
  } catch (e) {
    throw located(e, bp.where);
  }
}

/** The frozen forms, in order, each item with its topic or question, params and asked steps (instructor view). */
export async function examForms(store: Store, examId: string) {
  const exam = await getExam(store, examId);
  const variants = await store.variants.listByExam(exam.id);
  const forms = Array.from({ length: exam.versions }, (_, i) => {
    const version = i + 1;
    const items = variants
      .filter((v) => v.examVersion === version)
      .sort((a, b) => a.examItem! - b.examItem!)
      .map((v) => ({
        item: v.examItem! + 1,
        variantId: v.id,
        topic: v.topic,
        ...(v.question ? { question: v.question } : {}),
        difficulty: v.difficulty,
        seed: v.seed,
        params: v.params,
        steps: v.steps,
      }));
    return { form: formLetter(version), version, items };
  });
  const { manifest: _m, ...rest } = exam;
  return { exam: { ...rest, released: exam.releasedAt !== undefined }, forms };
}

export function formsText(x: Awaited<ReturnType<typeof examForms>>): string {
  const e = x.exam;
  const out = [`${e.title} (${e.id}) · ${e.versions} form${e.versions === 1 ? '' : 's'} · seed ${e.seed}${e.released ? ' · released' : ''}`];
  for (const f of x.forms) {
    out.push('', `Form ${f.form} (version ${f.version})`);
    for (const it of f.items) {
      out.push(`  ${it.item}. ${it.question ? `${it.question} (${it.topic})` : it.topic} · ${it.difficulty} · seed ${it.seed} · ${it.variantId}`);
      out.push(`     steps: ${it.steps.join(', ')}`);
      out.push(`     params: ${JSON.stringify(it.params)}`);
    }
  }
  return out.join('\n');
}

export function register(exam: Command): void {
  exam
    .command('create')
    .description('create an exam from a blueprint file (YAML or JSON, the fields POST /api/v1/exams takes) and print its id')
    .requiredOption('-b, --blueprint <file>', 'exam.yaml or exam.json: title, blueprint rows (topic, count, difficulty), versions, seed, optional rules')
    .option('--as <user id>', "the instructor recorded as creator (default: the command line's own instructor, made once)")
    .option('--json', 'machine-readable output: the exam with its manifest')
    .action(
      action(async (opts: { blueprint: string; as?: string; json?: boolean }) => {
        const created = await withExamStore((store) => createFromBlueprint(store, opts.blueprint, opts.as));
        if (!opts.json) {
          const items = created.manifest[0]?.length ?? 0;
          process.stderr.write(`created "${created.title}": ${created.versions} form${created.versions === 1 ? '' : 's'} × ${items} item${items === 1 ? '' : 's'}, seed ${created.seed}\n`);
        }
        print(!!opts.json, { ...created, released: false }, () => created.id);
      }),
    );
  exam
    .command('show')
    .description("an exam's frozen forms A, B, …: each item's topic or question, params and asked steps, in order (instructor view)")
    .argument('<exam>', 'exam id')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string, opts: { json?: boolean }) => {
        const x = await withExamStore((store) => examForms(store, id));
        print(!!opts.json, x, () => formsText(x));
      }),
    );
}
