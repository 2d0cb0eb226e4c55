// The CardGame browser client: sign in, lobby, table. Talks only the wire contract (docs/protocol.md) over SignalR.

import { $, show } from './dom.js';
import { isEight, favouriteSuit } from './cards.js';
import { friendlyError, parseHubError, SIGN_IN_AGAIN } from './errors.js';
import { applyEvent } from './table-state.js';
import { describeEvent, lobbyOrder, renderLog, renderRooms, renderTable, renderTurn } from './render.js';
import { forgetSession, loadSession, signInAsGuest } from './session.js';

const MAX_ROOMS_SHOWN = 100;
const RETRY_DELAYS_MS = [0, 1000, 2000, 5000, 10000];
const MOVE_RETRIES = 2; // a move whose answer was lost is sent again (same moveId) at most this often
const BACK_ONLINE_TIMEOUT_MS = 30000;

const state = {
  session: null, // { token, playerId, name, expiresAt }
  connection: null,
  screen: 'signin', // 'signin' | 'lobby' | 'table'
  view: null, // the TableView we hold, kept current by events
  resyncing: false, // a catch-up (Authenticate, Resume or GetTable) is under way
  resumeAgain: false,
  welcomed: false, // Authenticate answered on the current connection
  needView: false, // an event carried too little to apply: the next catch-up fetches a whole view
  pending: [], // events that arrived while a catch-up was under way
  backOnline: [], // moves waiting to be sent again once the connection is back and caught up
  log: [], // { seq, text } of the current room
  loggedSeq: 0,
  names: new Map(), // playerId → name, kept after they leave so the log can still name them
  turnSeconds: 0, // how long the current turn was when we first saw its deadline (for the timer bar)
  turnEndsAt: null,
  watching: null, // the room we watch as a spectator, or null
  rooms: new Map(), // roomId → RoomInfo while the lobby is watched, kept current by LobbyEvents
  lobbyWatched: false,
  lobbyPending: null, // LobbyEvents that arrived while WatchLobby was answering
  busy: false,
};

// ---- start ----------------------------------------------------------------------------------------------------------

wireControls();
setInterval(tick, 250);
state.session = loadSession();
if (state.session) {
  connect();
} else {
  showScreen('signin');
}

// ---- connection -----------------------------------------------------------------------------------------------------

async function connect() {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl('hubs/game', { accessTokenFactory: () => state.session?.token ?? '' })
    // Keep trying for as long as the page is open: any edge will do once one is back.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => RETRY_DELAYS_MS[Math.min(ctx.previousRetryCount, RETRY_DELAYS_MS.length - 1)] })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.on('TableEvent', onTableEvent);
  connection.on('LobbyEvent', onLobbyEvent);
  connection.onreconnecting(() => {
    state.welcomed = false;
    state.lobbyWatched = false;
    setStatus('reconnecting');
  });
  connection.onreconnected(() => {
    setStatus('online');
    state.welcomed = false;
    resume();
  });
  connection.onclose(() => {
    if (state.connection === connection) {
      setStatus('offline');
      setTimeout(() => state.connection === connection && startConnection(connection), 3000);
    }
  });
  state.connection = connection;
  await startConnection(connection);
}

async function startConnection(connection) {
  setStatus('connecting');
  for (let attempt = 0; state.connection === connection; attempt++) {
    try {
      await connection.start();
      setStatus('online');
      state.welcomed = false;
      state.lobbyWatched = false;
      await resume();
      return;
    } catch (error) {
      // A token the edges no longer accept (new signing key, expired): the negotiation is refused with 401.
      if (error?.statusCode === 401 || /Status code '401'/.test(error?.message ?? '')) {
        signOut('Your sign-in is no longer valid. Please sign in again.');
        return;
      }

      setStatus('offline');
      await delay(RETRY_DELAYS_MS[Math.min(attempt + 1, RETRY_DELAYS_MS.length - 1)]);
    }
  }
}

/**
 * After connecting, reconnecting or a seq gap: who am I (once per connection), where do I sit, and what happened
 * there since the view we hold. `Resume(roomId, seq)` returns the events we missed, which are applied like live ones;
 * a whole view (`GetTable`, or Resume's answer when we are too far behind) replaces ours. Events that arrive meanwhile
 * wait, and are replayed on the result.
 */
