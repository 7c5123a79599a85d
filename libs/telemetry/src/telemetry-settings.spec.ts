import { telemetrySettings } from './telemetry-settings.js';

describe('telemetrySettings', () => {
  it('logs at info, as JSON unless writing to a terminal, with tracing off, by default', () => {
    expect(telemetrySettings({}, false)).toEqual({ logLevel: 'info', logFormat: 'json', otlpEndpoint: null });
    expect(telemetrySettings({}, true).logFormat).toBe('pretty');
    expect(telemetrySettings({ LEDGER_LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
  });

  it('takes each level and format, and refuses anything else by name', () => {
    for (const level of ['silent', 'error', 'warn', 'info', 'debug']) expect(telemetrySettings({ LEDGER_LOG: level }, false).logLevel).toBe(level);
    for (const bad of ['verbose', 'INFO', 'trace']) expect(() => telemetrySettings({ LEDGER_LOG: bad }, false)).toThrow(/LEDGER_LOG must be one of/);
    expect(() => telemetrySettings({ LEDGER_LOG_FORMAT: 'xml' }, false)).toThrow(/LEDGER_LOG_FORMAT/);
  });

  it('takes an http(s) OTLP endpoint (without a trailing slash) and refuses anything else', () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, false).otlpEndpoint).toBe('http://collector:4318');
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false).otlpEndpoint).toBeNull();
    for (const bad of ['collector:4318x', 'grpc://collector:4317', 'not a url']) {
      expect(() => telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: bad }, false)).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    }
  });
});
