import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DecideDirectlyCommand, RunApprovalCommand } from '../../control/commands';
import type { PolicyDecisionOutcome, PolicyProposalView } from '@credit-ledger/ledger-store';
import { HeldOrderDecisionBody, NoBody, ReasonBody, RejectPolicyBody } from '../../control/control.dto';
import { CustomerControlController, HeldOrdersController } from '../../control/control.controller';
import { HeldOrderView, InboxItem, ListHeldOrdersQuery, ListInboxQuery } from '../../control/control-queries';
import { PolicyAdminController, PolicyAdoptionStepCommand } from '../../control/policy-admin.controller';
import { WorkspaceDeps, escapeHtml, formBody, may, mustMay, pageContext, render } from '../context';

const ID = /^[A-Za-z0-9._:@/-]{1,64}$/;

/**
 * The work queues: held orders (release / reject with a reason), and limit requests and policy proposals waiting
 * for approval (approve / reject). Each action is the API's command with the API's role list and body DTO; the outcome
 * replaces the queue row (htmx), so a decided item leaves the queue.
 */
export function queuePages(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get('/queues/held-orders', async (req, reply) => {
    const ctx = pageContext(req);
    const held = (await deps.queries.execute(new ListHeldOrdersQuery(1000))) as {
      items: HeldOrderView[];
      total: number;
    };
    return render(reply, ctx, 'held-orders.eta', {
      title: ctx.t('nav.held'),
      items: held.items,
      total: held.total,
      mayDecide: may(ctx.session, HeldOrdersController, 'release'),
    });
  });

  const decideHeld =
    (decision: 'release' | 'reject') =>
    async (req: FastifyRequest<{ Params: { orderId: string } }>, reply: FastifyReply) => {
      const ctx = pageContext(req);
      mustMay(ctx.session, HeldOrdersController, decision);
      const body = await formBody(req, HeldOrderDecisionBody);
      const orderId = checkedId(req.params.orderId, 'orderId');
      // A release up to the cap by a finance-clerk is done at once; otherwise it is an approval request.
      const requestId = `OR-${randomUUID()}`;
      await deps.commands.execute(
        decision === 'release'
          ? new RunApprovalCommand(body.customerId, ctx.session, requestId, () => ({
              type: 'ReleaseHeldOrder',
              data: { requestId, orderId, reason: body.reason },
            }))
          : new DecideDirectlyCommand(body.customerId, ctx.session, {
              type: 'reject-order',
              orderId,
              reason: body.reason,
            }),
      );
      return done(reply, ctx.t('queue.done', { what: `${ctx.t(`queue.${decision}`)} ${orderId}` }));
    };
  app.post('/held-orders/:orderId/release', decideHeld('release'));
  app.post('/held-orders/:orderId/reject', decideHeld('reject'));

  app.get('/queues/approvals', async (req, reply) => {
    const ctx = pageContext(req);
    // The inbox of GET /approvals: what this principal may approve now (not its own requests, not twice).
    const inbox = (await deps.queries.execute(
      new ListInboxQuery({ name: ctx.session.name, role: ctx.session.role }),
    )) as { items: InboxItem[]; policyProposals: PolicyProposalView[] };
    return render(reply, ctx, 'approvals.eta', {
      title: ctx.t('nav.approvals'),
      items: inbox.items,
      mayApprove: may(ctx.session, CustomerControlController, 'approve'),
      mayReject: may(ctx.session, CustomerControlController, 'rejectRequest'),
      proposals: inbox.policyProposals,
      mayApprovePolicy: may(ctx.session, PolicyAdminController, 'approve'),
      mayRejectPolicy: may(ctx.session, PolicyAdminController, 'reject'),
      me: ctx.session.name,
    });
  });

  // Policy proposals: the API's adoption step (decidePolicyAdoption in the store: four-eyes, the roles the policy
  // in force names), with the API's role lists and body DTOs.
  const decideProposal =
    (decision: 'approve' | 'reject') =>
    async (req: FastifyRequest<{ Params: { proposalId: string } }>, reply: FastifyReply) => {
      const ctx = pageContext(req);
      mustMay(ctx.session, PolicyAdminController, decision);
      const proposalId = checkedId(req.params.proposalId, 'proposalId');
      const step =
        decision === 'approve'
          ? (await formBody(req, NoBody), { type: 'approve' as const, proposalId })
          : { type: 'reject' as const, proposalId, reason: (await formBody(req, RejectPolicyBody)).reason };
      const outcome = (await deps.commands.execute(
        new PolicyAdoptionStepCommand(ctx.session, step),
      )) as PolicyDecisionOutcome;
      return done(
        reply,
        outcome.adopted
          ? ctx.t('queue.policyAdopted', { version: outcome.adopted.version })
          : ctx.t('queue.done', { what: `${ctx.t(`queue.${decision}`)} ${proposalId}` }),
      );
    };
  app.post('/policy/proposals/:proposalId/approve', decideProposal('approve'));
  app.post('/policy/proposals/:proposalId/reject', decideProposal('reject'));

  app.post<{ Params: { id: string; requestId: string } }>(
    '/customers/:id/limit-requests/:requestId/approve',
    async (req, reply) => {
      const ctx = pageContext(req);
      mustMay(ctx.session, CustomerControlController, 'approve');
      const { id, requestId } = ids(req.params);
      await formBody(req, NoBody);
      await deps.commands.execute(
        new RunApprovalCommand(id, ctx.session, requestId, () => ({
          type: 'ApproveRequest',
          data: { requestId },
        })),
      );
      return done(reply, ctx.t('queue.done', { what: `${ctx.t('queue.approve')} ${requestId}` }));
    },
  );

  app.post<{ Params: { id: string; requestId: string } }>(
    '/customers/:id/limit-requests/:requestId/reject',
    async (req, reply) => {
      const ctx = pageContext(req);
      mustMay(ctx.session, CustomerControlController, 'rejectRequest');
      const { id, requestId } = ids(req.params);
      const body = await formBody(req, ReasonBody);
      await deps.commands.execute(
        new RunApprovalCommand(id, ctx.session, requestId, () => ({
          type: 'RejectRequest',
          data: { requestId, reason: body.reason },
        })),
      );
      return done(reply, ctx.t('queue.done', { what: `${ctx.t('queue.reject')} ${requestId}` }));
    },
  );
}

function checkedId(v: string, what: string): string {
  if (!ID.test(v)) throw new BadRequestException(`${what} is not an id`);
  return v;
}

function ids(p: { id: string; requestId: string }) {
  return { id: checkedId(p.id, 'customer id'), requestId: checkedId(p.requestId, 'requestId') };
}

/** The row's replacement after an action: a short confirmation announced to screen readers. */
function done(reply: FastifyReply, message: string) {
  return reply
    .type('text/html')
    .send(`<tr><td colspan="6"><p class="flash" role="status">${escapeHtml(message)}</p></td></tr>`);
}
