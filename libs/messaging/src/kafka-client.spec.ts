import { quietRepeats } from './kafka-client';

describe('quietRepeats', () => {
  it('shows the first of a kind, counts repeats inside the window and reports them with the next one', () => {
    let t = 0;
    const lines: string[] = [];
    const log = quietRepeats(
      (level, m) => lines.push(`${level} ${m}`),
      10_000,
      () => t,
    );
    log('warn', 'kafkajs: Connection error: connect ECONNREFUSED {"timestamp":"a"}');
    t = 100;
    log('warn', 'kafkajs: Connection error: connect ECONNREFUSED {"timestamp":"b"}');
    log('warn', 'kafkajs: Connection error: connect ECONNREFUSED {"timestamp":"c"}');
    log('warn', 'kafkajs: Crash: something else');
    t = 10_100;
    log('warn', 'kafkajs: Connection error: connect ECONNREFUSED {"timestamp":"d"}');
    expect(lines).toEqual([
      'warn kafkajs: Connection error: connect ECONNREFUSED {"timestamp":"a"}',
      'warn kafkajs: Crash: something else',
      'warn kafkajs: Connection error: connect ECONNREFUSED {"timestamp":"d"} (and 2 more like it in the last 10 s)',
    ]);
  });
});
