import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpSink } from '../helpers/smtp-sink.js';

describe('SmtpSink (test helper)', () => {
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await sink?.close();
  });

  it('receives and parses a mail, rejects with 4xx on demand, goes down and comes back', async () => {
    sink = await SmtpSink.start();
    const transport = nodemailer.createTransport({ url: sink.url });
    await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject: 'hi',
      text: 'body',
      html: '<b>x</b>',
    });
    const [message] = await sink.waitFor(1);
    expect(message).toMatchObject({ subject: 'hi', text: 'body', html: '<b>x</b>', to: 'b@example.org' });

    sink.rejectWith(451);
    await expect(
      transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'no' }),
    ).rejects.toMatchObject({
      responseCode: 451,
    });
    sink.rejectWith(null);

    await sink.down();
    await expect(
      transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'down' }),
    ).rejects.toMatchObject({
      code: 'ESOCKET',
    });
    await sink.up();
    await transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'back' });
    expect((await sink.waitFor(2)).map((m) => m.subject)).toEqual(['hi', 'back']);
    transport.close();
  });

  it('requires auth when configured and refuses a wrong password with 535', async () => {
    sink = await SmtpSink.start({ auth: { user: 'robot', pass: 's3cret' } });
    const good = nodemailer.createTransport({ url: sink.url });
    await good.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'authed', text: 'x' });
    const bad = nodemailer.createTransport({ url: `smtp://robot:wrong@127.0.0.1:${sink.port}` });
    await expect(
      bad.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'nope' }),
    ).rejects.toMatchObject({
      code: 'EAUTH',
    });
    expect(sink.messages.map((m) => m.subject)).toEqual(['authed']);
  });
});
