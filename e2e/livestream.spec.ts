import path from 'node:path';
import { WebSocketServer } from 'ws';
import { REPO_ROOT, runHaven } from '../electron/testing/fixtures';
import { startLiveHls, type LiveHls } from '../electron/testing/liveHls';
import { expect, test } from './fixtures';

// A live HLS stream made by ffmpeg on 127.0.0.1, recorded with its chat by LiveStreamPlugin
// through a real `haven serve`, then played in the Library with the chat in step.
test.use({ builtinPlugins: path.join(REPO_ROOT, 'plugins') });

let live: LiveHls;
let chat: WebSocketServer;
let chatUrl: string;
test.beforeAll(async () => {
  live = await startLiveHls();
  chat = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => chat.on('listening', () => resolve()));
  chatUrl = `ws://127.0.0.1:${(chat.address() as { port: number }).port}`;
  chat.on('connection', (socket) => {
    let n = 0;
    const timer = setInterval(() => socket.send(JSON.stringify({ author: 'ada', text: `hello ${n++}` })), 200);
    socket.on('close', () => clearInterval(timer));
  });
});
test.afterAll(async () => {
  await live?.close();
  await new Promise<void>((resolve) => (chat ? chat.close(() => resolve()) : resolve()));
});

test('a recording plays in the Library, segment after segment, with its chat as it was said', async ({ haven }) => {
  test.setTimeout(120_000);
  const { page } = haven;
  const env = { HAVEN_HOME: haven.home };
  const configured = await runHaven(['plugins', 'configure', 'LiveStreamPlugin', '--set', 'segment_duration=4', '--set', 'remux_on_finish=false', '--set', `chat_url=${chatUrl}`], env, 60_000);
  expect(configured.code, configured.stderr).toBe(0);
  const recorded = await runHaven(['archive', live.playlist, '--duration', '10'], env, 90_000);
  expect(recorded.code, recorded.stderr).toBe(0);

  await page.getByRole('link', { name: 'Library' }).click();
  await page.getByText(/127\.0\.0\.1 live/).first().click();
  const player = page.getByTestId('recording-player');
  await expect(player.getByTestId('recording-facts')).toContainText('in 1 part; ended: duration');
  await expect(player.getByRole('list', { name: 'Segments' }).getByRole('button')).toHaveCount(3);
  // Core hands the browser an MP4 copy of each MPEG-TS segment, which Chromium plays.
  const videoSrc = await player.locator('video').getAttribute('src');
  expect(videoSrc).toMatch(/\/files\/\d+\/part001-00000\.ts\?as=mp4$/);
  await expect.poll(() => player.locator('video').evaluate((v: { readyState: number }) => v.readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  const chatLines = player.getByTestId('chat-lines').locator('li');
  await expect(chatLines).toHaveCount(0);
  // Seeking into the second segment shows what was said by then.
  await player.getByRole('button', { name: /^Part 1 · 0:04/ }).click();
  await expect(player.getByRole('button', { name: /^Part 1 · 0:04/ })).toHaveAttribute('aria-current', 'true');
  await player.locator('video').evaluate((v: { muted: boolean; currentTime: number }) => {
    v.muted = true;
    v.currentTime = 2;
  });
  await expect.poll(() => chatLines.count(), { timeout: 20_000 }).toBeGreaterThan(5);
  await expect(chatLines.first()).toContainText('ada hello 0');
});
