import { describe, expect, it } from 'vitest';
import { errorClassEnum } from '../../db/schema/publishing';
import { platformEnum } from '../../db/schema/channels';
import { errorClasses, platforms } from '../../workers/platforms/contract';

describe('the platform list and the error classes are defined once', () => {
  it('the database enum of platforms equals the contract list', () => {
    expect(platformEnum.enumValues).toEqual(['x', 'facebook', 'instagram', 'youtube']);
    expect(platformEnum.enumValues).toEqual([...platforms]);
  });

  it('the database enum of error classes equals the contract list', () => {
    expect(errorClassEnum.enumValues).toEqual([...errorClasses]);
    expect(errorClassEnum.enumValues).toContain('outcome_unknown');
  });
});
