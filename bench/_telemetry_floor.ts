/**
 * For scale beside (e): resident memory of `deno run` with the gateway
 * task's flags before the gateway does anything, once with no code (the
 * runtime itself) and once with the gateway's modules imported (its code,
 * nothing started), read from /proc like the gateway's own.
 */
import { denoTaskCommand } from "../tests/_helpers/deno_task.ts";
import { memoryMiB } from "./_telemetry_proc.ts";

const ROOT = new URL("../", import.meta.url);

/** Resident memory of an idle process, MiB. */
export type Resident = ReturnType<typeof memoryMiB>;

async function residentAfterImport(module: string | null): Promise<Resident> {
  const task = await denoTaskCommand("gateway", "gateway/main.ts");
  const child = new Deno.Command(Deno.execPath(), {
    args: [...task.args.slice(0, -1), "bench/_import_and_wait.ts", ...(module ? [module] : [])],
    cwd: ROOT,
    env: task.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("ready\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`bench/_import_and_wait.ts ${module ?? ""} exited before "ready"`);
      out += value;
    }
    const resident = memoryMiB(child.pid);
    reader.releaseLock();
    return resident;
  } finally {
    await child.stdin.close();
    await child.stdout.cancel().catch(() => {});
    await child.status;
  }
}

/** The runtime alone, then with the gateway's code imported. */
export async function runtimeFloor(): Promise<{ runtime: Resident; code: Resident }> {
  return {
    runtime: await residentAfterImport(null),
    code: await residentAfterImport("../gateway/start.ts"),
  };
}
