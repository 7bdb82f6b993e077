/**
 * Markdown with TeX → HTML for web clients: math is typeset server-side with KaTeX (MathML plus
 * HTML), the rest by marked. Math is cut out before marked runs so Markdown never mangles TeX, and
 * put back after. Both libraries load on first use.
 */
type Marked = typeof import('marked');
type Katex = typeof import('katex').default;

let libs: Promise<{ marked: Marked; katex: Katex }> | undefined;

function load(): Promise<{ marked: Marked; katex: Katex }> {
  libs ??= Promise.all([import('marked'), import('katex')]).then(([marked, katex]) => ({ marked, katex: katex.default }));
  return libs;
}

export async function markdownToHtml(markdown: string): Promise<string> {
  const { marked, katex } = await load();
  const math: string[] = [];
  const hold = (tex: string, display: boolean): string => {
    math.push(katex.renderToString(tex.trim(), { displayMode: display, throwOnError: false, output: 'htmlAndMathml' }));
    return `MATH${math.length - 1}END`;
  };
  const text = markdown
    .replace(/\$\$([\s\S]+?)\$\$/g, (_m, tex: string) => `\n\n${hold(tex, true)}\n\n`)
    .replace(/\$([^$\n]+?)\$/g, (_m, tex: string) => hold(tex, false));
  const html = await marked.parse(text, { gfm: true, async: true });
  return html.replace(/MATH(\d+)END/g, (_m, i: string) => math[Number(i)]);
}
