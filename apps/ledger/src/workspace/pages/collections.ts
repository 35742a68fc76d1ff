import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { RecordCollectionActionCommand } from '../../collections/collection-actions';
import { CollectionTaskView, ListCollectionTasksQuery } from '../../collections/collection-tasks';
import { CollectionsController } from '../../collections/collections.controller';
import { CollectionActionBody } from '../../collections/collections.dto';
import { WorkspaceDeps, escapeHtml, may, mustMay, pageContext, render, validBody } from '../context';

const ID = /^[A-Za-z0-9._:/-]{1,128}$/;
const QUEUE_LIMIT = 1000;

/**
 * The collection-task queue (seed 004: 生成催收任务给到对应负责人): the open tasks of GET /collections/tasks,
 * optionally one owner's, and what the person working one records — a contact, a promise to pay, closing it —
 * through the API's command, role list and body DTO. The row is redrawn with its latest action; a closed task
 * leaves the queue.
 */
export function collectionPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const openTasks = async (owner: string | null) =>
    (await deps.queries.execute(new ListCollectionTasksQuery(owner, 'open', QUEUE_LIMIT))) as {
      items: CollectionTaskView[];
      total: number;
    };

  app.get<{ Querystring: { owner?: string } }>('/queues/collections', async (req, reply) => {
    const ctx = pageContext(req);
    const owner = req.query.owner?.trim() || null;
    if (owner !== null && !ID.test(owner)) throw new BadRequestException('owner is not an id');
    const tasks = await openTasks(owner);
    return render(reply, ctx, 'collections.eta', {
      title: ctx.t('tasks.title'),
      items: tasks.items,
      total: tasks.total,
      owner,
      mayAct: may(ctx.session, CollectionsController, 'act'),
    });
  });

  app.post<{ Params: { taskId: string } }>('/collections/tasks/:taskId/actions', async (req, reply) => {
    const ctx = pageContext(req);
    mustMay(ctx.session, CollectionsController, 'act');
    const taskId = req.params.taskId;
    if (!ID.test(taskId)) throw new BadRequestException('task id is not an id');
    // A form sends its empty promise fields too: absent, as the API's body would have them.
    const { _csrf: _, ...raw } = (req.body ?? {}) as Record<string, unknown>;
    const fields = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
    const { customerId, ...input } = await validBody(fields, CollectionActionBody);
    await deps.commands.execute(
      new RecordCollectionActionCommand(customerId, ctx.session, { taskId, ...input }),
    );
    const task = (await openTasks(null)).items.find((k) => k.taskId === taskId);
    if (!task) {
      const message = ctx.t('queue.done', { what: `${ctx.t(`tasks.action.${input.action}`)} ${taskId}` });
      return reply
        .type('text/html')
        .send(`<tr><td colspan="7"><p class="flash" role="status">${escapeHtml(message)}</p></td></tr>`);
    }
    return reply.view('collection-row.eta', { k: task, t: ctx.t, f: ctx.f, mayAct: true });
  });
}
