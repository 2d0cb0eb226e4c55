// The guest sign-in and the remembered token: reopening the page returns to the same player, and so the same seat.

const KEY = 'cardgame.session';

/** The remembered session { token, playerId, name, expiresAt }, or null when there is none or it has expired. */
export function loadSession() {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (session?.token && (!session.expiresAt || Date.parse(session.expiresAt) > Date.now())) {
      return session;
    }
  } catch {
    // Unreadable: start over.
  }

  forgetSession();
  return null;
}

export function forgetSession() {
  localStorage.removeItem(KEY);
}

/** POST /api/auth/guest; remembers and returns the session, or throws an Error with a readable message. */
export async function signInAsGuest(name) {
  let response;
  try {
    response = await fetch('api/auth/guest', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
  } catch {
    throw new Error('The server cannot be reached. Check your connection and try again.');
  }

  if (!response.ok) {
    throw new Error(await problemText(response));
  }

  const session = await response.json();
  localStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

/** A readable line for a failed sign-in (the 400 problem body's wording is meant for developers). */
async function problemText(response) {
  if (response.status === 400) {
    return 'Please choose a name of 1 to 24 characters.';
  }

  try {
    const problem = await response.json();
    if (problem.title) return `Sign-in failed: ${problem.title}`;
  } catch {
    // Not JSON.
  }

  return `Sign-in failed (${response.status}). Please try again.`;
}
