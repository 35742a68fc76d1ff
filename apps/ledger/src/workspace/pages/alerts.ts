import type { FastifyInstance } from 'fastify';
import { AlertFeed, type FeedAlert } from '../alert-feed';
import { WorkspaceDeps, pageContext, render } from '../context';

/** Live alerts: the page, and its Server-Sent Events stream fed from the alert outbox as appends commit. */
export function alertPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const feed = new AlertFeed(deps.ds, (m) => app.log.warn(m));
  app.addHook('onClose', async () => feed.stop());

  app.get('/alerts', async (req, reply) => {
    const ctx = pageContext(req);
    return render(reply, ctx, 'alerts.eta', { title: ctx.t('alerts.title') });
  });

  app.get('/alerts/stream', async (req, reply) => {
    const ctx = pageContext(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    let queue = Promise.resolve();
    // Each watcher sees personal data as its role may (opened per session, the read logged).
    const send = (alerts: FeedAlert[]) => {
      queue = queue.then(async () => {
        const shown = await ctx.open(alerts);
        for (const a of shown) res.write(`id: ${a.id}\nevent: alert\ndata: ${JSON.stringify(a)}\n\n`);
      });
    };
    const unsubscribe = await feed.subscribe(send);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    beat.unref();
    req.raw.on('close', () => {
      clearInterval(beat);
      unsubscribe();
    });
    res.write('event: ready\ndata: {}\n\n');
  });
}
