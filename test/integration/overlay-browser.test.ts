// The overlay page in a real Chromium (Debian's /usr/bin/chromium via playwright-core), fed by a
// real OverlayServer: what a viewer would see in OBS, read back from the DOM and from pixels.
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OverlayServer } from '../../src/overlay/index.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = '/tmp/livepipe-overlay.png';
const PACED_SCREENSHOT = '/tmp/livepipe-overlay-comments.png';

const hasChromium = existsSync(CHROMIUM);
const mustRun = process.env.CI === 'true';
if (!hasChromium && !mustRun) {
  console.warn(
    `overlay browser tests skipped: ${CHROMIUM} is missing; run deploy/local/install-chromium to install it.`,
  );
}

interface OverlayState {
  stream: string;
  connected: boolean;
  lastSeq: number;
  snapshots: number;
  messages: number;
  gaps: number;
  reconnects: number;
  comments: number;
  cardsShown: number;
  waiting: number;
  dropped: number;
  droppedStale: number;
  flagged: number;
  giftAlerts: number;
  errors: number;
}

function comment(
  id: string,
  name: string,
  text: string,
  label: string,
  moderation: 'ok' | 'flagged',
  level = 3,
  extra: Record<string, unknown> = {},
): unknown {
  return {
    id,
    type: 'ai.chat-sentiment.result',
    data: { text, viewer: { name, level }, label, score: 0.6, moderation, ...extra },
  };
}

