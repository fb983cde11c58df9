/** Props of {@linkcode LoginPage}. */
export interface LoginPageProps {
  /** Where to go after logging in. */
  next: string;
  username?: string;
  error?: string;
}

/** The login form: a plain HTML form, no JavaScript. */
export function LoginPage({ next, username, error }: LoginPageProps) {
  return (
    <main class="login-page" id="main">
      <div class="login-card">
        <h1>
          <span class="brand-mark" aria-hidden="true">◉</span> HALO
        </h1>
        <p class="muted">Sign in to the gateway.</p>
        {error && <p class="notice bad" role="alert">{error}</p>}
        <form class="stack" method="post" action="/login">
          <input type="hidden" name="next" value={next} />
          <label>
            Username
            <input
              name="username"
              autocomplete="username"
              required
              value={username ?? ""}
              autofocus={!username}
            />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
              autofocus={!!username}
            />
          </label>
          <button type="submit">Log in</button>
        </form>
      </div>
    </main>
  );
}
