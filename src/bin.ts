#!/usr/bin/env node
// The process edge: argv in, exit code out.
import { readFileSync } from "node:fs";
import { main, wantsColor } from "./cli.js";

// A closed pipe (etcdgen ... | head) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: () => readFileSync(0, "utf8"),
  env: process.env,
  cwd: process.cwd(),
  color: wantsColor(process.stderr.isTTY === true, process.env),
});
process.exitCode = code;
