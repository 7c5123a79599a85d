import 'reflect-metadata';
import { OpenAccountDto } from '../accounts/open-account.dto.js';
import { PlaceHoldDto } from '../holds/holds.dto.js';
import { PostTransactionDto } from '../transactions/post-transaction.dto.js';
import { toInstance, validationPipe } from './validation.js';

it('the validation pipe keeps it too, and still validates it', async () => {
  const metadata = JSON.parse('{"constructor": {"prototype": {"x": 1}}, "toString": "s", "note": "ok"}');
  const body = { customer: 'c', currency: 'USD', account_type: 'customer', metadata };
  const dto = await validationPipe().transform(body, { type: 'body', metatype: OpenAccountDto, data: undefined });
  expect(dto.metadata).toEqual({ toString: 's', note: 'ok' }); // Nest's guard removes constructor; the rest stays
  await expect(validationPipe().transform({ ...body, metadata: [1] }, { type: 'body', metatype: OpenAccountDto, data: undefined })).rejects.toMatchObject({
    status: 400,
  });
});

/** Free-form metadata is client data: class-transformer must neither drop nor choke on any key. */
describe('metadata is kept as sent', () => {
  const text = '{"constructor": {"prototype": {"x": 1}}, "__proto__": {"polluted": true}, "toString": "s", "valueOf": [1], "note": "ok"}';
  it.each([
    ['OpenAccountDto', OpenAccountDto],
    ['PlaceHoldDto', PlaceHoldDto],
    ['PostTransactionDto', PostTransactionDto],
  ])('%s', (_name, dto) => {
    const metadata = JSON.parse(text);
    const instance = toInstance(dto as any, { metadata }) as { metadata: unknown };
    expect(instance).toBeInstanceOf(dto);
    expect(instance.metadata).toBe(metadata);
    expect(({} as any).polluted).toBeUndefined();
  });
});
