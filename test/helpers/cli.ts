// Runs etcdgen's CLI in-process, capturing what it prints.
import { main } from "../../src/cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    ...(options.stdin !== undefined ? { stdin: () => options.stdin! } : {}),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    color: false,
  });
  return { code, stdout, stderr };
}
