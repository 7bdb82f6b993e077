// Lays the blocks of #flow out on fixed-size A4 page boxes, each with its own header
// ("<title> · Form B · page 2/6") and QR code: the page count is known once every block is
// placed, so each page can name its number and the total, and carry its own QR image. Runs in
// any browser that opens the file; the PDF is this page printed by Chromium.
(() => {
  const root = document.documentElement;
  const run = () => {
    const flow = document.getElementById('flow');
    const codes = JSON.parse(document.getElementById('qr-codes').textContent || '[]');
    const header = document.body.dataset.header || '';
    const pages = document.createElement('div');
    pages.id = 'pages';
    document.body.insertBefore(pages, flow);
    const newPage = () => {
      const page = document.createElement('div');
      page.className = 'page';
      const head = document.createElement('header');
      head.className = 'page-head';
      const title = document.createElement('span');
      title.className = 'page-title';
      const qr = document.createElement('img');
      qr.className = 'qr';
      qr.alt = '';
      head.append(title, qr);
      const body = document.createElement('div');
      body.className = 'page-body';
      page.append(head, body);
      pages.appendChild(page);
      return body;
    };
    // Anything wider than the column (a long matrix) is shrunk to fit, never cut off at the edge.
    for (const el of flow.querySelectorAll('.katex-display, .value, .slip, .statement p, table')) {
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) el.style.zoom = String(Math.floor((el.clientWidth / el.scrollWidth) * 100) / 100);
    }
    const overflows = (el) => el.scrollHeight > el.clientHeight + 1;
    // Block by block, checking the page after each: exact for anything (a split, a shrink), one layout per block.
    const slow = () => {
      let body = newPage();
      const queue = Array.from(flow.children);
      while (queue.length > 0) {
        const block = queue.shift();
        if (block.hasAttribute('data-break') && body.childElementCount > 0) body = newPage();
        body.appendChild(block);
        if (!overflows(body)) continue;
        if (body.childElementCount > 1) {
          body = newPage();
          body.appendChild(block);
          if (!overflows(body)) continue;
        }
        // Alone on a page and still too tall: split it into its children (a worked solution), else shrink it to fit.
        if (block.hasAttribute('data-split') && block.children.length > 1) {
          block.remove();
          const parts = Array.from(block.children).map((child) => {
            const part = document.createElement('div');
            part.className = block.className + ' part';
            part.appendChild(child);
            return part;
          });
          queue.unshift(...parts);
          continue;
        }
        let zoom = Math.floor((body.clientHeight / block.scrollHeight) * 100) / 100;
        block.style.zoom = String(zoom);
        while (overflows(body) && zoom > 0.2) block.style.zoom = String((zoom = Math.round((zoom - 0.05) * 100) / 100));
      }
    };
    // Fast path: each block measured once where it stands (#flow is as wide as a page body, and each
    // block is its own formatting context, so its height does not change when it moves), packed by
    // adding heights, then every page checked in one layout. Anything taller than a page, or a page
    // that overflows after all, sends the whole layout down the exact path above.
    const blocks = Array.from(flow.children);
    const room = newPage().clientHeight;
    pages.textContent = '';
    const heights = blocks.map((b) => b.getBoundingClientRect().height);
    let packed = false;
    // (data-layout="exact" on the body skips it: the tests compare both paths.)
    if (document.body.dataset.layout !== 'exact' && heights.every((h) => h <= room - 1)) {
      let body = newPage();
      let used = 0;
      blocks.forEach((b, i) => {
        if (body.childElementCount > 0 && (b.hasAttribute('data-break') || used + heights[i] > room - 1)) {
          body = newPage();
          used = 0;
        }
        body.appendChild(b);
        used += heights[i];
      });
      packed = !Array.from(pages.querySelectorAll('.page-body')).some(overflows);
      if (!packed) {
        for (const b of blocks) flow.appendChild(b);
        pages.textContent = '';
      }
    }
    if (!packed) slow();
    flow.remove();
    const all = Array.from(pages.children);
    all.forEach((page, i) => {
      page.querySelector('.page-title').textContent = header + ' \u00b7 page ' + (i + 1) + '/' + all.length;
      page.dataset.page = String(i + 1);
    });
    // QR codes for pages 1..n (the file carries them for more pages than it is likely to need; a
    // printer with more pages hands the rest in through window.stepwiseQr).
    const setQr = (list) => all.forEach((page, i) => { if (list[i]) page.querySelector('.qr').src = list[i]; });
    window.stepwiseQr = setQr;
    setQr(codes);
    root.dataset.layout = packed ? 'measured' : 'exact';
    root.dataset.pages = String(all.length);
    root.dataset.paginated = 'done';
  };
  const start = () => (document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve()).then(run, run);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
