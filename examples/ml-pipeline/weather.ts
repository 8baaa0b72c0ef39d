/**
 * The partitioned half of the example: Seattle's daily weather, one partition per day.
 *
 *   raw/seattle_weather_csv (source: the CSV shipped in the vega-datasets package)
 *     -> weather/daily     (daily partitions 2012-01-01 .. 2015-12-31: that day's row; a batched
 *                           function, one call per year of days)
 *     -> weather/features  (daily: means over the 7 days before, read through a window mapping)
 *     -> weather/rain_model (unpartitioned: a rain classifier trained on every day's features)
 *
 *   npx assets partitions weather/features --project examples/ml-pipeline/rivers.config.ts
 *   npx assets materialize weather/daily --partition 2015-12-01...2015-12-31 --force --project …
 */
import { asset, daily, mapped, mapping, source } from '@rivers-orchestrator/rivers'

import { evaluate, trainLogisticRegression } from './src/ml/index.js'
import { dayFeatures, weatherCsvPath, weatherDay, weatherSets } from './src/weather/weather.js'

/** The CSV. A new version makes every day stale; only the days whose row changed re-run what follows. */
export const weatherCsv = source({
  key: 'raw/seattle_weather_csv',
  path: weatherCsvPath(),
  description: 'Seattle daily weather 2012-2015, as shipped in the vega-datasets npm package',
  group: 'weather',
  kinds: ['csv'],
})

/** One partition per day of the dataset. */
const days = daily({ start: '2012-01-01', end: '2016-01-01' })

export const weatherDaily = asset(
  {
    key: 'weather/daily',
    partitions: days,
    deps: { csv: weatherCsv },
    group: 'weather',
    kinds: ['table'],
    description: "One day's weather: the CSV row of the partition's date",
    // Up to a year of days per call (one segment file each); every day still has its own record.
    batch: 366,
  },
  (batch) => {
    const out: Record<string, NonNullable<ReturnType<typeof weatherDay>>> = {}
    for (const { key } of batch.partitions) {
      const day = weatherDay(batch.inputs(key).csv, key)
      if (day === undefined) throw new Error(`no row for ${key} in seattle-weather.csv`)
      out[key] = day
    }
    return out
  },
)

export const weatherFeatures = asset(
  {
    key: 'weather/features',
    partitions: days,
    // The 7 days before this one (the window ends one partition before p), and the day itself.
    deps: { past: mapped(weatherDaily, mapping.window({ length: 7, offset: 1 })), today: weatherDaily },
    group: 'weather',
    kinds: ['features'],
    description: 'Means over the previous 7 days, and whether it rained',
  },
  ({ past, today }) => dayFeatures(today, Object.values(past)),
)

export const rainModel = asset(
  {
    key: 'weather/rain_model',
    deps: { days: mapped(weatherFeatures) },
    group: 'weather',
    kinds: ['model'],
    owners: ['team:ml'],
    description:
      'Logistic regression: does it rain today, from the previous week? Trained on 2012-2014, tested on 2015',
  },
  ({ days }, ctx) => {
    const { train, test } = weatherSets(Object.values(days), '2015-01-01')
    const model = trainLogisticRegression(train, { epochs: 200, learningRate: 0.1, l2: 0.001, seed: 7 })
    const metrics = evaluate(model, test)
    ctx.addMetric('test_accuracy', metrics.accuracy)
    ctx.addMetric('test_roc_auc', metrics.rocAuc)
    ctx.addMetadata({ trainDays: train.y.length, testDays: test.y.length })
    return { model, metrics }
  },
)
