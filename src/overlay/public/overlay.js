// Draws one stream's overlay from the hub's WebSocket feed (protocol: src/overlay/protocol.ts).
// Keeps the last seq, resumes with ?since= after a disconnect and re-syncs on a seq gap. User text
// only ever goes into textContent, never into HTML. Comment cards are chosen and paced: a busy
// chat sends many per second, a viewer reads one card in a second or two (see offerComment).
(() => {
  const MAX_COMMENTS = 4;
  // At most one new card per interval, so each card stays up for MAX_COMMENTS intervals (6 s).
  const CARD_INTERVAL_MS = 1500;
  // Comments waiting for a card: the least interesting is dropped when a better one arrives.
  const MAX_WAITING = 5;
  // A comment that waited this long answers a moment the chat has left: dropped.
  const STALE_MS = 10000;
  // The model's probability for its label from which a comment counts as strongly felt.
  const STRONG_SCORE = 0.8;
  // What a comment of the same kind as the last card loses, so questions do not fill the list.
  const REPEAT_PENALTY = 2.5;
  const ALERT_MS = 5000;
  const MAX_QUEUED_ALERTS = 20;
  const RECONNECT_MIN_MS = 250;
  const RECONNECT_MAX_MS = 5000;
  const MASKED_TEXT = 'message hidden by moderation';

  const prefix = '/overlay/';
  const path = window.location.pathname;
  const stream = path.indexOf(prefix) === 0 ? decodeURIComponent(path.slice(prefix.length)) : '';

  const state = {
    stream: stream,
    connected: false,
    lastSeq: 0,
    snapshots: 0,
    messages: 0,
    duplicates: 0,
    gaps: 0,
    reconnects: 0,
    // Comment results received; each is shown as a card, waiting, or dropped (by choice or age).
    comments: 0,
    cardsShown: 0,
    waiting: 0,
    dropped: 0,
    droppedStale: 0,
    flagged: 0,
    hypeUpdates: 0,
    pollUpdates: 0,
    giftAlerts: 0,
    unknownChannels: 0,
    errors: 0,
  };
  window.__overlayState = state;

  const el = {
    comments: document.getElementById('comments'),
    hypeFill: document.getElementById('hype-fill'),
    hypeTrack: document.querySelector('.hype-track'),
    hypePercent: document.getElementById('hype-percent'),
    hypeLikes: document.getElementById('hype-likes'),
    hypeGifts: document.getElementById('hype-gifts'),
    hypeViewers: document.getElementById('hype-viewers'),
    hypeViewersWrap: document.getElementById('hype-viewers-wrap'),
    poll: document.getElementById('poll'),
    pollQuestion: document.getElementById('poll-question'),
    pollOptions: document.getElementById('poll-options'),
    pollTotal: document.getElementById('poll-total'),
    giftAlert: document.getElementById('gift-alert'),
    giftAlertText: document.querySelector('#gift-alert .gift-alert-text'),
    connection: document.getElementById('connection'),
  };

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function formatRate(value) {
    const number = Number(value);
    if (!Number.isFinite(number)) return '0';
    return number >= 100 ? String(Math.round(number)) : String(Math.round(number * 10) / 10);
  }

  // --- channels -------------------------------------------------------------------------------

  // A comment's claim on a card: a moderator's highlight first, then questions and strongly felt
  // comments (the model's label with a high score); masked and one-word comments last. The kind
  // lets the page vary the cards: a busy chat always has a question waiting.
  function assess(event) {
    const data = event?.data || {};
    const text = typeof data.text === 'string' ? data.text.trim() : '';
    if (data.highlight === true) return { interest: 100, kind: 'highlight', text: text };
    let interest = 0;
    let kind = 'plain';
    const score = typeof data.score === 'number' ? data.score : 0;
    if ((data.label === 'positive' || data.label === 'negative') && score >= STRONG_SCORE) {
      interest += 2 + (score - STRONG_SCORE);
      kind = data.label;
    }
    if (/[?？]$/.test(text) || /吗$/.test(text)) {
      interest += 3;
      kind = 'question';
    }
    if (data.moderation === 'flagged') {
      interest -= 2;
      kind = 'flagged';
    }
    if (text.length < 4) interest -= 1;
    return { interest: interest, kind: kind, text: text };
  }

  const waiting = [];
  let nextCardAt = 0;
  let cardTimer = null;
  let lastKind = '';
  // Each card's text for the duplicate check, off the DOM (a flagged comment's text never goes there).
  const cardText = new WeakMap();

  // Live comments wait for the next card slot; when more wait than MAX_WAITING, the least
  // interesting (the oldest of equals) is dropped, so the slot goes to the best one at hand.
  function offerComment(event) {
    const assessed = assess(event);
    waiting.push({
      event: event,
      interest: assessed.interest,
      kind: assessed.kind,
      text: assessed.text,
      at: Date.now(),
    });
    if (waiting.length > MAX_WAITING) {
      let worst = 0;
      for (let i = 1; i < waiting.length; i++) if (waiting[i].interest < waiting[worst].interest) worst = i;
      waiting.splice(worst, 1);
      state.dropped++;
    }
    state.waiting = waiting.length;
    pumpComments();
  }

  function onScreen(text) {
    const cards = el.comments.children;
    for (let i = 0; i < cards.length; i++) if (cardText.get(cards[i]) === text) return true;
    return false;
  }

  function pumpComments() {
    const now = Date.now();
    for (let i = waiting.length - 1; i >= 0; i--) {
      // Stale, or the same words as a card already up (chat repeats itself): not worth a card.
      const stale = now - waiting[i].at > STALE_MS;
      if (stale || onScreen(waiting[i].text)) {
        waiting.splice(i, 1);
        state.dropped++;
        if (stale) state.droppedStale++;
      }
    }
    if (waiting.length > 0 && now >= nextCardAt) {
      // The best claim wins, the newest of equals; one of the same kind as the last card yields.
      const claim = (entry) =>
        entry.interest - (entry.kind === lastKind && entry.kind !== 'plain' ? REPEAT_PENALTY : 0);
      let best = 0;
      for (let i = 1; i < waiting.length; i++) if (claim(waiting[i]) >= claim(waiting[best])) best = i;
      const chosen = waiting.splice(best, 1)[0];
      renderComment(chosen.event);
      lastKind = chosen.kind;
      nextCardAt = now + CARD_INTERVAL_MS;
    }
    state.waiting = waiting.length;
    if (cardTimer === null && waiting.length > 0) {
      cardTimer = setTimeout(
        () => {
          cardTimer = null;
          pumpComments();
        },
        Math.max(0, nextCardAt - now),
      );
    }
  }

  function renderComment(event) {
    const data = event?.data || {};
    const viewer = data.viewer || {};
    const flagged = data.moderation === 'flagged';
    const label = typeof data.label === 'string' ? data.label : 'unknown';

    const item = make('li', 'comment');
    item.dataset.id = String(event && event.id !== undefined ? event.id : '');
    item.dataset.label = label;
    item.dataset.moderation = flagged ? 'flagged' : 'ok';
    cardText.set(item, typeof data.text === 'string' ? data.text.trim() : '');

    const head = make('div', 'comment-head');
    head.appendChild(make('span', 'comment-viewer', viewer.name !== undefined ? viewer.name : 'viewer'));
    if (viewer.level !== undefined) head.appendChild(make('span', 'comment-level', `Lv ${viewer.level}`));
    const labelChip = make('span', 'comment-label', label);
    if (typeof data.score === 'number') labelChip.title = `score ${data.score.toFixed(2)}`;
    head.appendChild(labelChip);
    if (flagged) head.appendChild(make('span', 'comment-flag', 'flagged'));
    item.appendChild(head);

    // A flagged comment's text never reaches the DOM.
    const text = make(
      'div',
      flagged ? 'comment-text masked' : 'comment-text',
      flagged ? MASKED_TEXT : data.text !== undefined ? data.text : '',
    );
    item.appendChild(text);

    el.comments.appendChild(item);
    while (el.comments.children.length > MAX_COMMENTS) el.comments.removeChild(el.comments.firstElementChild);
    state.cardsShown++;
    if (flagged) state.flagged++;
  }

  function renderHype(data) {
    data = data || {};
    let hype = Number(data.hype);
    if (!Number.isFinite(hype)) hype = 0;
    hype = Math.min(1, Math.max(0, hype));
    const percent = Math.round(hype * 100);
    el.hypeFill.style.width = `${percent}%`;
    el.hypeTrack.setAttribute('aria-valuenow', String(percent));
    el.hypePercent.textContent = `${percent}%`;
    el.hypeLikes.textContent = formatRate(data.likesPerSec);
    el.hypeGifts.textContent = formatRate(data.giftValuePerSec);
    if (typeof data.viewers === 'number') {
      el.hypeViewers.textContent = String(data.viewers);
      el.hypeViewersWrap.hidden = false;
    }
    state.hypeUpdates++;
  }

  function renderPoll(data) {
    data = data || {};
    const tallies = data.tallies || {};
    const options = Object.keys(tallies);
    const total =
      typeof data.total === 'number' ? data.total : options.reduce((sum, key) => sum + (Number(tallies[key]) || 0), 0);
    el.poll.hidden = false;
    el.poll.dataset.pollId = String(data.pollId !== undefined ? data.pollId : '');
    el.pollQuestion.textContent = data.question !== undefined ? String(data.question) : '';
    while (el.pollOptions.firstChild) el.pollOptions.removeChild(el.pollOptions.firstChild);
    for (let i = 0; i < options.length; i++) {
      const option = options[i];
      const count = Number(tallies[option]) || 0;
      const percent = total > 0 ? Math.round((count / total) * 100) : 0;
      const item = make('li', 'poll-option');
      item.dataset.option = option;
      const bar = make('div', 'poll-bar');
      bar.style.width = `${percent}%`;
      const row = make('div', 'poll-row');
      row.appendChild(make('span', 'poll-name', option));
      const numbers = make('span', 'poll-numbers');
      numbers.appendChild(make('span', 'poll-count', count));
      numbers.appendChild(make('span', 'poll-percent', `${percent}%`));
      row.appendChild(numbers);
      item.appendChild(bar);
      item.appendChild(row);
      el.pollOptions.appendChild(item);
    }
    el.pollTotal.textContent = String(total);
    state.pollUpdates++;
  }

  const alertQueue = [];
  let alertTimer = null;

  function queueGiftAlert(event) {
    if (alertQueue.length >= MAX_QUEUED_ALERTS) alertQueue.shift();
    alertQueue.push(event);
    if (alertTimer === null) showNextAlert();
  }

  function showNextAlert() {
    const event = alertQueue.shift();
    if (event === undefined) {
      el.giftAlert.hidden = true;
      alertTimer = null;
      return;
    }
    const data = event?.data || {};
    const viewer = data.viewer || {};
    const gift = data.gift || {};
    const count = Number(gift.count) || 1;
    let text =
      (viewer.name !== undefined ? viewer.name : 'A viewer') +
      ' sent ' +
      (count > 1 ? `${count} × ` : '') +
      (gift.name !== undefined ? gift.name : 'a gift');
    if (gift.value !== undefined) text += ` (${gift.value} coins)`;
    el.giftAlert.dataset.id = String(event && event.id !== undefined ? event.id : '');
    el.giftAlertText.textContent = text;
    el.giftAlert.hidden = false;
    state.giftAlerts++;
    alertTimer = setTimeout(showNextAlert, ALERT_MS);
  }

  function apply(message, replay) {
    switch (message.channel) {
      case 'comments':
        state.comments++;
        // A snapshot's comments are drawn at once (a fresh page is not empty for seconds); the
        // card list keeps the newest MAX_COMMENTS of them.
        if (replay) renderComment(message.data);
        else offerComment(message.data);
        break;
      case 'hype':
        renderHype(message.data);
        break;
      case 'poll':
        renderPoll(message.data);
        break;
      case 'gift-alert':
        // An old alert replayed from a snapshot would announce a gift long gone.
        if (!replay || Date.now() - message.ts < ALERT_MS) queueGiftAlert(message.data);
        break;
      default:
        state.unknownChannels++;
    }
  }

  function applySnapshot(snapshot) {
    while (el.comments.firstChild) el.comments.removeChild(el.comments.firstChild);
    const messages = snapshot.messages || [];
    const firstSeq = messages.length > 0 ? messages[0].seq : snapshot.seq + 1;
    // Channels whose newest message is older than the snapshot's messages (hype, poll) come from
    // `latest`, so a fresh page shows them at once.
    const latest = snapshot.latest || {};
    const older = Object.keys(latest)
      .map((key) => latest[key])
      .filter((message) => message.seq < firstSeq)
      .sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < older.length; i++) apply(older[i], true);
    for (let j = 0; j < messages.length; j++) apply(messages[j], true);
    state.lastSeq = snapshot.seq;
    state.snapshots++;
  }

  // --- connection -------------------------------------------------------------------------------

  let socket = null;
  let reconnectDelay = RECONNECT_MIN_MS;

  function setConnection(value) {
    state.connected = value === 'live';
    el.connection.dataset.state = value;
  }

  function connect() {
    const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = `${protocol}//${window.location.host}/ws?stream=${encodeURIComponent(stream)}`;
    if (state.lastSeq > 0) url += `&since=${state.lastSeq}`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      reconnectDelay = RECONNECT_MIN_MS;
      setConnection('live');
    };
    ws.onmessage = (event) => {
      if (ws !== socket) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        state.errors++;
        return;
      }
      if (frame.kind === 'snapshot') {
        applySnapshot(frame);
      } else if (frame.kind === 'message') {
        if (frame.seq <= state.lastSeq) {
          state.duplicates++;
        } else if (frame.seq !== state.lastSeq + 1) {
          // Something was missed: resume from the last seq we drew (the server replays or snapshots).
          state.gaps++;
          resync();
        } else {
          state.lastSeq = frame.seq;
          state.messages++;
          try {
            apply(frame, false);
          } catch {
            state.errors++;
          }
        }
      }
    };
    ws.onclose = () => {
      if (ws !== socket) return;
      socket = null;
      setConnection('reconnecting');
      setTimeout(reconnect, reconnectDelay);
      reconnectDelay = Math.min(RECONNECT_MAX_MS, reconnectDelay * 2);
    };
  }

  function reconnect() {
    state.reconnects++;
    connect();
  }

  function resync() {
    const old = socket;
    socket = null;
    if (old) old.close();
    reconnect();
  }

  if (stream === '') {
    setConnection('reconnecting');
    state.errors++;
  } else {
    setConnection('connecting');
    connect();
  }
})();
