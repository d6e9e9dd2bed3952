#!/usr/bin/env node
// The convgrad command: the compiled command line (npm ci builds it into dist/ by the prepare script).
// Output that cannot be written is no success: a standard output that was closed (Node quietly puts
// /dev/null there, opened read-write, where a redirection opens it write-only) or whose reader went
// away makes the status 1, with a message.
import { readFileSync, readlinkSync } from 'node:fs';
import { main, nodeIo } from '../dist/cli/main.js';

/** Is file descriptor 1 the /dev/null Node opens in place of a closed one? (Linux's /proc says; elsewhere: no.) */
function stdoutWasClosed() {
  try {
    if (readlinkSync('/proc/self/fd/1') !== '/dev/null') return false;
    const flags = Number.parseInt(/^flags:\s*([0-7]+)/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'))[1], 8);
    return (flags & 3) === 2; // O_RDWR
  } catch {
    return false;
  }
}

let lost;
let done = false;
const failed = (status) => (status === 0 ? 1 : status);
process.stdout.on('error', (error) => {
  lost ??= error.code;
  if (done) process.exitCode = failed(process.exitCode ?? 0);
});
const io = nodeIo();
const stdout = stdoutWasClosed()
  ? (text) => {
      if (text.length > 0) lost ??= 'EBADF';
    }
  : io.stdout;
const status = await main(process.argv.slice(2), { ...io, stdout });
done = true;
process.exitCode = lost ? failed(status) : status;
// A reader that went away may be heard of only after the last write: the message waits for the exit.
process.on('exit', () => {
  if (lost) process.stderr.write(`convgrad: standard output ${lost === 'EPIPE' ? 'was closed by its reader' : 'is closed'}; what convgrad wrote there is lost\n`);
});