async function resume() {
  if (state.resyncing) {
    state.resumeAgain = true;
    return;
  }

  state.resyncing = true;
  let caughtUp = false;
  try {
    let roomId = state.view?.roomId ?? null;
    let rewatch = false;
    if (!state.welcomed || !roomId) {
      const welcome = await invoke('Authenticate', state.session.token);
      state.welcomed = true;
      state.session = { ...state.session, playerId: welcome.playerId, name: welcome.name };
      $('me-name').textContent = welcome.name;
      $('me').dataset.playerId = welcome.playerId;
      show($('me'), true);
      roomId = welcome.roomId;
      // A new connection watches nothing yet: watch again (a fresh view) unless seated somewhere.
      rewatch = !roomId && !!state.watching;
    }

    if (rewatch) {
      await watchRoom(state.watching);
    } else if (!roomId) {
      leaveTableScreen(state.screen === 'table' ? 'You are no longer seated at that table.' : null);
    } else if (state.view?.roomId === roomId && !state.needView) {
      await catchUp(roomId);
      if (state.needView && state.view) await fetchView(roomId);
    } else {
      const returning = state.view?.roomId !== roomId;
      await fetchView(roomId);
      if (returning) addLog(null, 'You are back at the table.');
    }

    caughtUp = true;
    if (state.screen === 'lobby' && !state.lobbyWatched) await watchLobby();
  } catch (error) {
    handleError(error);
    const { code } = parseHubError(error);
    if (code === 'unavailable' || code === 'rate_limited') {
      setTimeout(() => state.connection?.state === signalR.HubConnectionState.Connected && resume(), 2000);
    }
  } finally {
    state.resyncing = false;
  }

  if (state.resumeAgain) {
    state.resumeAgain = false;
    resume();
    return;
  }

  const pending = state.pending.sort((a, b) => a.seq - b.seq);
  state.pending = [];
  for (const event of pending) {
    if (state.resyncing) state.pending.push(event);
    else if (state.view) applyOne(event);
  }

  if (caughtUp && !state.resyncing && state.connection?.state === signalR.HubConnectionState.Connected) {
    const waiting = state.backOnline;
    state.backOnline = [];
    waiting.forEach(resolve => resolve());
  }
}

/**
 * Brings the view we hold forward with `Resume`: the missed events go through the live path, or the view it answers
 * with replaces ours. Sets `needView` when an event carried too little (or Resume refused the seq we hold).
 */
async function catchUp(roomId) {
  let resumed;
  try {
    resumed = await invoke('Resume', roomId, state.view.seq);
  } catch (error) {
    if (parseHubError(error).code !== 'bad_request') throw error;
    state.needView = true;
    return;
  }

  count('resumes');
  if (resumed.view) {
    adoptView(resumed.view);
    return;
  }

  for (const event of resumed.events ?? []) {
    count('resumedEvents');
    logEvent(event);
    if (!applyOne(event, true)) return;
  }
}

async function fetchView(roomId) {
  state.needView = false;
  adoptView(await invoke('GetTable', roomId));
  showScreen('table');
}

function invoke(method, ...args) {
  return state.connection.invoke(method, ...args);
}

/** Counts a catch-up step on the status element (`data-resumes`, …): how the page got back, for people and tests. */
function count(name) {
  const node = $('connection-status');
  node.dataset[name] = String(Number(node.dataset[name] ?? 0) + 1);
}

function setStatus(status) {
  const node = $('connection-status');
  node.dataset.state = status;
  node.textContent = { online: 'online', connecting: 'connecting…', reconnecting: 'reconnecting…', offline: 'offline' }[status];
}

// ---- events and the view we hold ------------------------------------------------------------------------------------

function onLobbyEvent(event) {
  if (state.lobbyPending) {
    state.lobbyPending.push(event);
  } else if (state.lobbyWatched) {
    applyLobbyEvent(event);
    drawRooms();
  }
}

function applyLobbyEvent(event) {
  if (event.kind === 'room_removed') state.rooms.delete(event.room.roomId);
  else state.rooms.set(event.room.roomId, event.room);
}

function onTableEvent(event) {
  const view = state.view;
  if (!view || event.roomId !== view.roomId) return;
  logEvent(event);
  if (state.resyncing) {
    state.pending.push(event);
  } else {
    applyOne(event);
  }
}

/** Logs an event once, whether it arrived live or from Resume. */
function logEvent(event) {
  if (event.kind === 'joined' && event.name) state.names.set(event.playerId, event.name);
  if (event.seq > state.loggedSeq) {
    state.loggedSeq = event.seq;
    addLog(event.seq, null, event);
  }
}

/**
 * Applies one event to the view we hold (an event the view already has is ignored). Returns false when it could not
 * be applied and the view must be fetched, or the table was left. `catchingUp`: called from a catch-up, which fetches
 * the view itself; otherwise a gap starts a Resume and an event that carries too little a GetTable.
 */
