import fc from 'fast-check';
import { render } from './render.js';

describe('render', () => {
  it('fills contact variables and payload paths', () => {
    const out = render(
      [{ text: 'Hello {{first_name}}, order {{ payload.order.id }}' }],
      { first_name: 'Ada' },
      { order: { id: 42 } },
    );
    expect(out).toEqual({ messages: [{ text: 'Hello Ada, order 42' }], missing: 0 });
  });

  it('renders a missing variable empty and counts it', () => {
    const out = render([{ text: 'Hi {{first_name}}{{last_name}}!' }], {});
    expect(out).toEqual({ messages: [{ text: 'Hi !' }], missing: 2 });
  });

  it('renders inside template parameters', () => {
    const out = render(
      [
        {
          template: {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [{ type: 'body', parameters: [{ type: 'text', text: '{{first_name}}' }] }],
          },
        },
      ],
      { first_name: 'Ada' },
    );
    expect(out.messages[0]).toEqual({
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }],
      },
    });
  });

  const template = (text: string) => ({
    template: {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text }] }],
    },
  });

  it.each([
    ['a newline', 'line one\nline two'],
    ['a backslash', 'C:\\temp\\'],
    ['a quote that tries to add a parameter', 'x"},{"type":"text","text":"injected'],
    ['placeholders of its own', '{{secret}} {{payload.x}}'],
    ['emoji and a lone surrogate', '🎉 \ud800'],
  ])(
    'puts a value with %s into a template parameter exactly as written, adding nothing',
    (_, nick) => {
      const out = render([template('Hi {{nick}}')], { nick, secret: 'no' });
      expect(out.messages[0]).toEqual(template(`Hi ${nick}`));
    },
  );

  it('renders any value into any template structure without changing its shape (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), json, (value, extra) => {
        const components = [{ type: 'body', parameters: [{ type: 'text', text: '{{v}}' }], extra }];
        const message = { template: { name: 't', language: { code: 'en' }, components } };
        const out = render([message], { v: value }).messages[0] as typeof message;
        expect(out.template.components[0].parameters).toEqual([{ type: 'text', text: value }]);
        expect(Object.keys(out.template.components[0])).toEqual(['type', 'parameters', 'extra']);
      }),
    );
  });
});
