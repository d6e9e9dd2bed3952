// NumPy's .npy format. Written as version 1.0, float64 little-endian, C order: what numpy.load reads.
// Layout: the magic \x93NUMPY, version 1 0, a little-endian uint16 header length (uint32 from version
// 2), a Python dict literal padded with spaces and a newline so that the data starts at a multiple of
// 64 bytes. Read as numpy.save writes it, for another engine's tensors.

export function npy(shape: readonly number[], values: readonly number[]): Buffer {
  const shapeText = shape.length === 0 ? '()' : shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix.writeUInt8(1, 6);
  prefix.writeUInt8(0, 7);
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => data.writeDoubleLE(v, i * 8));
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}

/** The element types readNpy takes: floats of 2, 4 and 8 bytes, signed and unsigned integers, booleans. */
const READERS: Record<string, { bytes: number; read: (b: Buffer, at: number, little: boolean) => number }> = {
  f2: { bytes: 2, read: (b, at, little) => half(little ? b.readUInt16LE(at) : b.readUInt16BE(at)) },
  f4: { bytes: 4, read: (b, at, little) => (little ? b.readFloatLE(at) : b.readFloatBE(at)) },
  f8: { bytes: 8, read: (b, at, little) => (little ? b.readDoubleLE(at) : b.readDoubleBE(at)) },
  i1: { bytes: 1, read: (b, at) => b.readInt8(at) },
  u1: { bytes: 1, read: (b, at) => b.readUInt8(at) },
  b1: { bytes: 1, read: (b, at) => b.readUInt8(at) },
  i2: { bytes: 2, read: (b, at, little) => (little ? b.readInt16LE(at) : b.readInt16BE(at)) },
  u2: { bytes: 2, read: (b, at, little) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at)) },
  i4: { bytes: 4, read: (b, at, little) => (little ? b.readInt32LE(at) : b.readInt32BE(at)) },
  u4: { bytes: 4, read: (b, at, little) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at)) },
  i8: { bytes: 8, read: (b, at, little) => Number(little ? b.readBigInt64LE(at) : b.readBigInt64BE(at)) },
  u8: { bytes: 8, read: (b, at, little) => Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) },
};

// IEEE 754 half precision: sign, 5 exponent bits (bias 15), 10 fraction bits
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * A .npy file as numpy.save writes it (versions 1 to 3; C or Fortran order; the float, integer and
 * boolean types), as its shape and its entries in row-major order; or why it is not one.
 */
export function readNpy(bytes: Buffer): { shape: number[]; data: number[] } | { error: string } {
  if (bytes.length < 10 || bytes.subarray(0, 6).toString('latin1') !== '\x93NUMPY') return { error: 'not a .npy file (no \\x93NUMPY at its start)' };
  const major = bytes.readUInt8(6);
  if (major < 1 || major > 3) return { error: `.npy format version ${major}, not 1, 2 or 3` };
  const [lengthBytes, headerLength] = major === 1 ? [2, bytes.readUInt16LE(8)] : [4, bytes.readUInt32LE(8)];
  const start = 8 + lengthBytes;
  const header = bytes.subarray(start, start + headerLength).toString(major === 3 ? 'utf8' : 'latin1');
  // The dictionary numpy writes, its three keys each once and nothing else: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
  const entries = /^\{\s*((?:'(?:descr|fortran_order|shape)':\s*(?:'[^']*'|True|False|\([\d,\s]*\))\s*,\s*)*)\}\s*$/.exec(header);
  const keys = entries ? [...entries[1].matchAll(/'(\w+)':/g)].map((m) => m[1]) : [];
  const descr = /'descr':\s*'([<>|=])([a-z])(\d+)'/.exec(header);
  const order = /'fortran_order':\s*(True|False)/.exec(header);
  const shapeText = /'shape':\s*\(([\d,\s]*)\)/.exec(header);
  if (!entries || keys.length !== 3 || new Set(keys).size !== 3 || !descr || !order || !shapeText) {
    return { error: `a .npy header numpy did not write: ${JSON.stringify(header.length > 80 ? `${header.slice(0, 80)}…` : header)}` };
  }
  const reader = READERS[`${descr[2]}${descr[3]}`];
  if (!reader) return { error: `entries of type ${descr[1]}${descr[2]}${descr[3]}: save floats (float64 is exact for convgrad's doubles), integers or booleans` };
  const shape = shapeText[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const little = descr[1] !== '>';
  const at = start + headerLength;
  if (bytes.length !== at + count * reader.bytes) return { error: `${count} entries of ${reader.bytes} bytes announced, ${bytes.length - at} bytes of data` };
  const stored = Array.from({ length: count }, (_, k) => reader.read(bytes, at + k * reader.bytes, little));
  if (order[1] === 'False' || shape.length < 2) return { shape, data: stored };
  // Fortran order: the first index varies fastest.
  const data = new Array<number>(count);
  const strides = shape.map((_, d) => shape.slice(0, d).reduce((a, b) => a * b, 1));
  for (let flat = 0; flat < count; flat++) {
    let rest = flat;
    let source = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      source += (rest % shape[d]) * strides[d];
      rest = Math.floor(rest / shape[d]);
    }
    data[flat] = stored[source];
  }
  return { shape, data };
}