describe.skipIf(!hasChromium && !mustRun)('overlay page in Chromium', () => {
  let browser: Browser;
  let server: OverlayServer;
  let page: Page;

  beforeAll(async () => {
    if (!hasChromium) {
      throw new Error(
        `${CHROMIUM} is missing and CI=true: run deploy/local/install-chromium (as root) before the tests.`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await page?.close();
    await server?.close();
  });

  async function open(setup?: (page: Page) => Promise<void>): Promise<void> {
    server = new OverlayServer({ host: '127.0.0.1', port: 0, snapshotSize: 20, logger: pino({ level: 'silent' }) });
    await server.start();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    if (setup !== undefined) await setup(page);
  }

  /** Opens a stream's overlay on a paused fake clock: from then on only runFor() moves it. */
  async function openPaused(stream: string): Promise<void> {
    await open();
    await page.clock.install();
    await page.goto(server.overlayUrl(stream));
    await page.waitForFunction(() => (window as unknown as { __overlayState: OverlayState }).__overlayState.connected);
    await page.clock.pauseAt(Date.now() + 1000);
  }

  function state(): Promise<OverlayState> {
    return page.evaluate(() => (window as unknown as { __overlayState: OverlayState }).__overlayState);
  }

  async function waitForSeq(seq: number): Promise<void> {
    await page.waitForFunction(
      (target) => (window as unknown as { __overlayState?: { lastSeq: number } }).__overlayState?.lastSeq === target,
      seq,
      { timeout: 10_000 },
    );
  }

  it('shows comments with labels, masks flagged text, and draws hype, poll and gift alerts on a transparent page', async () => {
    await open();
    // Published before the page opens: the snapshot's latest-per-channel must show them at once.
    server.publish('stream-1', 'hype', { hype: 0.2, likesPerSec: 3, giftValuePerSec: 0 });
    server.publish('stream-1', 'poll', {
      pollId: 'p1',
      question: 'Next map?',
      tallies: { Dust: 1, Inferno: 0 },
      total: 1,
    });
    server.publish('other-stream', 'comments', comment('x1', 'intruder', 'not for this room', 'positive', 'ok'));

    // Comment cards are paced (one per 1.5 s): a fake clock lets the test fast-forward.
    await page.clock.install();
    await page.goto(server.overlayUrl('stream-1'));
    await waitForSeq(2);
    expect(await page.locator('#hype-fill').evaluate((node) => (node as HTMLElement).style.width)).toBe('20%');
    expect(await page.locator('#poll-question').textContent()).toBe('Next map?');

    const abusive = 'you are a worthless idiot';
    const injection = '<img src=x onerror="window.__pwned=1"> nice stream';
    server.publish('stream-1', 'comments', comment('c1', 'Ana', 'love this stream!', 'positive', 'ok', 12));
    server.publish('stream-1', 'comments', comment('c2', 'troll42', abusive, 'negative', 'flagged'));
    server.publish('stream-1', 'comments', comment('c3', '<b>Bob</b>', injection, 'neutral', 'ok'));
    server.publish('stream-1', 'hype', { hype: 0.73, likesPerSec: 41.26, giftValuePerSec: 120, viewers: 5321 });
    server.publish('stream-1', 'poll', {
      pollId: 'p1',
      question: 'Next map?',
      tallies: { Dust: 30, Inferno: 10 },
      total: 40,
    });
    const last = server.publish('stream-1', 'gift-alert', {
      id: 'g1',
      type: 'live.gift',
      data: { viewer: { name: 'Carla' }, gift: { name: 'Rocket', value: 500, count: 2 } },
    });
    await waitForSeq(last);
    expect(await page.locator('#comments > li').count()).toBe(1);
    await page.clock.runFor(3000);

    const comments = page.locator('#comments > li');
    expect(await comments.count()).toBe(3);
    const ana = page.locator('#comments > li[data-id="c1"]');
    expect(await ana.locator('.comment-viewer').textContent()).toBe('Ana');
    expect(await ana.locator('.comment-level').textContent()).toBe('Lv 12');
    expect(await ana.locator('.comment-label').textContent()).toBe('positive');
    expect(await ana.locator('.comment-text').textContent()).toBe('love this stream!');
    expect(await ana.getAttribute('data-moderation')).toBe('ok');

    const troll = page.locator('#comments > li[data-id="c2"]');
    expect(await troll.getAttribute('data-moderation')).toBe('flagged');
    expect(await troll.locator('.comment-flag').textContent()).toBe('flagged');
    expect(await troll.locator('.comment-label').textContent()).toBe('negative');
    expect(await troll.locator('.comment-text').textContent()).toBe('message hidden by moderation');
    expect(await page.content()).not.toContain('worthless idiot');

    // User text is text: the markup shows up literally and nothing is injected.
    const bob = page.locator('#comments > li[data-id="c3"]');
    expect(await bob.locator('.comment-viewer').textContent()).toBe('<b>Bob</b>');
    expect(await bob.locator('.comment-text').textContent()).toBe(injection);
    expect(await page.locator('#comments img, #comments b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    expect(await page.locator('#hype-fill').evaluate((node) => (node as HTMLElement).style.width)).toBe('73%');
    expect(await page.locator('#hype-percent').textContent()).toBe('73%');
    expect(await page.locator('#hype-likes').textContent()).toBe('41.3');
    expect(await page.locator('#hype-gifts').textContent()).toBe('120');
    expect(await page.locator('#hype-viewers').textContent()).toBe('5321');

    const dust = page.locator('.poll-option[data-option="Dust"]');
    expect(await dust.locator('.poll-count').textContent()).toBe('30');
    expect(await dust.locator('.poll-percent').textContent()).toBe('75%');
    expect(await page.locator('.poll-option[data-option="Inferno"] .poll-count').textContent()).toBe('10');
    expect(await page.locator('#poll-total').textContent()).toBe('40');

    expect(await page.locator('#gift-alert').isVisible()).toBe(true);
    expect(await page.locator('#gift-alert .gift-alert-text').textContent()).toBe('Carla sent 2 × Rocket (500 coins)');

    const overlay = await state();
    expect(overlay).toMatchObject({
      stream: 'stream-1',
      connected: true,
      snapshots: 1,
      comments: 3,
      cardsShown: 3,
      dropped: 0,
      flagged: 1,
      giftAlerts: 1,
      gaps: 0,
      errors: 0,
    });
    expect(await page.content()).not.toContain('not for this room');

    // Transparent: the page paints no background, so pixels away from the panels have alpha 0.
    const backgrounds = await page.evaluate(() => [
      getComputedStyle(document.documentElement).backgroundColor,
      getComputedStyle(document.body).backgroundColor,
    ]);
    expect(backgrounds).toEqual(['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
    const png = await page.screenshot({ path: SCREENSHOT, omitBackground: true });
    const alphas = await page.evaluate(
      async (dataUrl) => {
        const image = new Image();
        image.src = dataUrl;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d');
        if (context === null) throw new Error('no 2d context');
        context.drawImage(image, 0, 0);
        const alphaAt = (x: number, y: number): number => context.getImageData(x, y, 1, 1).data[3] ?? -1;
        return { empty: alphaAt(960, 540), hypePanel: alphaAt(1650, 60) };
      },
      `data:image/png;base64,${png.toString('base64')}`,
    );
    expect(alphas.empty).toBe(0);
    expect(alphas.hypePanel).toBeGreaterThan(0);
  });

  it('resumes with since after a dropped connection and re-syncs after a seq gap', async () => {
    const urls: string[] = [];
    let current: WebSocketRoute | undefined;
    let dropSeq = -1;
    await open(async (opened) => {
      await opened.routeWebSocket(/\/ws\?/, (route) => {
        urls.push(route.url());
        current = route;
        const upstream = route.connectToServer();
        // Forward server frames to the page, except the one seq this test wants lost in transit.
        upstream.onMessage((message) => {
          const text = typeof message === 'string' ? message : message.toString();
          if ((JSON.parse(text) as { seq?: number }).seq === dropSeq && text.includes('"kind":"message"')) return;
          route.send(message);
        });
      });
    });
    server.publish('stream-2', 'comments', comment('a1', 'Ana', 'first', 'positive', 'ok'));
    await page.goto(server.overlayUrl('stream-2'));
    await waitForSeq(1);
    expect(urls).toHaveLength(1);
    expect(urls[0]).not.toContain('since=');

    // The network drops the page's socket; messages published meanwhile arrive after the resume.
    if (current === undefined) throw new Error('the page never opened its WebSocket');
    await current.close({ code: 4000, reason: 'network drop' });
    server.publish('stream-2', 'comments', comment('a2', 'Ana', 'while away 1', 'positive', 'ok'));
    server.publish('stream-2', 'comments', comment('a3', 'Ana', 'while away 2', 'positive', 'ok'));
    await waitForSeq(3);
    expect(urls[1]).toContain('since=1');

    // Seq 5 is lost on the way: the page sees 4, then 6, and must fetch 5 again.
    dropSeq = 5;
    server.publish('stream-2', 'comments', comment('a4', 'Ana', 'four', 'positive', 'ok'));
    server.publish('stream-2', 'comments', comment('a5', 'Ana', 'five', 'positive', 'ok'));
    server.publish('stream-2', 'comments', comment('a6', 'Ana', 'six', 'positive', 'ok'));
    await page.waitForFunction(
      () => (window as unknown as { __overlayState: { gaps: number } }).__overlayState.gaps === 1,
    );
    dropSeq = -1;
    await waitForSeq(6);
    expect(urls.at(-1)).toContain('since=4');

    const overlay = await state();
    expect(overlay.snapshots).toBe(1);
    expect(overlay.gaps).toBe(1);
    expect(overlay.messages).toBe(5);
    // Every comment arrived once; cards are paced, so some may still wait for theirs.
    expect(overlay.comments).toBe(6);
    expect(overlay.cardsShown + overlay.waiting + overlay.dropped).toBe(6);
    const shown = await page.locator('#comments .comment-text').allTextContents();
    const sent = ['first', 'while away 1', 'while away 2', 'four', 'five', 'six'];
    // The snapshot's card first; live ones in the order the page chose them (newest of equals).
    expect(shown[0]).toBe('first');
    expect(shown.every((text) => sent.includes(text))).toBe(true);
    expect(new Set(shown).size).toBe(shown.length);
  });

  it('paces comment cards: one per 1.5 s, the most interesting of those waiting, the rest dropped', async () => {
    await openPaused('stream-3');

    // A burst of 20 results in one instant, as a busy chat sends them: mostly plain chatter, with
    // a question, a strongly negative comment and one a moderator highlighted among them.
    const special: Record<number, unknown> = {
      7: comment('q', 'mia', 'what mic do you use?', 'positive', 'ok'),
      12: comment('h', '小明', '主播yyds，每天就等这个直播', 'positive', 'ok', 5, { highlight: true }),
      15: comment('n', 'sam', 'stream is freezing again', 'negative', 'ok', 3, { score: 0.97 }),
    };
    let last = 0;
    for (let i = 0; i < 20; i++) {
      last = server.publish(
        'stream-3',
        'comments',
        special[i] ?? comment(`p${i}`, `viewer${i}`, `hi from viewer ${i}`, 'positive', 'ok'),
      );
    }
    await waitForSeq(last);
    const ids = () =>
      page.locator('#comments > li').evaluateAll((items) => items.map((item) => item.getAttribute('data-id')));

    // The first card goes up at once; five wait (the three chosen among them), fourteen are dropped.
    expect(await ids()).toEqual(['p0']);
    expect(await state()).toMatchObject({ comments: 20, cardsShown: 1, waiting: 5, dropped: 14, droppedStale: 0 });

    await page.clock.runFor(1499);
    expect(await ids()).toEqual(['p0']);
    await page.clock.runFor(1);
    expect(await ids()).toEqual(['p0', 'h']);
    await page.clock.runFor(1500);
    expect(await ids()).toEqual(['p0', 'h', 'q']);
    await page.clock.runFor(1500);
    expect(await ids()).toEqual(['p0', 'h', 'q', 'n']);
    // Four cards stay up: the first leaves only when the fifth arrives, 6 s after it came.
    await page.clock.runFor(1500);
    expect((await ids())[0]).toBe('h');
    expect(await state()).toMatchObject({ cardsShown: 5, waiting: 1, dropped: 14 });
    await page.locator('#comments').screenshot({ path: PACED_SCREENSHOT, omitBackground: true });
  });

  it('varies the cards (a question does not follow a question) and skips words already on screen', async () => {
    await openPaused('stream-2');

    let last = server.publish('stream-2', 'comments', comment('first', 'ann', 'first!!', 'positive', 'ok'));
    last = server.publish('stream-2', 'comments', comment('q1', 'bo', 'when is the giveaway?', 'neutral', 'ok'));
    last = server.publish('stream-2', 'comments', comment('q2', 'cy', 'what mic do you use?', 'neutral', 'ok'));
    last = server.publish(
      'stream-2',
      'comments',
      comment('p', 'di', 'this is amazing', 'positive', 'ok', 3, { score: 0.95 }),
    );
    last = server.publish('stream-2', 'comments', comment('dup', 'ed', 'first!!', 'positive', 'ok'));
    await waitForSeq(last);
    for (let i = 0; i < 3; i++) await page.clock.runFor(1500);

    const ids = await page
      .locator('#comments > li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-id')));
    expect(ids).toEqual(['first', 'q2', 'p', 'q1']);
    expect(await state()).toMatchObject({ comments: 5, cardsShown: 4, waiting: 0, dropped: 1, droppedStale: 0 });
  });
});
