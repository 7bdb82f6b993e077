// Stepwise pages: small progressive enhancement over server-rendered forms (everything works
// without this file). Grid cells: arrow keys move, a pasted matrix fills the grid; a "type as
// text" toggle; a live "interpreted as" preview from the server's own reader (never graded).
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

/** A pasted matrix or vector as rows of strings: JSON [[1,2],[3,4]], MATLAB [1 2; 3 4], or rows of numbers. */
export function parseMatrix(text) {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\[\s*\[/.test(t)) {
    const rows = t.replace(/^\[\s*/, '').replace(/\s*\]$/, '').split(/\]\s*,?\s*\[/).map((r) => r.replace(/[[\]]/g, ''));
    return rows.map((r) => r.split(/\s*,\s*|\s+/).filter((x) => x !== ''));
  }
  const inner = t.replace(/^\[/, '').replace(/\]$/, '');
  const rows = inner.split(/\s*;\s*|\r?\n/).filter((r) => r.trim() !== '');
  return rows.map((r) => r.trim().split(/\s*[,\t]\s*|\s+/).filter((x) => x !== ''));
}

function cellsOf(grid) {
  const rows = Number(grid.dataset.rows), cols = Number(grid.dataset.cols);
  const at = (i, j) => grid.querySelector(`input[data-row="${i}"][data-col="${j}"]`);
  return { rows, cols, at };
}

function gridValue(grid) {
  const { rows, cols, at } = cellsOf(grid);
  const out = [];
  for (let i = 0; i < rows; i++) {
    const row = [];
    for (let j = 0; j < cols; j++) row.push(at(i, j).value.trim());
    out.push(row);
  }
  return out;
}

function setupGrid(step, grid) {
  const { rows, cols, at } = cellsOf(grid);
  grid.addEventListener('keydown', (ev) => {
    const cell = ev.target;
    if (!(cell instanceof HTMLInputElement) || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    let i = Number(cell.dataset.row), j = Number(cell.dataset.col);
    const atStart = cell.selectionStart === 0 && cell.selectionEnd === 0;
    const atEnd = cell.selectionStart === cell.value.length;
    if (ev.key === 'ArrowUp') i--;
    else if (ev.key === 'ArrowDown') i++;
    else if (ev.key === 'ArrowLeft' && atStart) j--;
    else if (ev.key === 'ArrowRight' && atEnd) j++;
    else return;
    const next = i >= 0 && i < rows && j >= 0 && j < cols ? at(i, j) : null;
    if (!next) return;
    ev.preventDefault();
    next.focus();
    next.select();
  });
  grid.addEventListener('paste', (ev) => {
    const cell = ev.target;
    const text = ev.clipboardData?.getData('text') ?? '';
    const m = parseMatrix(text);
    if (!m || (m.length === 1 && m[0].length <= 1)) return; // one number: an ordinary paste
    ev.preventDefault();
    // The whole grid when the shape matches (a vector pasted as a column too), else from this cell on.
    const flat = m.flat();
    const whole = flat.length === rows * cols;
    const i0 = whole ? 0 : Number(cell.dataset.row), j0 = whole ? 0 : Number(cell.dataset.col);
    if (whole) flat.forEach((x, k) => (at(Math.floor(k / cols), k % cols).value = x));
    else m.forEach((r, di) => r.forEach((x, dj) => { const c = at(i0 + di, j0 + dj); if (c) c.value = x; }));
    step.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

function setupToggle(step, grid) {
  const button = step.querySelector('.toggle-text');
  const box = step.querySelector('.as-text');
  const text = box?.querySelector('input');
  if (!button || !box || !text) return;
  button.hidden = false;
  const show = (asText) => {
    button.setAttribute('aria-pressed', String(asText));
    button.textContent = asText ? 'Use the grid' : 'Type as text';
    box.hidden = !asText;
    text.disabled = !asText;
    grid.hidden = asText;
    for (const c of grid.querySelectorAll('input')) c.disabled = asText;
  };
  show(button.getAttribute('aria-pressed') === 'true');
  button.addEventListener('click', () => {
    const asText = button.getAttribute('aria-pressed') !== 'true';
    if (asText && text.value.trim() === '') {
      const v = gridValue(grid);
      if (v.flat().some((x) => x !== '')) text.value = '[' + v.map((r) => '[' + r.join(', ') + ']').join(', ') + ']';
    }
    if (!asText) {
      const m = parseMatrix(text.value);
      const { rows, cols, at } = cellsOf(grid);
      if (m && m.flat().length === rows * cols) m.flat().forEach((x, k) => (at(Math.floor(k / cols), k % cols).value = x));
      text.value = '';
    }
    show(asText);
    (asText ? text : grid.querySelector('input'))?.focus();
    step.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** The step's current answer as the API takes it, or a reason to wait. */
function answerOf(step) {
  const grid = step.querySelector('.grid');
  const text = step.querySelector('.as-text input');
  if (grid && !grid.hidden) {
    const v = gridValue(grid);
    const filled = v.flat().filter((x) => x !== '').length;
    if (filled === 0) return { blank: true };
    if (filled < v.flat().length) return { wait: `${v.flat().length - filled} of ${v.flat().length} boxes still empty` };
    return { answer: step.dataset.kind === 'vector' ? v[0] : v };
  }
  const field = text && !text.disabled ? text : step.querySelector('input[name^="answers"], select');
  const value = field?.value ?? '';
  return value.trim() === '' ? { blank: true } : { answer: value };
}

function setupPreview(form, step) {
  const out = step.querySelector('[data-preview]');
  if (!out) return;
  let timer, seq = 0;
  const say = (html, text) => {
    out.replaceChildren();
    if (text !== undefined) out.textContent = text;
    else out.innerHTML = html; // KaTeX markup from our own server
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = 'not graded';
    if (text !== '') out.append(tag);
  };
  step.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const a = answerOf(step);
      if (a.blank) return say('', '');
      if (a.wait) return say(undefined, `Interpreted as: nothing yet (${a.wait}).`);
      const mine = ++seq;
      try {
        const r = await fetch('/pages/preview', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ variant: form.dataset.variant, step: step.dataset.stepInput, answer: a.answer }),
        });
        const j = await r.json();
        if (mine !== seq) return;
        if (j.ok) say('Interpreted as: ' + j.html);
        else say(undefined, 'Cannot read this: ' + j.reason + '.');
      } catch {
        if (mine === seq) say(undefined, 'Preview unavailable (the server could not be reached).');
      }
    }, 250);
  });
}

/** Exam drafts: saved on the server a second after typing stops (the form's own fields and token). */
function setupDraft(form) {
  const status = form.querySelector('.draft-status');
  let timer;
  const save = async () => {
    const body = new URLSearchParams(new FormData(form));
    body.set('action', 'draft');
    try {
      // getAttribute: form.action would be the button named "action".
      const r = await fetch(form.getAttribute('action'), { method: 'POST', headers: { accept: 'application/json' }, body });
      const j = await r.json();
      if (status) status.textContent = r.ok ? `Draft saved at ${j.savedAt.slice(11, 19)} UTC.` : `Draft not saved: ${j.reason ?? j.detail ?? r.status}`;
    } catch {
      if (status) status.textContent = 'Draft not saved (the server could not be reached); your answers are still here.';
    }
  };
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(save, 1000);
  });
}

for (const form of document.querySelectorAll('form.answers')) {
  for (const step of form.querySelectorAll('[data-step-input]')) {
    const grid = step.querySelector('.grid');
    if (grid) {
      setupGrid(step, grid);
      setupToggle(step, grid);
    }
    setupPreview(form, step);
  }
  if (form.hasAttribute('data-draft')) setupDraft(form);
}
// After a check or a submit, move focus to what changed so screen readers announce it.
(document.getElementById('checked') ?? document.querySelector('[data-focus-after]'))?.focus();
