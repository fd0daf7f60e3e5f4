/**
 * A run's artifacts: a folder tree read with `artifacts/list`, and a preview of the chosen file —
 * text, JSON (pretty-printed), CSV (a table of the first rows), images, and HTML cards (in a
 * sandboxed frame that runs no script).
 */
import { artifactText, artifactUrl, get } from '../api.js';
import { errorBox, h, mount } from '../dom.js';
import { formatBytes } from '../format.js';
import type { FileInfo } from '../types.js';

const IMAGE = /\.(png|jpe?g|gif|svg|webp)$/i;
const TEXT =
  /(\.(txt|log|md|py|ts|js|ya?ml|toml|cfg|ini|sh|r|sql|xml)|MLmodel|MLproject|requirements\.txt)$/i;
const PREVIEW_ROWS = 100;

interface ListResponse {
  files?: FileInfo[];
}

export function artifactBrowser(runId: string, initialPath?: string): HTMLElement {
  const tree = h('ul', { class: 'artifact-tree', id: 'artifact-tree' });
  const preview = h(
    'div',
    { class: 'artifact-preview', id: 'artifact-preview' },
    'Choose a file to preview it.',
  );
  const root = h('div', { class: 'artifacts' }, tree, preview);

  async function list(path: string | undefined, into: HTMLElement): Promise<void> {
    try {
      const response = await get<ListResponse>('artifacts/list', {
        run_id: runId,
        ...(path ? { path } : {}),
      });
      const files = response.files ?? [];
      if (files.length === 0 && !path) {
        mount(into, h('li', { class: 'muted' }, 'No artifacts.'));
        return;
      }
      mount(
        into,
        files.map((file) => {
          const name = file.path.split('/').pop() ?? file.path;
          if (file.is_dir) {
            const children = h('ul', {});
            const item = h(
              'li',
              { class: 'dir' },
              h(
                'button',
                {
                  class: 'artifact-dir',
                  'data-path': file.path,
                  onclick: () => {
                    if (children.childElementCount) children.replaceChildren();
                    else void list(file.path, children);
                  },
                },
                `📁 ${name}`,
              ),
              children,
            );
            return item;
          }
          return h(
            'li',
            {},
            h(
              'button',
              { class: 'artifact-file', 'data-path': file.path, onclick: () => void show(file.path) },
              name,
            ),
            h('span', { class: 'muted' }, ` ${formatBytes(file.file_size)}`),
          );
        }),
      );
    } catch (error) {
      mount(into, h('li', {}, errorBox(error)));
    }
  }

  async function show(path: string): Promise<void> {
    const url = artifactUrl(runId, path);
    const header = h(
      'div',
      { class: 'preview-header' },
      h('strong', {}, path),
      ' ',
      h('a', { href: url, download: '' }, 'download'),
    );
    try {
      if (IMAGE.test(path)) {
        mount(preview, header, h('img', { src: url, alt: path, class: 'preview-image' }));
      } else if (/\.html?$/i.test(path)) {
        // The server sends artifacts as attachments (an HTML artifact must never run as a page
        // of this origin), so the card goes into a sandboxed frame's srcdoc: no script runs there.
        const frame = h('iframe', { sandbox: '', class: 'preview-html', title: path });
        frame.srcdoc = await artifactText(runId, path);
        mount(preview, header, frame);
      } else if (/\.json$/i.test(path)) {
        const text = await artifactText(runId, path);
        let pretty = text;
        try {
          pretty = JSON.stringify(JSON.parse(text), null, 2);
        } catch {
          // not valid JSON: show it as it is
        }
        mount(preview, header, h('pre', { class: 'preview-text preview-json' }, pretty));
      } else if (/\.(csv|tsv)$/i.test(path)) {
        const text = await artifactText(runId, path);
        mount(preview, header, csvTable(text, /\.tsv$/i.test(path) ? '\t' : ','));
      } else if (TEXT.test(path) || !/\.[a-z0-9]+$/i.test(path)) {
        mount(preview, header, h('pre', { class: 'preview-text' }, await artifactText(runId, path)));
      } else {
        mount(preview, header, h('p', {}, 'No preview for this kind of file.'));
      }
    } catch (error) {
      mount(preview, header, errorBox(error));
    }
  }

  void list(undefined, tree).then(() => {
    if (initialPath) void show(initialPath);
  });
  return root;
}

/** Splits CSV text into rows, honouring double-quoted fields (RFC 4180). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (rows.length > PREVIEW_ROWS) break;
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function csvTable(text: string, delimiter: string): HTMLElement {
  const [head = [], ...rest] = parseCsv(text, delimiter);
  const shown = rest.slice(0, PREVIEW_ROWS);
  return h(
    'div',
    { class: 'preview-csv' },
    h(
      'table',
      { class: 'grid' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((r) =>
          h(
            'tr',
            {},
            r.map((c) => h('td', {}, c)),
          ),
        ),
      ),
    ),
    rest.length > PREVIEW_ROWS ? h('p', { class: 'muted' }, `first ${PREVIEW_ROWS} rows shown`) : null,
  );
}
