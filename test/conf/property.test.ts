import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { configsEqual, formatDiagnostic, isKeyword, parseConfig, writeConfig } from '../../src/conf/index.js';
import type {
  AttributeMap,
  AttributedNode,
  DeviceGroupConfig,
  DriverConfig,
  HandlerConfig,
  IniGroupConfig,
  LunConfig,
  ScstConfig,
  TargetConfig,
  TargetGroupConfig,
} from '../../src/model/config.js';

// Realistic identifiers plus every character the escaping must handle.
const NAME_CHARS = [...'abcXYZ019_.:-*?', ' ', '#', '\\', '"', '{', '}', '\t', 'é'];
const VALUE_CHARS = [...'aZ09/,.=-', ' ', ' ', '#', '\\', '"', '{', '}', '\t', 'ü'];

const name = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,11}$/) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 0, maxLength: 8 }) },
);
const value = fc.string({ unit: fc.constantFrom(...VALUE_CHARS), minLength: 0, maxLength: 12 });
const attributeName = name.filter((n) => !isKeyword(n));

const attributeMap: fc.Arbitrary<AttributeMap> = fc
  .uniqueArray(fc.tuple(attributeName, fc.uniqueArray(value, { minLength: 1, maxLength: 3 })), {
    maxLength: 3,
    selector: ([n]) => n,
  })
  .map((entries) => new Map(entries));

function namedMap<T>(item: fc.Arbitrary<T>, minLength: number, maxLength: number): fc.Arbitrary<Map<string, T>> {
  return fc
    .uniqueArray(fc.tuple(name, item), { minLength, maxLength, selector: ([n]) => n })
    .map((entries) => new Map(entries));
}

const node: fc.Arbitrary<AttributedNode> = attributeMap.map((attributes) => ({ attributes }));

const lunSet: fc.Arbitrary<Map<string, LunConfig>> = fc
  .uniqueArray(fc.tuple(fc.nat({ max: 16383 }), name, attributeMap), { maxLength: 3, selector: ([n]) => n })
  .map((entries) => new Map(entries.map(([n, device, attributes]) => [String(n), { device, attributes }])));

const iniGroup: fc.Arbitrary<IniGroupConfig> = fc.record({
  attributes: attributeMap,
  luns: lunSet,
  initiators: namedMap(node, 0, 3),
});

const target: fc.Arbitrary<TargetConfig> = fc.record({
  attributes: attributeMap,
  hwTarget: fc.boolean(),
  luns: lunSet,
  groups: namedMap(iniGroup, 0, 2),
});

// scstadmin omits empty handlers, drivers and device groups: generate non-empty ones.
const handler: fc.Arbitrary<HandlerConfig> = fc.record({ attributes: attributeMap, devices: namedMap(node, 1, 3) });
const driver: fc.Arbitrary<DriverConfig> = fc.record({ attributes: attributeMap, targets: namedMap(target, 1, 2) });
const targetGroup: fc.Arbitrary<TargetGroupConfig> = fc.record({ attributes: attributeMap, targets: namedMap(node, 0, 2) });
const deviceGroup: fc.Arbitrary<DeviceGroupConfig> = fc.record({
  attributes: attributeMap,
  devices: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
  targetGroups: namedMap(targetGroup, 0, 2),
});

/** Device names are global in SCST (the parser refuses one name in two handlers). */
function withGlobalDeviceNames(handlers: Map<string, HandlerConfig>): Map<string, HandlerConfig> {
  const seen = new Set<string>();
  const result = new Map<string, HandlerConfig>();
  for (const [handlerName, h] of handlers) {
    const devices = new Map([...h.devices].filter(([device]) => !seen.has(device)));
    for (const device of devices.keys()) seen.add(device);
    if (devices.size > 0) result.set(handlerName, { attributes: h.attributes, devices });
  }
  return result;
}

const config: fc.Arbitrary<ScstConfig> = fc
  .record({
    attributes: attributeMap,
    handlers: namedMap(handler, 0, 3),
    drivers: namedMap(driver, 0, 2),
    alua: node,
    deviceGroups: namedMap(deviceGroup, 0, 2),
  })
  .map((c) => ({ ...c, handlers: withGlobalDeviceNames(c.handlers) }));

const VERSION = { version: '3.11.0-pre' };

describe('write/parse round trip (fast-check)', () => {
  test('parse(write(m)) equals m, without diagnostics', () => {
    fc.assert(
      fc.property(config, (model) => {
        const text = writeConfig(model, VERSION);
        const { config: parsed, diagnostics } = parseConfig(text, 'generated.conf');
        assert.deepEqual(diagnostics.map(formatDiagnostic), []);
        assert.ok(configsEqual(parsed, model), text);
      }),
      { numRuns: 200 },
    );
  });

  test('write(parse(write(m))) is write(m)', () => {
    fc.assert(
      fc.property(config, (model) => {
        const text = writeConfig(model, VERSION);
        assert.equal(writeConfig(parseConfig(text, 'generated.conf').config, VERSION), text);
      }),
      { numRuns: 200 },
    );
  });
});
