/**
 * A project's files as one tar archive, so queue workers need no shared file system: the enqueuer
 * packs the project directory (its code: results, caches and installed packages are left out, as
 * for the code digest) and uploads it once; a worker downloads it once per content hash and
 * unpacks it into a directory of its own, where the project is prepared and run as a local one.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract, pack } from 'tar-stream';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { isCodePath } from '../projects/index.js';

/** Packs `projectDir` into `file` (a tar of its code files, in sorted order); returns its SHA-256. */
export async function packProject(projectDir: string, file: string): Promise<string> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(projectDir, abs).split(sep).join('/');
      if (!isCodePath(rel)) continue;
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) files.push(rel);
    }
  };
  walk(projectDir);
  files.sort();
  const archive = pack();
  const writing = pipeline(archive, createWriteStream(file));
  for (const rel of files) {
    const abs = join(projectDir, rel);
    const info = statSync(abs);
    // mtime fixed: the archive's hash is the content's, so an unchanged project is not uploaded again.
    const entry = archive.entry({ name: rel, size: info.size, mode: info.mode & 0o777, mtime: new Date(0) });
    await pipeline(createReadStream(abs), entry);
  }
  archive.finalize();
  await writing;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Unpacks an archive written by packProject into `dir` (built beside it and renamed into place by
 * replaceAtomicallyAsync, so a worker killed halfway leaves no half project). Entries must be plain files with relative paths
 * inside the directory: anything else is refused.
 */
export async function unpackProject(file: string, dir: string): Promise<void> {
  if (existsSync(dir)) return;
  mkdirSync(dirname(dir), { recursive: true });
  // Content-addressed: another job of the same worker that unpacked it first made the same files.
  await replaceAtomicallyAsync(
    dir,
    async (temp) => {
      mkdirSync(temp);
      const entries = extract();
      const reading = pipeline(createReadStream(file), entries);
      for await (const entry of entries) {
        const name = entry.header.name;
        const target = resolve(temp, name);
        if (entry.header.type !== 'file' || name.startsWith('/') || !target.startsWith(`${temp}${sep}`)) {
          entry.resume();
          throw new Error(
            `the project archive holds an entry mlrecipe does not write: ${JSON.stringify(name)}`,
          );
        }
        mkdirSync(dirname(target), { recursive: true });
        await pipeline(entry, createWriteStream(target, { mode: entry.header.mode ?? 0o644 }));
      }
      await reading;
    },
    { keepExisting: true },
  );
}
