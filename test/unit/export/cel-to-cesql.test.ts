import { describe, expect, it } from 'vitest';
import { celToCesql } from '../../../src/export/cel-to-cesql.js';
import { parseCesql } from '../../../src/router/cesql/parser.js';

describe('celToCesql', () => {
  const translated: Array<[string, string]> = [
    ['event.type == "live.gift"', "type = 'live.gift'"],
    ['event.type != "live.gift"', "type != 'live.gift'"],
    ['event.level >= 3', 'level >= 3'],
    ['event.level < -2', 'level < -2'],
    ['event.type == "live.like" && event.stream == "s1"', "(type = 'live.like') AND (stream = 's1')"],
    ['event.type == "a" || event.type == "b"', "(type = 'a') OR (type = 'b')"],
    ['!(event.stream == "s1")', "NOT (stream = 's1')"],
    ['event.type.startsWith("live.")', "type LIKE 'live.%'"],
    ['event.source.endsWith("/eu")', "source LIKE '%/eu'"],
    ['event.subject.contains("vip")', "subject LIKE '%vip%'"],
    ['has(event.vip)', 'EXISTS vip'],
    ['!has(event.vip)', 'NOT EXISTS vip'],
    ['event.stream in ["s1", "s2"]', "stream IN ('s1', 's2')"],
    ["event['stream'] == 'it''s'".replace("'it''s'", '"it\'s"'), "stream = 'it\\'s'"],
    ['event.vip == true', 'vip = TRUE'],
  ];
  it.each(translated)('translates %s', (cel, cesql) => {
    expect(celToCesql(cel)).toEqual({ cesql });
  });

  it.each(translated)('writes CESQL that a CESQL parser accepts: %s', (cel) => {
    const result = celToCesql(cel);
    if (!('cesql' in result)) throw new Error(`no translation for ${cel}`);
    expect(() => parseCesql(result.cesql)).not.toThrow();
  });

  const untranslatable: Array<[string, RegExp]> = [
    ['event.data.gift.value >= 100', /event data/],
    ['event.level > 1.5', /floating-point/],
    ['event.n + 1 > 2', /comparison/],
    ['size(event.type) > 3', /comparison/],
    ['event.type.matches("^live")', /matches/],
    ['event.type.startsWith("live_")', /LIKE/],
    ['event.level > 9999999999', /32-bit/],
    ['event.type ==', /parse/],
  ];
  it.each(untranslatable)('has no CESQL for %s and says why', (cel, why) => {
    const result = celToCesql(cel);
    expect(result).not.toHaveProperty('cesql');
    expect((result as { untranslatable: string }).untranslatable).toMatch(why);
  });
});
