/**
 * Content hashes of input files without re-reading unchanged files: a file whose (size, mtime in
 * ns, inode) match the recorded entry keeps its recorded sha256, as git's index and DVC's state
 * database do. Stored in `.recipe/stat-cache.json`, written atomically (temp + rename); two runs
 * writing it at once only lose entries, which are re-hashed next time.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

interface StatEntry {
  size: number;
  /** mtime in nanoseconds, as a decimal string (exceeds 2^53). */
  mtimeNs: string;
  ino: string;
  sha256: string;
}

interface StatCacheFile {
  version: 1;
  entries: Record<string, StatEntry>;
}

/**
 * A file modified within this window of being hashed could change again within the same mtime
 * tick without its stat changing ("racy git"); such entries are not remembered.
 */
const RACY_WINDOW_NS = 2_000_000_000n;

export class StatCache {
  readonly file: string;
  private entries: Record<string, StatEntry>;
  private dirty = false;
  /** Files hashed (read) during this process, for tests and benchmarks. */
  hashedFiles = 0;

  private constructor(file: string, entries: Record<string, StatEntry>) {
    this.file = file;
    this.entries = entries;
  }

  /** Opens the stat cache at `<stateDir>/stat-cache.json`; a missing or corrupt file starts empty. */
  static open(stateDir: string): StatCache {
    const file = join(stateDir, 'stat-cache.json');
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as StatCacheFile;
      if (parsed.version === 1 && parsed.entries && typeof parsed.entries === 'object') {
        return new StatCache(file, parsed.entries);
      }
    } catch {
      // Missing or unreadable: the cache is only an optimisation, start empty.
    }
    return new StatCache(file, {});
  }

  /** sha256 of an absolute path's content; 'missing' when the file does not exist. */
  async hash(path: string): Promise<string> {
    let st: Awaited<ReturnType<typeof stat>> & { mtimeNs: bigint; ino: bigint; size: bigint };
    try {
      st = (await stat(path, { bigint: true })) as typeof st;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    const size = Number(st.size);
    const mtimeNs = st.mtimeNs.toString();
    const ino = st.ino.toString();
    const known = this.entries[path];
    if (known && known.size === size && known.mtimeNs === mtimeNs && known.ino === ino) return known.sha256;
    const digest = await hashFile(path);
    this.hashedFiles++;
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    if (nowNs - st.mtimeNs > RACY_WINDOW_NS) {
      this.entries[path] = { size, mtimeNs, ino, sha256: digest };
      this.dirty = true;
    } else if (known) {
      delete this.entries[path];
      this.dirty = true;
    }
    return digest;
  }

  /** Writes the cache if anything changed (temp file + rename). */
  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify({ version: 1, entries: this.entries } satisfies StatCacheFile));
    this.dirty = false;
  }
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
