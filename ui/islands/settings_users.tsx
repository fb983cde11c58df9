import { useSignal } from "@preact/signals";
import { ConfirmButton } from "../components/settings_confirm.tsx";
import { FormStatus, SelectField, TextField } from "../components/settings_field.tsx";
import { api } from "../lib/api.ts";
import { ago, timestamp } from "../lib/format.ts";
import { useFormAction } from "../lib/form_action.ts";
import { formProblems } from "../lib/settings_errors.ts";
import type { User } from "../lib/settings_types.ts";
import type { UserRole } from "../../lib/schemas/common.ts";

/** Props of {@linkcode SettingsUsers}. */
export interface SettingsUsersProps {
  users: User[];
  /** The admin looking at the page, who is not offered deleting themselves. */
  me: string;
  /** Server time of the render, so the first client render matches it. */
  now: number;
}

const ROLES: UserRole[] = ["viewer", "operator", "admin"];
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r }));
const CREATE_FIELDS = ["username", "role", "password"] as const;

/** Users and roles for admins: create, change role, delete (/v1/users). */
export default function SettingsUsers({ users: initial, me, now }: SettingsUsersProps) {
  const users = useSignal(initial);
  const message = useSignal<{ kind: "ok" | "bad"; text: string } | null>(null);

  async function changeRole(user: User, role: UserRole) {
    try {
      const updated = await api<User>("PATCH", `/v1/users/${user.id}`, { role });
      users.value = users.value.map((u) => u.id === user.id ? updated : u);
      message.value = { kind: "ok", text: `${user.username} is now ${role}.` };
    } catch (error) {
      message.value = { kind: "bad", text: formProblems(error, []).message };
    }
  }

  async function remove(user: User) {
    try {
      await api("DELETE", `/v1/users/${user.id}`);
      users.value = users.value.filter((u) => u.id !== user.id);
      message.value = { kind: "ok", text: `Deleted ${user.username}; their sessions ended.` };
    } catch (error) {
      message.value = { kind: "bad", text: formProblems(error, []).message };
    }
  }

  return (
    <>
      <section class="settings-list" aria-labelledby="users-h">
        <h2 id="users-h" class="settings-heading">Users</h2>
        <FormStatus message={message.value} />
        <div class="table-wrap">
          <table class="settings-cards" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Last login</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.value.map((u) => (
                <tr key={u.id} data-user={u.username}>
                  <td data-label="Username">
                    {u.username} {u.username === me && <span class="badge info">you</span>}
                    {u.must_change_password && (
                      <span class="badge warning">must change password</span>
                    )}
                  </td>
                  <td data-label="Role">
                    <RoleForm user={u} onChange={(role) => changeRole(u, role)} />
                  </td>
                  <td data-label="Created">
                    <time dateTime={u.created_at}>{timestamp(u.created_at)}</time>
                  </td>
                  <td data-label="Last login">{ago(u.last_login_at, now)}</td>
                  <td data-label="Actions">
                    {u.username === me ? <span class="muted">—</span> : (
                      <ConfirmButton
                        label="Delete"
                        accessibleLabel={`Delete user ${u.username}`}
                        question={`Delete ${u.username}?`}
                        confirmLabel="Yes, delete"
                        onConfirm={() => remove(u)}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <CreateUser
        onCreated={(user) => {
          users.value = [...users.value, user].sort((a, b) => a.username.localeCompare(b.username));
          message.value = null;
        }}
      />
    </>
  );
}

function RoleForm({ user, onChange }: { user: User; onChange: (role: UserRole) => Promise<void> }) {
  const role = useSignal<UserRole>(user.role);
  const busy = useSignal(false);
  const id = `role-${user.id}`;
  return (
    <form
      class="settings-row-form"
      onSubmit={async (e) => {
        e.preventDefault();
        busy.value = true;
        await onChange(role.value);
        busy.value = false;
      }}
    >
      <label class="settings-sr" for={id}>Role of {user.username}</label>
      <select
        id={id}
        value={role.value}
        onChange={(e) => role.value = (e.currentTarget as HTMLSelectElement).value as UserRole}
      >
        {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
      <button
        type="submit"
        class="secondary"
        disabled={busy.value || role.value === user.role}
        aria-label={`Change role of ${user.username}`}
      >
        Change
      </button>
    </form>
  );
}

function CreateUser({ onCreated }: { onCreated: (user: User) => void }) {
  const username = useSignal("");
  const role = useSignal<UserRole>("viewer");
  const password = useSignal("");
  const { errors, message, busy, form, submit } = useFormAction(CREATE_FIELDS);

  const create = submit(async () => {
    const user = await api<User>("POST", "/v1/users", {
      username: username.value.trim(),
      role: role.value,
      password: password.value,
    });
    onCreated(user);
    username.value = "";
    password.value = "";
    return `Created ${user.username} (${user.role}). Give them the password; they should change it on their Account page.`;
  });

  return (
    <section class="panel" aria-labelledby="new-user-h">
      <h2 id="new-user-h">Add a user</h2>
      <form class="stack" ref={form} onSubmit={create} noValidate>
        <TextField
          id="new-user-username"
          label="Username"
          error={errors.value.username}
          help="2–32 lowercase letters, digits, '.', '_' or '-', starting with a letter"
          value={username}
        />
        <SelectField
          id="new-user-role"
          label="Role"
          error={errors.value.role}
          help="Viewers read; operators also edit flows and handle alerts and silences; admins manage everything"
          value={role}
          options={ROLE_OPTIONS}
        />
        <TextField
          id="new-user-password"
          label="Initial password"
          error={errors.value.password}
          help="At least 12 characters. The user is marked to change it."
          type="password"
          autocomplete="new-password"
          value={password}
        />
        <div>
          <button type="submit" disabled={busy.value}>Add user</button>
        </div>
        <FormStatus message={message.value} />
      </form>
    </section>
  );
}
