/**
 * A train sweep's inputs as one file, uploaded once per sweep to the parent run's artifacts and
 * downloaded once per worker: a JSON header (config, problem, metric) followed by the raw
 * little-endian arrays (training matrix by column, targets, validation matrix, validation truth),
 * each 8-byte aligned so it is read back without copying byte by byte.
 *
 * Layout: "MLRQTI1\n" · u32 header length · header JSON · padding · arrays.
 */
import type { FeatureMatrix } from '../ml/types.js';
import type { TrainTrialInputs } from '../sweeps/index.js';
import { sharedCopy } from '../sweeps/index.js';

const MAGIC = Buffer.from('MLRQTI1\n', 'latin1');

type ArrayKind = 'f64' | 'i32';
interface ArrayEntry {
  name: string;
  kind: ArrayKind;
  length: number;
}

interface Header {
  cfg: TrainTrialInputs['payload']['cfg'];
  kind: TrainTrialInputs['payload']['kind'];
  problemType: TrainTrialInputs['payload']['problemType'];
  nClasses: number;
  positiveClass: number;
  primary: string;
  greater: boolean;
  nRows: number;
  nCols: number;
  valRows: number;
  arrays: ArrayEntry[];
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

export function encodeTrialInputs(inputs: TrainTrialInputs): Buffer {
  const { payload, truth } = inputs;
  const arrays: Array<{ entry: ArrayEntry; data: Float64Array | Int32Array }> = [];
  const add = (name: string, data: Float64Array | Int32Array) =>
    arrays.push({
      entry: { name, kind: data instanceof Int32Array ? 'i32' : 'f64', length: data.length },
      data,
    });
  payload.X.columns.forEach((c, i) => add(`X.${i}`, c));
  add('y', payload.y);
  payload.Xval.columns.forEach((c, i) => add(`Xval.${i}`, c));
  if (truth.number) add('truth.number', truth.number);
  if (truth.index) add('truth.index', truth.index);
  const header: Header = {
    cfg: payload.cfg,
    kind: payload.kind,
    problemType: payload.problemType,
    nClasses: payload.nClasses,
    positiveClass: inputs.positiveClass,
    primary: inputs.primary,
    greater: inputs.greater,
    nRows: payload.X.nRows,
    nCols: payload.X.columns.length,
    valRows: payload.Xval.nRows,
    arrays: arrays.map((a) => a.entry),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  let offset = align8(MAGIC.length + 4 + json.length);
  const total = arrays.reduce((n, a) => n + align8(a.data.byteLength), offset);
  const out = Buffer.alloc(total);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  for (const { data } of arrays) {
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, offset);
    offset += align8(data.byteLength);
  }
  return out;
}

/** Decodes a file written by encodeTrialInputs; arrays land in shared memory for the trial threads. */
export function decodeTrialInputs(bytes: Buffer, recipeDir: string): TrainTrialInputs {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(
      'the sweep inputs file is not in the format this worker reads (run the same mlrecipe version everywhere)',
    );
  }
  const length = bytes.readUInt32LE(MAGIC.length);
  const header = JSON.parse(
    bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + length).toString('utf8'),
  ) as Header;
  let offset = align8(MAGIC.length + 4 + length);
  const byName = new Map<string, Float64Array | Int32Array>();
  for (const entry of header.arrays) {
    const size = entry.length * (entry.kind === 'f64' ? 8 : 4);
    if (offset + size > bytes.length)
      throw new Error(`the sweep inputs file is truncated (array ${entry.name})`);
    // Copied out of the file's buffer into aligned, shared memory (Buffer offsets need not be aligned).
    const view = bytes.subarray(offset, offset + size);
    const copy = entry.kind === 'f64' ? new Float64Array(entry.length) : new Int32Array(entry.length);
    new Uint8Array(copy.buffer).set(view);
    byName.set(entry.name, sharedCopy(copy));
    offset += align8(size);
  }
  const get = (name: string) => {
    const a = byName.get(name);
    if (!a) throw new Error(`the sweep inputs file has no array ${name}`);
    return a;
  };
  const matrix = (prefix: string, nRows: number): FeatureMatrix => ({
    nRows,
    columns: Array.from({ length: header.nCols }, (_, i) => get(`${prefix}.${i}`) as Float64Array),
  });
  return {
    payload: {
      recipeDir,
      cfg: header.cfg,
      kind: header.kind,
      problemType: header.problemType,
      X: matrix('X', header.nRows),
      y: get('y'),
      nClasses: header.nClasses,
      Xval: matrix('Xval', header.valRows),
    },
    truth: {
      ...(byName.has('truth.number') ? { number: get('truth.number') as Float64Array } : {}),
      ...(byName.has('truth.index') ? { index: get('truth.index') as Int32Array } : {}),
    },
    positiveClass: header.positiveClass,
    primary: header.primary,
    greater: header.greater,
  };
}
