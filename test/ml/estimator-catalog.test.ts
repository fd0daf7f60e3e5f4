/**
 * The estimator catalog (what recipe validation knows without loading estimator code) says
 * exactly what each estimator class takes: the same names, kinds and default parameters.
 */
import { describe, expect, it } from 'vitest';
import { catalogNames, ESTIMATOR_CATALOG } from '../../src/ml/estimator-catalog.js';
import { estimatorEntries, estimatorNames } from '../../src/ml/estimators.js';

describe('estimator catalog', () => {
  it('lists the registry estimators in registry order, with their kinds', () => {
    expect(catalogNames()).toEqual(estimatorNames());
    expect(catalogNames('regressor')).toEqual(estimatorNames('regressor'));
    expect(catalogNames('classifier')).toEqual(estimatorNames('classifier'));
  });

  it.each(estimatorEntries().map((e) => [e.name, e] as const))(
    '%s: the class takes exactly the catalog parameters, with the same defaults',
    (name, entry) => {
      const created = entry.create({}) as { params?: Record<string, unknown> };
      expect(created.params ?? {}).toEqual(ESTIMATOR_CATALOG[name]?.params);
    },
  );
});
