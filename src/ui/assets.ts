/**
 * The web UI's files, for the tracking server to serve: the page and its stylesheet
 * (`src/ui/public/`), the browser modules compiled from `src/ui/app/` (`dist/ui/app/`), and uPlot's
 * prebuilt browser files from its npm package. Every asset is local: the UI needs no internet.
 *
 * URL paths are matched against a fixed table or a checked file name, never joined onto a
 * directory as given, so no request can read outside these folders.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface UiAsset {
  /** Absolute path of the file to send. */
  path: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The package root: the nearest folder above this module that holds package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('mlrecipe: cannot find the package root for the UI files');
    dir = parent;
  }
  return dir;
}

let cached: Map<string, UiAsset> | undefined;

function contentType(file: string): string {
  const dot = file.lastIndexOf('.');
  return CONTENT_TYPES[dot >= 0 ? file.slice(dot) : ''] ?? 'application/octet-stream';
}

function table(): Map<string, UiAsset> {
  if (cached) return cached;
  const root = packageRoot();
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
  const entries: [string, string][] = [
    ['/', join(root, 'src', 'ui', 'public', 'index.html')],
    ['/ui/style.css', join(root, 'src', 'ui', 'public', 'style.css')],
    ['/ui/vendor/uPlot.iife.min.js', join(uplotDir, 'uPlot.iife.min.js')],
    ['/ui/vendor/uPlot.min.css', join(uplotDir, 'uPlot.min.css')],
  ];
  cached = new Map(entries.map(([url, path]) => [url, { path, contentType: contentType(path) }]));
  return cached;
}

/** A browser module's file name: letters, digits, `-` and `_`, then `.js` or `.js.map`. */
const APP_MODULE = /^\/ui\/app\/((?:[a-z0-9_-]+\/)?[a-z0-9_-]+\.js(?:\.map)?)$/i;

/** The file behind a UI URL path (`/`, `/index.html`, `/ui/...`), or undefined when there is none. */
export function resolveUiAsset(urlPath: string): UiAsset | undefined {
  const path = urlPath === '/index.html' ? '/' : urlPath;
  const fixed = table().get(path);
  if (fixed) return existsSync(fixed.path) ? fixed : undefined;
  const module = APP_MODULE.exec(path);
  if (!module) return undefined;
  const file = join(packageRoot(), 'dist', 'ui', 'app', ...module[1].split('/'));
  return existsSync(file) ? { path: file, contentType: contentType(file) } : undefined;
}
