/**
 * NumPy's `.npy` format, version 1.0, for one-dimensional little-endian arrays: what
 * `numpy.save` writes and `numpy.load` reads (numpy/lib/format.py). The header is padded so the
 * data starts at a multiple of 64 bytes, which lets both sides view the data in place.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { DataError } from '../errors.js';

export type NpyArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** NumPy's `descr` for each typed array ('|b1' is written for booleans stored as Uint8Array). */
const DESCR: ReadonlyArray<
  [string, new (buffer: ArrayBuffer, offset: number, length: number) => NpyArray, number]
> = [
  ['<f8', Float64Array, 8],
  ['<f4', Float32Array, 4],
  ['<i8', BigInt64Array, 8],
  ['<u8', BigUint64Array, 8],
  ['<i4', Int32Array, 4],
  ['<u4', Uint32Array, 4],
  ['<i2', Int16Array, 2],
  ['<u2', Uint16Array, 2],
  ['|i1', Int8Array, 1],
  ['|u1', Uint8Array, 1],
  ['|b1', Uint8Array, 1],
];

function descrOf(array: NpyArray, bool: boolean): string {
  if (bool) return '|b1';
  for (const [descr, ctor] of DESCR) if (array.constructor === ctor) return descr;
  throw new Error(`no .npy dtype for ${array.constructor.name}`);
}

/** The .npy header for a 1-D array of `length` elements. */
export function npyHeader(descr: string, length: number): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${length},), }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const header = Buffer.alloc(total, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(total - 10, 8);
  header.write(dict, 10, 'latin1');
  header[total - 1] = 0x0a;
  return header;
}

/** Writes `array` as a .npy file (`bool: true` marks a Uint8Array of 0/1 as NumPy's bool). */
export function writeNpy(file: string, array: NpyArray, options: { bool?: boolean } = {}): void {
  const header = npyHeader(descrOf(array, options.bool === true), array.length);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, header);
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    let written = 0;
    // writeSync may write less than asked for large buffers.
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } finally {
    closeSync(fd);
  }
}

export interface ReadNpy {
  descr: string;
  array: NpyArray;
}

/** Reads a 1-D .npy file written by NumPy or writeNpy. */
export function readNpy(file: string): ReadNpy {
  const buf = readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new DataError(`${file} is not a .npy file`);
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const dict = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(dict)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || shape === undefined || fortran === undefined) {
    throw new DataError(`${file}: cannot read the .npy header ${JSON.stringify(dict)}`);
  }
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (dims.length !== 1 || !Number.isInteger(dims[0])) {
    throw new DataError(`${file}: expected a one-dimensional array, its shape is (${shape})`);
  }
  const length = dims[0] as number;
  const entry = DESCR.find(([d]) => d === descr || (d.startsWith('|') && d.slice(1) === descr.slice(1)));
  if (entry === undefined) throw new DataError(`${file}: unsupported dtype ${descr}`);
  const [, ctor, size] = entry;
  const offset = start + headerLen;
  if (buf.length < offset + length * size) throw new DataError(`${file}: the file is truncated`);
  // A typed array view needs its offset aligned to the element size; copy when it is not.
  const at = buf.byteOffset + offset;
  const array =
    at % size === 0
      ? new ctor(buf.buffer as ArrayBuffer, at, length)
      : new ctor((buf.buffer as ArrayBuffer).slice(at, at + length * size), 0, length);
  return { descr: descr.replace(/^=/, '<'), array };
}
