// NumPy's .npy format (version 1.0), float64 little-endian, C order: what numpy.load reads.
// Layout: the magic \x93NUMPY, version 1 0, a little-endian uint16 header length, a Python dict
// literal padded with spaces and a newline so that the data starts at a multiple of 64 bytes.

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
