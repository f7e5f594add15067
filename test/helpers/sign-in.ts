// Browser sessions as a person gets them: the sign-in form's CSRF pair, and a session signed in through it with the API token.

export interface Session {
  cookie: string;
  csrf: string;
}

const setCookies = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]!);

/** The sign-in form's CSRF cookie and hidden field. */
export async function signInForm(base: URL): Promise<Session> {
  const page = await fetch(new URL("/dashboard", base), { redirect: "manual" });
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!csrf) throw new Error("no _csrf field on the sign-in page");
  return { cookie: setCookies(page).join("; "), csrf };
}

/** A browser session, signed in with the API token through the form, and its CSRF token. */
export async function signInSession(base: URL, apiToken: string): Promise<Session> {
  const form = await signInForm(base);
  const response = await fetch(new URL("/dashboard/sign-in", base), {
    method: "POST",
    redirect: "manual",
    headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: form.csrf, token: apiToken }),
  });
  const session = setCookies(response).find((c) => c.startsWith("oura_session="));
  if (response.status !== 303 || !session) throw new Error(`sign-in failed: ${response.status}`);
  const status = (await (await fetch(new URL("/auth/status", base), { headers: { cookie: session } })).json()) as { csrf_token: string };
  return { cookie: session, csrf: status.csrf_token };
}