function applyOne(event, catchingUp = false) {
  const me = state.session?.playerId;
  const result = applyEvent(state.view, event, me);
  if (result.status === 'applied') {
    if (event.kind === 'left' && event.playerId === me) {
      leaveTableScreen('You have left the table.');
      return false;
    }

    adoptView(result.view, event.kind === 'took' || event.kind === 'put');
  } else if (result.status === 'gap' || result.status === 'resync') {
    state.pending.push(event);
    state.needView ||= result.status === 'resync' || catchingUp; // Resume's events are in order: a gap there needs a view
    if (!catchingUp) resume();
    return false;
  }

  return true;
}

/** Takes a view from a call or an event, unless the one we hold is newer. */
function adoptView(view, moved = false) {
  const old = state.view;
  const sameRoom = old?.roomId === view.roomId;
  if (sameRoom && view.seq < old.seq) return;
  if (!sameRoom) {
    state.log = [];
    state.loggedSeq = view.seq;
    state.pending = [];
  }

  for (const p of view.players) state.names.set(p.playerId, p.name);
  // The countdown runs to the server's deadline; the bar's length is the turn as we first saw it.
  if (view.turnEndsAt !== state.turnEndsAt) {
    state.turnEndsAt = view.turnEndsAt ?? null;
    state.turnSeconds = secondsUntil(state.turnEndsAt) ?? 0;
  }

  state.view = view;
  draw();
}

function addLog(seq, text, event) {
  state.log.push({ seq, text, event });
  if (state.log.length > 100) state.log.shift();
  if (state.screen === 'table') drawLog();
}

// ---- drawing --------------------------------------------------------------------------------------------------------

function showScreen(screen) {
  state.screen = screen;
  show($('signin-screen'), screen === 'signin');
  show($('lobby-screen'), screen === 'lobby');
  show($('table-screen'), screen === 'table');
  if (screen === 'lobby') {
    watchLobby();
  } else if (state.lobbyWatched) {
    state.lobbyWatched = false;
    $('lobby-live').dataset.live = 'false';
    invoke('StopWatchingLobby').catch(() => {});
  }

  if (screen === 'signin') {
    $('signin-name').focus();
  }

  draw();
}

function draw() {
  if (state.screen === 'table' && state.view) {
    renderTable(state.view, state.session?.playerId, { put, take }, state.watching === state.view.roomId);
    drawLog();
  }

  tick();
}

function drawLog() {
  const me = state.session?.playerId;
  const name = id => (id === me ? 'You' : state.names.get(id) ?? 'Someone');
  renderLog(state.log.map(entry => ({ seq: entry.seq, text: entry.text ?? describeEvent(entry.event, name) })));
}

function tick() {
  const view = state.screen === 'table' ? state.view : null;
  const left = secondsUntil(view?.turnEndsAt);
  renderTurn(view, state.session?.playerId, left === null ? null : Math.ceil(left), state.turnSeconds);
}

