/** The home page's "Your exams": each of the student's exams (src/service/my-exams.ts) in words. */
import type { MyExam } from '../service/my-exams.js';

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const round = (x: number) => Math.round(x * 100) / 100;

export interface ExamLine {
  id: string;
  href: string;
  title: string;
  state: MyExam['state'];
  /** The state in words, and what follows from it. */
  status: string;
  detail: string;
}

export function examLine(e: MyExam): ExamLine {
  const answered = `${e.answered} of ${plural(e.items, 'item')} answered`;
  const score = e.score === undefined ? '' : e.score === null ? 'Nothing submitted.' : `${e.state === 'released' ? 'Your score' : 'Your score so far'}: ${round(e.score)}/${round(e.maxScore ?? 0)}.`;
  let status: string;
  let detail: string[];
  if (e.state === 'not_open') {
    status = 'Not open yet';
    detail = [`Opens at ${utc(e.opensAt!)}.`];
  } else if (e.state === 'open') {
    status = 'Open';
    detail = [
      e.closesAt ? `Closes at ${utc(e.closesAt)}.` : '',
      `${answered}; ${plural(e.submissionsLeft ?? 0, 'submission')} left (${e.attemptLimit} per item).`,
      score,
    ];
  } else if (e.state === 'awaiting_release') {
    status = e.answered > 0 ? 'Submitted — awaiting release' : 'Closed — awaiting release';
    detail = [`${answered}.`, score, 'Your results come when your instructor releases the answers.'];
  } else {
    status = 'Released';
    detail = [score, `Released ${utc(e.releasedAt!)}.`];
  }
  return { id: e.id, href: `/exams/${encodeURIComponent(e.id)}`, title: e.title, state: e.state, status, detail: detail.filter(Boolean).join(' ') };
}
