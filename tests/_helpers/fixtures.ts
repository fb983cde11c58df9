/**
 * A populated in-process gateway for tests that walk every route: nodes with
 * agent tokens, a mesh, a neuron, users, and callers of every kind, plus a
 * valid request for each operation so a test can tell "refused for the
 * caller's role" from "refused because the test sent nonsense".
 */
import type { UserRole } from "../../lib/schemas/common.ts";
import { sampleReport } from "../../lib/testing/reports.ts";
import { testJpeg } from "../../lib/testing/commands.ts";
import type { Harness } from "../../gateway/testing/harness.ts";

/** A node enrolled through the API, with the agent token it was given. */
export interface EnrolledNode {
  id: string;
  name: string;
  agentToken: string;
  serial: string;
}

/** Someone calling the API. */
export interface Caller {
  /** e.g. `viewer (session)`; used in assertion messages. */
  readonly label: string;
  readonly kind: "anonymous" | "token" | "session" | "agent";
  /** The user role, or null for anonymous callers and agents. */
  readonly role: UserRole | null;
  /** A session user's current password. */
  password?: string;
  /**
   * Headers that authenticate this caller. The agent caller presents
   * `agentToken` (the token of the node a request is about) when given.
   */
  headers(agentToken?: string): Promise<Headers>;
  /** The session ended (logout): the next request logs in again. */
  loggedOut(): void;
}

/** A request for one operation that the fixtures make valid. */
export interface PreparedRequest {
  /** Path parameters by name. */
  params?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  /** Query parameters. */
  query?: Record<string, string>;
  /** The agent token of the node the request is about. */
  agentToken?: string;
  /**
   * Whether an allowed caller gets a 2xx. False where the route rightly
   * refuses this kind of caller after letting it in (an API token has no
   * password to change). @default true
   */
  succeeds?: boolean;
  /** Called with the answer's status, to keep fixtures in step with what the request changed. */
  after?: (status: number) => void;
}

/** Builds a valid request for one operation, creating what it acts on when it destroys it. */
export type RequestFactory = (world: World, caller: Caller) => Promise<PreparedRequest>;

/** A small valid flow: a manual trigger raising an alert. */
export function fixtureFlow(name: string) {
  return {
    name,
    steps: [
      { id: "t", type: "manual", config: {} },
      { id: "a", type: "alert", config: { message: "fixture {flow_name}" } },
    ],
    edges: [{ from: "t", to: "a" }],
  };
}

/** A small valid action template: a warning alert. */
export function fixtureTemplate(name: string) {
  return { name, type: "alert", config: { message: "fixture {flow_name}" } };
}

/** A camera snapshot's result as an agent posts it: the 64×48 test JPEG. */
export function fixtureSnapshotResult() {
  return {
    outcome: "succeeded",
    type: "camera_snapshot",
    result: { tool: "rpicam-still", image_base64: testJpeg().toBase64() },
  };
}

/** A well-formed ed25519 host key (all-zero key material). */
export const FIXTURE_HOST_KEY = `ssh-ed25519 ${
  btoa(String.fromCharCode(
    0,
    0,
    0,
    11,
    ..."ssh-ed25519".split("").map((c) => c.charCodeAt(0)),
    0,
    0,
    0,
    32,
    ...new Array(32).fill(0),
  ))
}`;

/** The password of every user the fixtures create. */
export const FIXTURE_PASSWORD = "correct horse battery staple";

/** The fixtures every route test shares. */
export class World {
  #seq = 0;
  #joinToken = "";
  #admin = "";
  /** A live node the tests report for, patch and place neurons on. */
  node!: EnrolledNode;
  /** A second live node, the other end of a link. */
  peer!: EnrolledNode;
  meshId = 0;
  neuronId = "n01";
  /** A user whose role the PATCH route changes. */
  patchableUserId = 0;
  /** A user whose password the tests know, for the login route. */
  readonly loginUser = { username: "login-user", password: FIXTURE_PASSWORD };

  private constructor(readonly h: Harness) {}

