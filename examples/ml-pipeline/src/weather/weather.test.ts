import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { evaluate, trainLogisticRegression } from '../ml/index.js'
import { dayFeatures, parseWeather, weatherCsvPath, weatherDay, weatherSets } from './weather.js'

const csv = readFileSync(weatherCsvPath())
const days = parseWeather(csv)

describe('the Seattle weather dataset', () => {
  it('has one row per day from 2012-01-01 to 2015-12-31', () => {
    expect(days.size).toBe(1461)
    expect(days.get('2012-01-02')).toEqual({
      date: '2012-01-02',
      precipitation: 10.9,
      tempMax: 10.6,
      tempMin: 2.8,
      wind: 4.5,
      weather: 'rain',
    })
  })

  it('finds one day without parsing the rest', () => {
    expect(weatherDay(csv, '2015-12-31')).toEqual(days.get('2015-12-31'))
    expect(weatherDay(csv, '2012-01-01')).toEqual(days.get('2012-01-01'))
    expect(weatherDay(csv, '2016-01-01')).toBeUndefined()
  })

  it('gives features only with 7 previous days', () => {
    const all = [...days.values()]
    expect(dayFeatures(all[3]!, all.slice(0, 3)).x).toBeNull()
    const f = dayFeatures(all[7]!, all.slice(0, 7))
    expect(f.x).toHaveLength(5)
    expect(f.x![0]).toBeCloseTo(all.slice(0, 7).reduce((s, d) => s + d.precipitation, 0) / 7, 10)
  })

  it('trains a rain classifier that beats always guessing the majority class', () => {
    const all = [...days.values()]
    const features = all.map((d, i) => dayFeatures(d, all.slice(Math.max(0, i - 7), i)))
    const { train, test } = weatherSets(features, '2015-01-01')
    const model = trainLogisticRegression(train, { epochs: 200, learningRate: 0.1, l2: 0.001, seed: 7 })
    const m = evaluate(model, test)
    const rainy = test.y.filter((y) => y === 1).length / test.y.length
    expect(m.accuracy).toBeGreaterThan(Math.max(rainy, 1 - rainy))
    expect(m.rocAuc).toBeGreaterThan(0.7)
  })

  it('refuses a split with no test days', () => {
    expect(() => weatherSets([{ date: '2012-01-09', x: [1, 2, 3, 4, 5], rain: true }], '2030-01-01')).toThrow(
      'need days with features on both sides of 2030-01-01 (train 1, test 0)',
    )
  })
})
