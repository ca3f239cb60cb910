#!/usr/bin/env node
// The process edge: argv in, exit code out.
import { main } from "./cli.js";

// A closed pipe (etcdgen ... | head) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  color: process.stderr.isTTY === true && process.env.NO_COLOR === undefined,
});
process.exitCode = code;
