/**
 * The serial port against the real kernel: a pseudo-terminal stands in for
 * the receiver's UART. The test holds the master side and writes NMEA to it;
 * the port under test opens the slave device (`/dev/pts/N`) through libc.
 */
import { createLogger } from "../../lib/log.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../../lib/testing/assert.ts";
import { NmeaReader } from "./nmea.ts";
import { openSerialPort, SerialPortError } from "./serial_port.ts";
import { DRIVE, DRIVE_LOG } from "./testdata/drive.ts";

const O_RDWR = 0o2;
const O_NOCTTY = 0o400;
const B4800 = 0o14;
/** `offsetof(struct termios, c_lflag)`; ICANON and ECHO are cleared in raw mode. */
const C_LFLAG_OFFSET = 12;
const ICANON = 0o2;
const ECHO = 0o10;

const libc = Deno.dlopen("libc.so.6", {
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  cfgetispeed: { parameters: ["buffer"], result: "u32" },
  close: { parameters: ["i32"], result: "i32" },
}).symbols;

/** A pseudo-terminal: the test writes to `master`; `path` is the device a reader opens. */
interface Pty extends Disposable {
  path: string;
  write(text: string): void;
  /** Hangs up: the slave side then reads EIO. */
  hangUp(): void;
}

function openPty(): Pty {
  const master = libc.posix_openpt(O_RDWR | O_NOCTTY);
  assert(master >= 0, "posix_openpt");
  assert(libc.grantpt(master) === 0 && libc.unlockpt(master) === 0, "grantpt/unlockpt");
  const name = new Uint8Array(128);
  assert(libc.ptsname_r(master, name, BigInt(name.length)) === 0, "ptsname_r");
  let open = true;
  const hangUp = () => {
    if (open) libc.close(master);
    open = false;
  };
  return {
    path: new TextDecoder().decode(name.subarray(0, name.indexOf(0))),
    write(text) {
      const bytes = new TextEncoder().encode(text);
      assertEquals(Number(libc.write(master, bytes, BigInt(bytes.length))), bytes.length);
    },
    hangUp,
    [Symbol.dispose]: hangUp,
  };
}

/** The terminal settings of `path` as another opener sees them. */
function terminalSettings(path: string): { speed: number; canonical: boolean; echo: boolean } {
  const fd = libc.open(new TextEncoder().encode(path + "\0"), O_RDWR | O_NOCTTY, 0);
  assert(fd >= 0, `open ${path}`);
  const termios = new Uint8Array(128);
  try {
    assert(libc.tcgetattr(fd, termios) === 0, "tcgetattr");
  } finally {
    libc.close(fd);
  }
  const lflag = new DataView(termios.buffer).getUint32(C_LFLAG_OFFSET, true);
  return {
    speed: libc.cfgetispeed(termios),
    canonical: (lflag & ICANON) !== 0,
    echo: (lflag & ECHO) !== 0,
  };
}

async function readUntil(port: { read(): Promise<Uint8Array | null> }, text: string) {
  let got = "";
  while (!got.includes(text)) {
    const chunk = await port.read();
    assert(chunk !== null, `the port ended before "${text}"; got ${JSON.stringify(got)}`);
    got += new TextDecoder().decode(chunk);
  }
  return got;
}

Deno.test("openSerialPort() sets a terminal raw at the speed asked and reads what arrives", async () => {
  using pty = openPty();
  assertEquals(terminalSettings(pty.path).canonical, true, "a new pty starts canonical");
  const port = openSerialPort(pty.path, { baud: 4800 });
  try {
    assertEquals(terminalSettings(pty.path), { speed: B4800, canonical: false, echo: false });
    const pending = readUntil(port, "*42\r\n");
    pty.write("$GPGGA,123519,4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*42\r\n");
    assertEquals(
      await pending,
      "$GPGGA,123519,4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*42\r\n",
      "raw mode keeps the CR",
    );
  } finally {
    port.close();
  }
});

Deno.test("closing the port ends a read that is waiting for bytes", async () => {
  using pty = openPty();
  const port = openSerialPort(pty.path);
  const pending = port.read();
  port.close();
  assertEquals(await pending, null);
  port.close();
});

Deno.test("a hung-up device ends the stream; a device that fails names its errno", async () => {
  using pty = openPty();
  const port = openSerialPort(pty.path);
  try {
    // Closing the master hangs the slave up (tty_vhangup): reads give end of file.
    pty.hangUp();
    assertEquals(await port.read(), null);
  } finally {
    port.close();
  }
  const directory = openSerialPort("/");
  try {
    await assertRejects(
      () => directory.read(),
      SerialPortError,
      "Serial port /: read failed: EISDIR",
    );
  } finally {
    directory.close();
  }
});

Deno.test("openSerialPort() names the device and errno it cannot open, and refuses odd speeds", () => {
  assertThrows(
    () => openSerialPort("/dev/ttyHALO-missing"),
    SerialPortError,
    "Serial port /dev/ttyHALO-missing: open failed: ENOENT",
  );
  assertThrows(() => openSerialPort("/dev/null", { baud: 1234 }), RangeError, "4800, 9600");
});

Deno.test("a path that is not a terminal is read as it is, to its end", async () => {
  const file = await Deno.makeTempFile({ suffix: ".nmea" });
  try {
    await Deno.writeTextFile(file, "$GPTXT,01,01,02,hello*00\r\n");
    const port = openSerialPort(file);
    try {
      assertEquals(await readUntil(port, "\r\n"), "$GPTXT,01,01,02,hello*00\r\n");
      assertEquals(await port.read(), null);
    } finally {
      port.close();
    }
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("NmeaReader follows a receiver on a real serial device", async () => {
  using pty = openPty();
  const reader = new NmeaReader({
    path: pty.path,
    baud: 4800,
    log: createLogger({ component: "test", write: () => {} }),
  });
  try {
    const last = DRIVE.at(-1)!;
    const done = new Promise<void>((resolve) => {
      reader.onFix((fix) => fix.time === last.time && fix.track_deg !== undefined && resolve());
    });
    // The reader opens the device in the background; bytes written before that are kept by the pty.
    pty.write(await Deno.readTextFile(DRIVE_LOG));
    await done;
    const fix = reader.latest()!;
    assertEquals([fix.mode, fix.time, fix.satellites_used, fix.satellites_seen], [
      3,
      last.time,
      8,
      10,
    ]);
    assert(Math.abs(fix.lat! - last.lat) < 1e-9 && Math.abs(fix.lon! - last.lon) < 1e-9);
    assertEquals(reader.stats().errors, { framing: 5, checksum: 0, field: 0 }, "the comments");
  } finally {
    reader.close();
    await reader.done;
  }
});