  /** Populates `h` with the shared fixtures. */
  static async create(h: Harness): Promise<World> {
    const w = new World(h);
    w.#admin = await h.tokenFor("admin");
    w.#joinToken = await h.joinToken(1000);
    w.node = await w.enroll("fixture-node");
    w.peer = await w.enroll("fixture-peer");
    await w.#report(w.node);
    await w.#report(w.peer);
    w.meshId = await w.createMesh();
    await w.admin("POST", "/v1/neurons", { id: w.neuronId, description: "fixture" });
    w.patchableUserId = (await w.createUser("viewer")).id;
    await h.user(w.loginUser.username, "viewer", w.loginUser.password);
    return w;
  }

  /** A number unique within this world, for names. */
  seq(): number {
    return ++this.#seq;
  }

  /** The live join token (1000 uses). */
  get joinToken(): string {
    return this.#joinToken;
  }

  /** Calls the API as admin (bearer token) and returns the JSON answer; throws unless 2xx. */
  async admin(method: string, path: string, json?: unknown): Promise<Record<string, unknown>> {
    const res = await this.h.request(path, {
      method,
      token: this.#admin,
      ...(json !== undefined ? { json } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Fixture ${method} ${path} failed with ${res.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  }

  /**
   * Enrolls a fresh device through `POST /v1/enroll`, with a join token of its
   * own so tests may move the clock past the shared one's expiry.
   */
  async enroll(hostname = `node-${this.seq()}`): Promise<EnrolledNode> {
    const serial = `FX${this.seq().toString(16).padStart(8, "0")}`;
    const res = await this.h.request("/v1/enroll", {
      method: "POST",
      json: { join_token: await this.h.joinToken(1), hardware: { serial }, hostname },
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`Fixture enrollment failed: ${JSON.stringify(body)}`);
    return { id: body.node_id, name: body.name, agentToken: body.agent_token, serial };
  }

  async #report(node: EnrolledNode): Promise<void> {
    const res = await this.h.request(`/v1/nodes/${node.id}/report`, {
      method: "POST",
      token: node.agentToken,
      json: sampleReport({ hostname: node.name, interfaces: [] }),
    });
    await res.body?.cancel();
    if (res.status !== 200) throw new Error(`Fixture report failed with ${res.status}`);
  }

  /** Creates a user through the store (no API call) and returns its id. */
  async createUser(role: UserRole): Promise<{ id: number; username: string }> {
    const username = `user${this.seq()}`;
    await this.h.user(username, role, FIXTURE_PASSWORD);
    const row = this.h.deps.db.prepare("SELECT id FROM users WHERE username = ?").get(username) as {
      id: number;
    };
    return { id: row.id, username };
  }

  /** A fresh flow (created as admin) for routes that read, change or delete one. */
  async flow(): Promise<number> {
    const flow = await this.admin("POST", "/v1/flows", fixtureFlow(`fixture flow ${this.seq()}`));
    return flow.id as number;
  }

  /** A fresh action template (created as admin) for routes that read, change or delete one. */
  async actionTemplate(): Promise<number> {
    const template = await this.admin(
      "POST",
      "/v1/flows/action-templates",
      fixtureTemplate(
        `fixture template ${this.seq()}`,
      ),
    );
    return template.id as number;
  }

  /** A finished execution of a fresh flow. */
  async execution(): Promise<{ id: string; exec_id: string }> {
    const flowId = await this.flow();
    const started = await this.admin("POST", `/v1/flows/${flowId}/trigger`, {});
    const execId = started.execution_id as number;
    for (let i = 0; i < 200; i++) {
      const e = await this.admin("GET", `/v1/flows/${flowId}/executions/${execId}`);
      if (e.status !== "running") break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return { id: String(flowId), exec_id: String(execId) };
  }

  /** An open alert, raised by running a fresh fixture flow. */
  async alert(): Promise<number> {
    const { exec_id } = await this.execution();
    const row = this.h.deps.db.prepare("SELECT id FROM flow_alerts WHERE execution_id = ?").get(
      Number(exec_id),
    ) as {
      id: number;
    };
    return row.id;
  }

  async createMesh(): Promise<number> {
    const mesh = await this.admin("POST", "/v1/meshes", {
      ssid: `FIXTURE${this.seq()}-8A`,
      channel: 28,
      psk: "fixture-passphrase",
    });
    return mesh.id as number;
  }

  async createNeuron(): Promise<string> {
    const id = `fx${this.seq()}`;
    await this.admin("POST", "/v1/neurons", { id });
    return id;
  }

  /**
   * A camera snapshot queued for the peer node, issued while a stand-in for
   * its agent's command stream is attached (a real stream would write it on
   * its own time, changing the database under a test).
   */
  async queuedCommand(): Promise<string> {
    const detach = this.h.deps.commands.connect(this.peer.id, { deliver() {}, replaced() {} });
    try {
      const path = `/v1/nodes/${this.peer.id}/commands`;
      return (await this.admin("POST", path, { type: "camera_snapshot" })).id as string;
    } finally {
      detach();
    }
  }

  /** A snapshot the peer's agent took, its image held for the first caller to fetch it. */
  async snapshot(): Promise<string> {
    const id = await this.queuedCommand();
    const res = await this.h.request(`/v1/agent/commands/${id}/result`, {
      method: "POST",
      token: this.peer.agentToken,
      json: fixtureSnapshotResult(),
    });
    await res.body?.cancel();
    if (res.status !== 200) throw new Error(`Fixture snapshot result failed with ${res.status}`);
    return id;
  }

  /** An anonymous caller, API-token callers, session callers and a node's agent. */
  async callers(): Promise<Caller[]> {
    const callers: Caller[] = [anonymousCaller()];
    for (const role of ["viewer", "operator", "admin"] as const) {
      callers.push(tokenCaller(role, await this.h.tokenFor(role)));
    }
    for (const role of ["viewer", "operator", "admin"] as const) {
      const username = `session-${role}`;
      await this.h.user(username, role, FIXTURE_PASSWORD);
      callers.push(sessionCaller(this.h, role, username, FIXTURE_PASSWORD));
    }
    callers.push(agentCaller(this.node.agentToken));
    return callers;
  }
}

/** Nobody logged in. */
export function anonymousCaller(): Caller {
  return {
    label: "anonymous",
    kind: "anonymous",
    role: null,
    headers: () => Promise.resolve(new Headers()),
    loggedOut() {},
  };
}

/** A bearer API token with `role`. */
export function tokenCaller(role: UserRole, token: string): Caller {
  return {
    label: `${role} (API token)`,
    kind: "token",
    role,
    headers: () => Promise.resolve(new Headers({ authorization: `Bearer ${token}` })),
    loggedOut() {},
  };
}

/** A user logged in with `POST /v1/auth/login` and its session cookie. */
export function sessionCaller(
  h: Harness,
  role: UserRole,
  username: string,
  password: string,
): Caller {
  let cookie: string | null = null;
  let csrf = "";
  const caller: Caller = {
    label: `${role} (session)`,
    kind: "session",
    role,
    password,
    async headers() {
      if (cookie === null) {
        const res = await h.request("/v1/auth/login", {
          method: "POST",
          json: { username, password: caller.password },
        });
        const set = res.headers.get("set-cookie");
        if (res.status !== 200 || !set) {
          await res.body?.cancel();
          throw new Error(`Login as ${username} failed: ${res.status}`);
        }
        csrf = (await res.json()).csrf_token;
        cookie = set.split(";")[0]!;
      }
      // A browser page sends its CSRF token with every change; GETs ignore it.
      return new Headers({ cookie, "x-csrf-token": csrf });
    },
    loggedOut() {
      cookie = null;
    },
  };
  return caller;
}

/** A node's agent; presents the token of the node a request is about when there is one. */
export function agentCaller(defaultToken: string): Caller {
  return {
    label: "agent",
    kind: "agent",
    role: null,
    headers: (agentToken) =>
      Promise.resolve(new Headers({ authorization: `Bearer ${agentToken ?? defaultToken}` })),
    loggedOut() {},
  };
}

/**
 * A valid request for each operation the gateway has today, keyed `METHOD path`.
 * Routes that destroy what they act on get a fresh target on every call.
 */
export const VALID_REQUESTS: Record<string, RequestFactory> = {
  "GET /health": () => Promise.resolve({}),

  "POST /v1/auth/login": (w) => Promise.resolve({ body: { ...w.loginUser } }),
  "POST /v1/auth/logout": (_w, caller) => Promise.resolve({ after: () => caller.loggedOut() }),
  "GET /v1/auth/me": () => Promise.resolve({}),
  "POST /v1/auth/password": (w, caller) => {
    const next = `changed password ${w.seq()}`;
    return Promise.resolve({
      body: { current_password: caller.password ?? "no password at all", new_password: next },
      succeeds: caller.kind === "session",
      after: (status) => {
        if (status === 200) caller.password = next;
      },
    });
  },

  "GET /v1/users": () => Promise.resolve({}),
  "POST /v1/users": (w) =>
    Promise.resolve({
      body: { username: `new${w.seq()}`, role: "viewer", password: FIXTURE_PASSWORD },
    }),
  "PATCH /v1/users/{id}": (w) =>
    Promise.resolve({ params: { id: String(w.patchableUserId) }, body: { role: "operator" } }),
  "DELETE /v1/users/{id}": async (w) => ({
    params: { id: String((await w.createUser("viewer")).id) },
  }),

  "GET /v1/tokens": () => Promise.resolve({}),
  "POST /v1/tokens": (w) =>
    Promise.resolve({ body: { name: `script ${w.seq()}`, role: "viewer" } }),
  "DELETE /v1/tokens/{id}": async (w) => {
    const token = await w.admin("POST", "/v1/tokens", { name: "doomed", role: "viewer" });
    return { params: { id: String(token.id) } };
  },

  "GET /v1/enrollment/tokens": () => Promise.resolve({}),
  "POST /v1/enrollment/tokens": (w) =>
    Promise.resolve({ body: { name: `batch ${w.seq()}`, max_uses: 5, expires_in_s: 3600 } }),
  "DELETE /v1/enrollment/tokens/{id}": async (w) => {
    const token = await w.admin("POST", "/v1/enrollment/tokens", { name: "doomed" });
    return { params: { id: String(token.id) } };
  },
  "POST /v1/nodes/{id}/replacement-token": (w) =>
    Promise.resolve({ params: { id: w.node.id }, body: { expires_in_s: 3600 } }),
  "POST /v1/enroll": (w) =>
    Promise.resolve({
      body: {
        join_token: w.joinToken,
        hardware: { serial: `EN${w.seq().toString(16).padStart(8, "0")}` },
        hostname: `enrolled-${w.seq()}`,
      },
    }),

  "GET /v1/nodes": () => Promise.resolve({}),
  "GET /v1/nodes/{id}": (w) =>
    Promise.resolve({ params: { id: w.node.id }, agentToken: w.node.agentToken }),
  "PATCH /v1/nodes/{id}": (w) =>
    Promise.resolve({
      params: { id: w.node.id },
      agentToken: w.node.agentToken,
      body: { tags: ["rack-2", "north"] },
    }),
  "POST /v1/nodes/{id}/decommission": async (w) => {
    const node = await w.enroll();
    return { params: { id: node.id }, agentToken: node.agentToken };
  },
  "POST /v1/nodes/{id}/report": (w) =>
    Promise.resolve({
      params: { id: w.node.id },
      agentToken: w.node.agentToken,
      body: sampleReport({ hostname: w.node.name }),
    }),
  "GET /v1/nodes/{id}/neurons": (w) =>
    Promise.resolve({ params: { id: w.node.id }, agentToken: w.node.agentToken }),

  "GET /v1/meshes": () => Promise.resolve({}),
  "POST /v1/meshes": (w) =>
    Promise.resolve({
      body: { ssid: `ETHRX${w.seq()}-8A`, channel: 12, psk: "correct-horse", description: "lab" },
    }),
  "PATCH /v1/meshes/{id}": (w) =>
    Promise.resolve({ params: { id: String(w.meshId) }, body: { description: "north field" } }),
  "DELETE /v1/meshes/{id}": async (w) => ({ params: { id: String(await w.createMesh()) } }),

  "GET /v1/neurons": () => Promise.resolve({}),
  "POST /v1/neurons": (w) => Promise.resolve({ body: { id: `nn${w.seq()}`, description: "new" } }),
  "GET /v1/neurons/{id}": (w) => Promise.resolve({ params: { id: w.neuronId } }),
  "DELETE /v1/neurons/{id}": async (w) => ({ params: { id: await w.createNeuron() } }),
  "POST /v1/neurons/placements": (w) =>
    Promise.resolve({ body: { component: `brain-sensor-${w.neuronId}`, node_id: w.node.id } }),
  "DELETE /v1/neurons/placements/{component}/{node_id}": async (w) => {
    const component = `brain-memory-${await w.createNeuron()}`;
    await w.admin("POST", "/v1/neurons/placements", { component, node_id: w.node.id });
    return { params: { component, node_id: w.node.id }, agentToken: w.node.agentToken };
  },

  "GET /v1/events": () => Promise.resolve({}),
  "GET /v1/events/stream": () => Promise.resolve({}),
  "POST /v1/telemetry": (w) =>
    Promise.resolve({
      agentToken: w.node.agentToken,
      body: {
        node_id: w.node.id,
        epoch: "fixture",
        batch_seq: w.seq(),
        // A minute before the harness's fake clock starts (2026-11-23T12:00Z).
        samples: [{
          metric: "soc.temp",
          ts: Date.UTC(2026, 10, 23, 11, 59),
          value: 41.5,
          unit: "°C",
        }],
      },
    }),
  "GET /v1/telemetry": () => Promise.resolve({}),
  "GET /v1/telemetry/latest": () => Promise.resolve({}),
  "GET /v1/telemetry/metrics": () => Promise.resolve({}),
  "GET /v1/telemetry/catalogue": () => Promise.resolve({}),
  "GET /v1/flows/metadata": () => Promise.resolve({}),
  "GET /v1/flows": () => Promise.resolve({}),
  "GET /v1/flows/metric-preview": () => Promise.resolve({ query: { metric: "soc.temp" } }),
  "POST /v1/flows": (w) => Promise.resolve({ body: fixtureFlow(`flow ${w.seq()}`) }),
  "GET /v1/flows/{id}": (w) => w.flow().then((id) => ({ params: { id: String(id) } })),
  "PUT /v1/flows/{id}": (w) =>
    w.flow().then((id) => ({ params: { id: String(id) }, body: fixtureFlow(`flow ${w.seq()}`) })),
  "DELETE /v1/flows/{id}": (w) => w.flow().then((id) => ({ params: { id: String(id) } })),
  "POST /v1/flows/{id}/trigger": (w) =>
    w.flow().then((id) => ({ params: { id: String(id) }, body: {} })),
  "POST /v1/flows/{id}/test": (w) =>
    w.flow().then((id) => ({ params: { id: String(id) }, body: {} })),
  "GET /v1/flows/{id}/versions/{version}": (w) =>
    w.flow().then((id) => ({ params: { id: String(id), version: "1" } })),
  "GET /v1/flows/{id}/executions": (w) => w.flow().then((id) => ({ params: { id: String(id) } })),
  "GET /v1/flows/{id}/executions/{exec_id}": (w) => w.execution().then((e) => ({ params: e })),
  "GET /v1/flows/{id}/variables": (w) => w.flow().then((id) => ({ params: { id: String(id) } })),
  "PUT /v1/flows/{id}/variables/{name}": (w) =>
    w.flow().then((id) => ({ params: { id: String(id), name: "site" }, body: { value: "north" } })),
  "DELETE /v1/flows/{id}/variables/{name}": async (w) => {
    const id = await w.flow();
    await w.admin("PUT", `/v1/flows/${id}/variables/site`, { value: "north" });
    return { params: { id: String(id), name: "site" } };
  },
  "GET /v1/flows/ssh/public-key": () => Promise.resolve({}),
  "GET /v1/flows/ssh/targets": () => Promise.resolve({}),
  "GET /v1/flows/ssh/targets/{node_id}": async (w) => {
    await w.admin("PUT", `/v1/flows/ssh/targets/${w.node.id}`, { host_keys: [FIXTURE_HOST_KEY] });
    return { params: { node_id: w.node.id } };
  },
  "PUT /v1/flows/ssh/targets/{node_id}": (w) =>
    Promise.resolve({ params: { node_id: w.node.id }, body: { host_keys: [FIXTURE_HOST_KEY] } }),
  "DELETE /v1/flows/ssh/targets/{node_id}": async (w) => {
    await w.admin("PUT", `/v1/flows/ssh/targets/${w.node.id}`, { host_keys: [FIXTURE_HOST_KEY] });
    return { params: { node_id: w.node.id } };
  },
  "GET /v1/flows/action-templates": () => Promise.resolve({}),
  "POST /v1/flows/action-templates": (w) =>
    Promise.resolve({ body: fixtureTemplate(`template ${w.seq()}`) }),
  "GET /v1/flows/action-templates/{id}": (w) =>
    w.actionTemplate().then((id) => ({ params: { id: String(id) } })),
  "PUT /v1/flows/action-templates/{id}": (w) =>
    w.actionTemplate().then((id) => ({
      params: { id: String(id) },
      body: fixtureTemplate(`template ${w.seq()}`),
    })),
  "DELETE /v1/flows/action-templates/{id}": (w) =>
    w.actionTemplate().then((id) => ({ params: { id: String(id) } })),
  "GET /v1/alerts": () => Promise.resolve({}),
  "GET /v1/silences": () => Promise.resolve({}),
  "POST /v1/silences": (w) =>
    Promise.resolve({
      body: { target: "node", value: w.node.id, reason: "maintenance", duration_s: 3600 },
    }),
  "DELETE /v1/silences/{id}": (w) =>
    w.admin("POST", "/v1/silences", { target: "tag", value: `t${w.seq()}`, duration_s: 600 })
      .then((s) => ({ params: { id: String(s.id) } })),
  "POST /v1/alerts/{id}/acknowledge": (w) =>
    w.alert().then((id) => ({ params: { id: String(id) } })),
  "POST /v1/alerts/{id}/resolve": (w) => w.alert().then((id) => ({ params: { id: String(id) } })),
  "GET /v1/topology": () => Promise.resolve({}),
  "GET /v1/topology/links/{a}/{b}/history": (w) =>
    Promise.resolve({ params: { a: w.node.id, b: w.peer.id }, agentToken: w.node.agentToken }),
  "GET /v1/audit": () => Promise.resolve({}),

  "GET /v1/system": () => Promise.resolve({}),
  "GET /v1/settings": () => Promise.resolve({}),
  "PATCH /v1/settings": () => Promise.resolve({ body: { network_name: "HALO north field" } }),
  "POST /v1/system/backup": () =>
    Promise.resolve({ body: { passphrase: "fixture backup passphrase" } }),
  "POST /v1/system/clock": (w) => {
    // Only a gateway whose clock nothing synchronises is set by hand.
    w.h.clockStatus = { synchronized: false, source: "fixture" };
    return Promise.resolve({ body: { time_ms: Date.UTC(2026, 10, 23, 12, 5) } });
  },

  "POST /v1/nodes/{id}/commands": (w) =>
    Promise.resolve({
      params: { id: w.node.id },
      agentToken: w.node.agentToken,
      body: {
        type: "camera_snapshot",
        params: { width: 640, height: 480, quality: 70, store: false },
        deadline_s: 60,
      },
    }),
  "GET /v1/nodes/{id}/commands": (w) =>
    Promise.resolve({
      params: { id: w.node.id },
      query: { limit: "20" },
      agentToken: w.node.agentToken,
    }),
  "GET /v1/commands/{id}": (w) => w.queuedCommand().then((id) => ({ params: { id } })),
  "GET /v1/commands/{id}/image": (w) => w.snapshot().then((id) => ({ params: { id } })),
  "GET /v1/agent/commands/stream": (w) => Promise.resolve({ agentToken: w.node.agentToken }),
  "POST /v1/agent/commands/{id}/started": (w) =>
    w.queuedCommand().then((id) => ({ params: { id }, agentToken: w.peer.agentToken })),
  "POST /v1/agent/commands/{id}/result": (w) =>
    w.queuedCommand().then((id) => ({
      params: { id },
      agentToken: w.peer.agentToken,
      body: fixtureSnapshotResult(),
    })),
  // Gone: it answers 405 pointing to POST.
};

/** Content types whose bodies are streams a test must cancel rather than read. */
export const STREAMING_TYPES = ["text/event-stream", "application/octet-stream"];

/** Reads a JSON answer, or cancels a streaming one so nothing is left running. */
export async function drain(res: Response): Promise<unknown> {
  const type = res.headers.get("content-type") ?? "";
  if (STREAMING_TYPES.some((t) => type.startsWith(t))) {
    await res.body?.cancel();
    return null;
  }
  const text = await res.text();
  try {
    return text === "" ? null : JSON.parse(text);
  } catch {
    return text;
  }
}
