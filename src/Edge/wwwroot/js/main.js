// The CardGame browser client: sign in, lobby, table. Talks only the wire contract (docs/protocol.md) over SignalR.

import { $, show } from './dom.js';
import { isEight, favouriteSuit } from './cards.js';
import { friendlyError, parseHubError, SIGN_IN_AGAIN } from './errors.js';
import { applyEvent } from './table-state.js';
import { describeEvent, renderLog, renderRooms, renderTable, renderTurn } from './render.js';
import { forgetSession, loadSession, signInAsGuest } from './session.js';

const TURN_SECONDS = Number(document.documentElement.dataset.turnSeconds) || 30;
const LOBBY_REFRESH_MS = 2000;
const RETRY_DELAYS_MS = [0, 1000, 2000, 5000, 10000];

const state = {
  session: null, // { token, playerId, name, expiresAt }
  connection: null,
  screen: 'signin', // 'signin' | 'lobby' | 'table'
  view: null, // the TableView we hold, kept current by events
  resyncing: false, // a resume (Authenticate + GetTable) is under way
  resumeAgain: false,
  pending: [], // events that arrived while a GetTable was under way
  log: [], // { seq, text } of the current room
  loggedSeq: 0,
  names: new Map(), // playerId → name, kept after they leave so the log can still name them
  turnStartedAt: 0,
  lobbyTimer: 0,
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
  connection.onreconnecting(() => setStatus('reconnecting'));
  connection.onreconnected(() => {
    setStatus('online');
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
 * After connecting, reconnecting or a seq gap: who am I, where do I sit, and what that table looks like now. Events
 * that arrive meanwhile wait, and are replayed on the new view.
 */
async function resume() {
  if (state.resyncing) {
    state.resumeAgain = true;
    return;
  }

  state.resyncing = true;
  try {
    const welcome = await invoke('Authenticate', state.session.token);
    state.session = { ...state.session, playerId: welcome.playerId, name: welcome.name };
    $('me-name').textContent = welcome.name;
    $('me').dataset.playerId = welcome.playerId;
    show($('me'), true);
    if (welcome.roomId) {
      const view = await invoke('GetTable', welcome.roomId);
      const returning = state.view?.roomId !== view.roomId;
      adoptView(view);
      if (returning) addLog(null, 'You are back at the table.');
      showScreen('table');
    } else {
      leaveTableScreen(state.screen === 'table' ? 'You are no longer seated at that table.' : null);
    }
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
}

function invoke(method, ...args) {
  return state.connection.invoke(method, ...args);
}

function setStatus(status) {
  const node = $('connection-status');
  node.dataset.state = status;
  node.textContent = { online: 'online', connecting: 'connecting…', reconnecting: 'reconnecting…', offline: 'offline' }[status];
}

// ---- events and the view we hold ------------------------------------------------------------------------------------

function onTableEvent(event) {
  const view = state.view;
  if (!view || event.roomId !== view.roomId) return;
  if (event.seq > state.loggedSeq) {
    state.loggedSeq = event.seq;
    addLog(event.seq, null, event);
  }

  if (state.resyncing) {
    state.pending.push(event);
  } else {
    applyOne(event);
  }
}

function applyOne(event) {
  const me = state.session?.playerId;
  const result = applyEvent(state.view, event, me);
  if (result.status === 'applied') {
    if (event.kind === 'left' && event.playerId === me) {
      leaveTableScreen('You have left the table.');
      return;
    }

    adoptView(result.view, event.kind === 'took' || event.kind === 'put');
  } else if (result.status === 'resync') {
    state.pending.push(event);
    resume();
  }
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
  // The countdown restarts whenever the turn passes (the server restarts its timer then too).
  if (moved || !sameRoom || old.turn !== view.turn || old.phase !== view.phase) {
    state.turnStartedAt = Date.now();
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
  clearInterval(state.lobbyTimer);
  if (screen === 'lobby') {
    refreshRooms();
    state.lobbyTimer = setInterval(refreshRooms, LOBBY_REFRESH_MS);
  }

  if (screen === 'signin') {
    $('signin-name').focus();
  }

  draw();
}

function draw() {
  if (state.screen === 'table' && state.view) {
    renderTable(state.view, state.session?.playerId, { put, take });
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
  const elapsed = (Date.now() - state.turnStartedAt) / 1000;
  const left = Math.max(0, Math.ceil(TURN_SECONDS - elapsed));
  renderTurn(state.screen === 'table' ? state.view : null, state.session?.playerId, left, TURN_SECONDS);
}

async function refreshRooms() {
  if (state.screen !== 'lobby' || state.connection?.state !== signalR.HubConnectionState.Connected) return;
  try {
    const rooms = await invoke('ListRooms');
    if (state.screen === 'lobby') renderRooms(rooms, roomId => act(() => joinRoom(roomId)));
  } catch (error) {
    const { code } = parseHubError(error);
    if (SIGN_IN_AGAIN.has(code)) handleError(error);
  }
}

function leaveTableScreen(notice) {
  state.view = null;
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
    await invoke('LeaveRoom', state.view.roomId);
    leaveTableScreen();
  }));
  $('start-game').addEventListener('click', startGame);
  $('rematch').addEventListener('click', startGame);
  $('take').addEventListener('click', take);
  $('suit-picker').addEventListener('close', () => {
    const card = $('suit-picker').dataset.card;
    const suit = $('suit-picker').returnValue;
    if (card && suit) act(async () => adoptView(await invoke('PutCard', state.view.roomId, card, suit)));
  });
}

async function joinRoom(roomId) {
  adoptView(await invoke('JoinRoom', roomId));
  showScreen('table');
}

function startGame() {
  act(async () => adoptView(await invoke('StartGame', state.view.roomId)));
}

function take() {
  act(async () => adoptView(await invoke('TakeCard', state.view.roomId)));
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

  act(async () => adoptView(await invoke('PutCard', state.view.roomId, card, null)));
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
