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
});