/** Seconds from now until an ISO-8601 time (never below 0), or null without one. */
function secondsUntil(iso) {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

/** Watches the lobby: the room list, then LobbyEvents keep it current (no polling). */
async function watchLobby() {
  if (state.lobbyWatched || state.lobbyPending || state.connection?.state !== signalR.HubConnectionState.Connected || !state.welcomed) return;
  state.lobbyPending = [];
  try {
    const rooms = await invoke('WatchLobby');
    state.rooms = new Map(rooms.map(room => [room.roomId, room]));
    state.lobbyPending.forEach(applyLobbyEvent);
    state.lobbyWatched = true;
    $('lobby-live').dataset.live = 'true';
    drawRooms();
  } catch (error) {
    const { code } = parseHubError(error);
    if (SIGN_IN_AGAIN.has(code)) handleError(error);
  } finally {
    state.lobbyPending = null;
  }

  if (state.screen !== 'lobby' && state.lobbyWatched) showScreen(state.screen);
}

function drawRooms() {
  if (state.screen !== 'lobby') return;
  const rooms = [...state.rooms.values()].sort(lobbyOrder).slice(0, MAX_ROOMS_SHOWN);
  renderRooms(rooms, { join: roomId => act(() => joinRoom(roomId)), watch: roomId => act(() => watchRoom(roomId)) });
}

function leaveTableScreen(notice) {
  state.watching = null;
  state.view = null;
  state.needView = false;
  state.log = [];
  state.pending = [];
  showScreen('lobby');
  if (notice) toast(notice);
}

// ---- actions --------------------------------------------------------------------------------------------------------

function wireControls() {
  $('signin-form').addEventListener('submit', async e => {
    e.preventDefault();
    const name = $('signin-name').value.trim();
    if (!name) {
      toast('Please type a name first.');
      return;
    }

    try {
      state.session = await signInAsGuest(name);
      await connect();
    } catch (error) {
      toast(error.message);
    }
  });
  $('create-room-form').addEventListener('submit', e => {
    e.preventDefault();
    act(async () => {
      const room = await invoke('CreateRoom', { name: $('room-name').value.trim(), seats: Number($('room-seats').value) });
      $('room-name').value = '';
      await joinRoom(room.roomId);
    });
  });
  $('sign-out').addEventListener('click', async () => {
    // Free the seat now rather than after the seat hold; signing out works even if this fails.
    if (state.view) await invoke('LeaveRoom', state.view.roomId).catch(() => {});
    signOut();
  });
  $('leave-room').addEventListener('click', () => act(async () => {
    if (state.watching === state.view.roomId) await invoke('StopWatching', state.view.roomId);
    else await invoke('LeaveRoom', state.view.roomId);
    leaveTableScreen();
  }));
  $('quick-play').addEventListener('click', () => act(async () => {
    adoptView(await invoke('QuickPlay', { seats: null }));
    showScreen('table');
  }));
  $('start-game').addEventListener('click', startGame);
  $('rematch').addEventListener('click', startGame);
  $('take').addEventListener('click', take);
  $('suit-picker').addEventListener('close', () => {
    const card = $('suit-picker').dataset.card;
    const suit = $('suit-picker').returnValue;
    if (card && suit) act(async () => adoptView(await move('PutCard', state.view.roomId, card, suit)));
  });
}

/** Watches a room as a spectator: its view (no hand), then its events with every private part removed. */
async function watchRoom(roomId) {
  state.watching = roomId;
  try {
    adoptView(await invoke('WatchRoom', roomId));
  } catch (error) {
    state.watching = null;
    throw error;
  }

  showScreen('table');
}

async function joinRoom(roomId) {
  adoptView(await invoke('JoinRoom', roomId));
  showScreen('table');
}

function startGame() {
  act(async () => adoptView(await invoke('StartGame', state.view.roomId)));
}

function take() {
  act(async () => adoptView(await move('TakeCard', state.view.roomId)));
}

function put(card) {
  if (isEight(card)) {
    const picker = $('suit-picker');
    picker.dataset.card = card;
    picker.returnValue = '';
    const favourite = favouriteSuit(state.view.hand ?? [], card);
    picker.querySelectorAll('.suits button').forEach(b => b.classList.toggle('suggested', b.value === favourite));
    picker.showModal();
    return;
  }

  act(async () => adoptView(await move('PutCard', state.view.roomId, card, null)));
}

/**
 * Sends a move with a fresh moveId. When its answer is lost (the connection dropped, or `unavailable`: it may or may
 * not have happened), the same move is sent again once the page is back and caught up: the server applies a moveId
 * once, so a move that did happen is not made twice.
 */
async function move(method, ...args) {
  const moveId = newMoveId();
  for (let attempt = 0; ; attempt++) {
    try {
      return await invoke(method, ...args, moveId);
    } catch (error) {
      const { code } = parseHubError(error);
      if (attempt >= MOVE_RETRIES || (code !== null && code !== 'unavailable')) throw error;
      if (code === 'unavailable') await delay(1000);
      if (!(await backOnline())) throw error;
      count('moveRetries');
    }
  }
}

/** Resolves true once the connection is up and the view caught up (at once if it is), false after a while without. */
function backOnline() {
  if (state.connection?.state === signalR.HubConnectionState.Connected && !state.resyncing && state.welcomed) {
    return Promise.resolve(true);
  }

  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), BACK_ONLINE_TIMEOUT_MS);
    state.backOnline.push(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** A random move id; crypto.randomUUID exists only in secure contexts (https, localhost). */
function newMoveId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
}

/** Runs one user action; a failure shows the server's reason in plain words. */
async function act(action) {
  if (state.busy) return;
  state.busy = true;
  try {
    await action();
  } catch (error) {
    handleError(error);
  } finally {
    state.busy = false;
  }
}

function handleError(error) {
  const { code, text } = friendlyError(error);
  console.warn('CardGame:', error?.message ?? error);
  if (SIGN_IN_AGAIN.has(code)) {
    signOut(text);
    return;
  }

  if ((code === 'not_seated' || code === 'room_not_found') && state.screen === 'table') {
    leaveTableScreen(text);
    return;
  }

  toast(text, code);
}

function signOut(notice) {
  const connection = state.connection;
  state.connection = null;
  state.session = null;
  state.view = null;
  forgetSession();
  connection?.stop();
  show($('me'), false);
  setStatus('offline');
  showScreen('signin');
  if (notice) toast(notice);
}

let toastTimer = 0;
function toast(text, code) {
  const node = $('error');
  node.textContent = text;
  node.dataset.code = code ?? '';
  show(node, true);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => show(node, false), 5000);
}

const delay = ms => new Promise(resolve => setTimeout(resolve, ms));
