import { renderPreview } from './template-preview.js';

describe('renderPreview', () => {
  const contact = {
    id: 'c1',
    userId: '+15550001',
    channel: 'sms',
    phone: '+15550001',
    email: null,
    variables: { first_name: 'Ada', n: 3 },
  };

  it('renders variables, built-ins, and a missing variable as empty', () => {
    expect(
      renderPreview(
        'Hi {{ first_name }} ({{user_id}} on {{bot_channel}}), #{{n}}{{missing}}!',
        contact,
      ),
    ).toBe('Hi Ada (+15550001 on sms), #3!');
  });

  it('renders every variable empty without a sample contact', () => {
    expect(renderPreview('Hi {{first_name}}.', undefined)).toBe('Hi .');
  });
});
