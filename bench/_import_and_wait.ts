/**
 * Imports the module named by its argument (none: nothing), collects
 * garbage, prints "ready" and waits until stdin closes, so the bench can read
 * this process's resident memory: the runtime's own, or with a component's
 * code loaded but nothing started.
 */
const target = Deno.args[0];
if (target) await import(new URL(target, import.meta.url).href);
(globalThis as { gc?: () => void }).gc?.();
console.log("ready");
for await (const _ of Deno.stdin.readable) {
  // Nothing is sent: the bench closes stdin when it has read /proc.
}
