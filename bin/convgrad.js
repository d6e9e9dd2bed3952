#!/usr/bin/env node
// The convgrad command: the compiled command line (npm ci builds it into dist/ by the prepare script).
import { main, nodeIo } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), nodeIo());
